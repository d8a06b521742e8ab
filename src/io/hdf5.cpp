#include "io/hdf5.hpp"

namespace graspqp::hdf5 {

namespace {

// The C++ API's exceptions only say which call failed ("H5Fcreate failed"); the useful reason
// ("No space left on device", "unable to lock file") lives on the C error stack, which is cleared
// again before a catch block runs (HDF5 object destructors make library calls). So instead of
// printing, the automatic error handler records the innermost message of each failure.
thread_local std::string last_hdf5_reason;

herr_t record_innermost_error(unsigned, const H5E_error2_t* err, void* client) {
  auto* reason = static_cast<std::string*>(client);
  if (reason->empty() && err && err->desc && *err->desc) *reason = err->desc;
  return 0;
}

herr_t capture_hdf5_error(hid_t stack, void*) {
  std::string reason;
  H5Ewalk2(stack, H5E_WALK_UPWARD, record_innermost_error, &reason);  // upward = innermost first
  // Low-level I/O failures embed the OS message as "error message = '...'"; that is the useful part.
  const std::string marker = "error message = '";
  if (const auto pos = reason.find(marker); pos != std::string::npos) {
    const auto start = pos + marker.size();
    reason = reason.substr(start, reason.find('\'', start) - start);
  }
  last_hdf5_reason = reason;
  return 0;
}

}  // namespace

std::mutex& mutex() {
  static std::mutex m;
  return m;
}

void silence_errors() {
  H5::Exception::dontPrint();  // no error stack dumps on stderr
  H5Eset_auto2(H5E_DEFAULT, capture_hdf5_error, nullptr);
  last_hdf5_reason.clear();
}

std::string describe(const H5::Exception& e) {
  std::string msg = "HDF5 error";
  if (!e.getDetailMsg().empty()) msg += " (" + e.getDetailMsg() + ")";
  if (!last_hdf5_reason.empty()) msg += ": " + last_hdf5_reason;
  return msg;
}

namespace {

// Dataset creation properties without object times (see create_file).
H5::DSetCreatPropList untimed_dataset() {
  H5::DSetCreatPropList plist;
  H5Pset_obj_track_times(plist.getId(), false);
  return plist;
}

}  // namespace

std::string file_image(const std::function<void(H5::H5File&)>& fill) {
  H5::FileCreatPropList fcpl;
  H5Pset_obj_track_times(fcpl.getId(), false);  // the root group
  H5::FileAccPropList fapl;
  H5Pset_fapl_core(fapl.getId(), 1 << 16, /*backing_store=*/false);
  static unsigned long counter = 0;  // a distinct name per file (callers hold mutex())
  H5::H5File file("graspqp-in-memory-" + std::to_string(++counter) + ".h5", H5F_ACC_TRUNC, fcpl, fapl);
  fill(file);
  file.flush(H5F_SCOPE_GLOBAL);
  const ssize_t size = H5Fget_file_image(file.getId(), nullptr, 0);
  if (size < 0) throw H5::FileIException("H5Fget_file_image", "cannot get the file image");
  std::string image(static_cast<size_t>(size), '\0');
  if (H5Fget_file_image(file.getId(), image.data(), image.size()) != size)
    throw H5::FileIException("H5Fget_file_image", "cannot copy the file image");
  file.close();
  return image;
}

H5::StrType utf8_vlen_string_type() {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  return type;
}

H5::DataSpace simple_space(const std::vector<hsize_t>& dims) {
  return H5::DataSpace(static_cast<int>(dims.size()), dims.data());
}

void write_string_attribute(H5::H5Object& obj, const std::string& name, const std::string& value) {
  const H5::StrType type = utf8_vlen_string_type();
  H5::Attribute attr = obj.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
  const char* ptr = value.c_str();
  attr.write(type, &ptr);
}

void write_string_array_attribute(H5::H5Object& obj, const std::string& name, const std::vector<std::string>& values) {
  const H5::StrType type = utf8_vlen_string_type();
  H5::Attribute attr = obj.createAttribute(name, type, simple_space({values.size()}));
  if (values.empty()) return;
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  attr.write(type, ptrs.data());
}

void write_numeric_attribute(H5::H5Object& obj, const std::string& name, const H5::PredType& file_type,
                             const H5::PredType& memory_type, const void* data, const std::vector<hsize_t>& dims) {
  H5::Attribute attr =
      obj.createAttribute(name, file_type, dims.empty() ? H5::DataSpace(H5S_SCALAR) : simple_space(dims));
  attr.write(memory_type, data);
}

void write_numeric_dataset(H5::H5File& file, const std::string& name, const std::vector<hsize_t>& dims,
                           const H5::PredType& file_type, const H5::PredType& memory_type, const void* data) {
  H5::DataSet ds = file.createDataSet(name, file_type, simple_space(dims), untimed_dataset());
  hsize_t count = 1;
  for (auto d : dims) count *= d;
  if (count > 0) ds.write(data, memory_type);  // zero-size datasets need (and accept) no write
}

H5::DataSet write_string_dataset(H5::H5File& file, const std::string& name, const std::vector<hsize_t>& dims,
                                 const std::vector<std::string>& values) {
  const H5::StrType type = utf8_vlen_string_type();
  H5::DataSet ds = file.createDataSet(name, type, simple_space(dims), untimed_dataset());
  if (!values.empty()) {
    std::vector<const char*> ptrs;
    for (const auto& v : values) ptrs.push_back(v.c_str());
    ds.write(ptrs.data(), type);
  }
  return ds;
}

}  // namespace graspqp::hdf5
