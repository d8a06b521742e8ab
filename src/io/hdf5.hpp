#pragma once
// HDF5 helpers shared by the library's file formats (grasp files, eval files). Private to the library:
// HDF5's headers are not part of the public interface.
#include <H5Cpp.h>

#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace graspqp::hdf5 {

// Debian's libhdf5 is not built thread-safe, so every HDF5 call of the library (object destructors
// included) runs under this one lock.
std::mutex& mutex();

// Must be called (under the lock) at the start of every public entry point that touches HDF5: no error
// stack dumps on stderr; the innermost reason of a failure is recorded for describe().
void silence_errors();

// "HDF5 error (<call>): <innermost reason>", e.g. "... : No space left on device".
std::string describe(const H5::Exception& e);

// The bytes of a whole HDF5 file built in memory (core driver, no disk access) by fill(file), for the
// atomic writer (io/atomic_file.hpp) to put on disk. Its objects record no creation or modification
// times, so the same content gives the same bytes: reruns and resumed jobs reproduce their files exactly.
// (The default, earliest file format: libhdf5 1.10.8 takes inconsistent images of the checksummed formats.)
// Call under mutex(); H5::Exception propagates.
std::string file_image(const std::function<void(H5::H5File&)>& fill);

H5::StrType utf8_vlen_string_type();
H5::DataSpace simple_space(const std::vector<hsize_t>& dims);

void write_string_attribute(H5::H5Object& obj, const std::string& name, const std::string& value);
void write_string_array_attribute(H5::H5Object& obj, const std::string& name, const std::vector<std::string>& values);
// dims empty: a scalar attribute.
void write_numeric_attribute(H5::H5Object& obj, const std::string& name, const H5::PredType& file_type,
                             const H5::PredType& memory_type, const void* data, const std::vector<hsize_t>& dims);
void write_numeric_dataset(H5::H5File& file, const std::string& name, const std::vector<hsize_t>& dims,
                           const H5::PredType& file_type, const H5::PredType& memory_type, const void* data);
H5::DataSet write_string_dataset(H5::H5File& file, const std::string& name, const std::vector<hsize_t>& dims,
                                 const std::vector<std::string>& values);

}  // namespace graspqp::hdf5
