// The per-grasp results file of the physics evaluation (<name>.eval.h5).
#include <graspqp/check.hpp>
#include <graspqp/error.hpp>
#include <graspqp/io/atomic_file.hpp>
#include <graspqp/report/eval_file.hpp>
#include <graspqp/version.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <mutex>

#include "io/hdf5.hpp"

namespace graspqp {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Numeric datasets of the eval file: 1-D, or rows x cols when cols > 0.
void f64_dataset(H5::H5File& f, const std::string& name, const std::vector<double>& v, hsize_t cols = 0) {
  const std::vector<hsize_t> dims = cols ? std::vector<hsize_t>{v.size() / cols, cols} : std::vector<hsize_t>{v.size()};
  hdf5::write_numeric_dataset(f, name, dims, H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE, v.data());
}

void i32_dataset(H5::H5File& f, const std::string& name, const std::vector<int>& v) {
  hdf5::write_numeric_dataset(f, name, {v.size()}, H5::PredType::STD_I32LE, H5::PredType::NATIVE_INT, v.data());
}

}  // namespace

void write_eval_file(const EvalFileRecord& r, const EvalOptions& options) {
  const size_t n = r.results.size();
  GRASPQP_CHECK(static_cast<size_t>(r.root_pose.rows()) == n && static_cast<size_t>(r.joints.rows()) == n,
                r.output.string() + ": one result per grasp");
  const auto names = protocol_test_names(options.protocol);
  std::vector<int> success, any, all, ok_any, ok_all, prefiltered, contacts, warnings;
  std::vector<double> tests, trans, rot, settle, init_pen, pen, cd_mean, cd_max, spen, q1;
  std::vector<std::string> errors;
  for (const auto& g : r.results) {
    success.push_back(g.success);
    any.push_back(g.success_any);
    all.push_back(g.success_all);
    ok_any.push_back(g.trials_ok_any);
    ok_all.push_back(g.trials_ok_all);
    prefiltered.push_back(g.prefiltered);
    contacts.push_back(g.settle_contacts);
    warnings.push_back(g.warnings);
    for (size_t t = 0; t < names.size(); ++t) tests.push_back(t < g.test_success.size() ? g.test_success[t] : 0.0);
    trans.push_back(g.max_translation);
    rot.push_back(g.max_rotation_deg);
    settle.push_back(g.settle_translation);
    init_pen.push_back(g.initial_penetration);
    pen.push_back(g.penetration_depth);
    cd_mean.push_back(g.contact_distance_mean);
    cd_max.push_back(g.contact_distance_max);
    spen.push_back(g.self_penetration);
    q1.push_back(g.q1);
    errors.push_back(g.error);
  }
  // No NaN or infinity reaches the file: the analytic metrics (NaN when not computed) are written only when
  // they were computed for every grasp; every other value must be finite.
  auto all_finite = [](const std::vector<double>& v) {
    return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
  };
  auto none_finite = [](const std::vector<double>& v) {
    return std::none_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
  };
  const bool analytic =
      all_finite(pen) && all_finite(cd_mean) && all_finite(cd_max) && all_finite(spen) && all_finite(q1);
  GRASPQP_CHECK(analytic || (none_finite(pen) && none_finite(cd_mean) && none_finite(cd_max) && none_finite(spen) &&
                             none_finite(q1)),
                r.output.string() + ": analytic metrics computed for some grasps only");
  for (const auto* v : {&tests, &trans, &rot, &settle, &init_pen})
    GRASPQP_CHECK(all_finite(*v), r.output.string() + ": a non-finite simulation result");
  GRASPQP_CHECK(r.root_pose.allFinite() && r.joints.allFinite() && r.lower.allFinite() && r.upper.allFinite(),
                r.output.string() + ": a non-finite grasp");
  const json protocol = protocol_to_json(options.protocol);
  const json opts = eval_options_json(options);
  std::string image;
  {
    std::lock_guard<std::mutex> lock(hdf5::mutex());
    hdf5::silence_errors();
    try {
      image = hdf5::file_image([&](H5::H5File& f) {
        hdf5::write_string_attribute(f, "format", "graspqp-eval");
        const int32_t version = 1;
        hdf5::write_numeric_attribute(f, "format_version", H5::PredType::STD_I32LE, H5::PredType::NATIVE_INT32,
                                      &version, {});
        hdf5::write_string_attribute(f, "source_file", r.input.string());
        hdf5::write_string_attribute(f, "hand", r.hand);
        hdf5::write_string_attribute(f, "grasp_type", r.grasp_type);
        hdf5::write_string_attribute(f, "energy", r.energy);
        hdf5::write_string_attribute(f, "object_path", r.object_path);
        hdf5::write_string_attribute(f, "object_sha256", r.object_sha256);
        hdf5::write_string_attribute(f, "protocol", protocol.dump());
        hdf5::write_string_attribute(f, "options", opts.dump());
        hdf5::write_string_attribute(f, "program_version", kVersion);
        i32_dataset(f, "success", success);
        i32_dataset(f, "success_any", any);
        i32_dataset(f, "success_all", all);
        i32_dataset(f, "trials_ok_any", ok_any);
        i32_dataset(f, "trials_ok_all", ok_all);
        i32_dataset(f, "prefiltered", prefiltered);
        i32_dataset(f, "settle_contacts", contacts);
        i32_dataset(f, "warnings", warnings);
        f64_dataset(f, "test_success", tests, names.size());
        {
          H5::DataSet ds = f.openDataSet("test_success");
          hdf5::write_string_array_attribute(ds, "names", names);
        }
        f64_dataset(f, "max_translation", trans);
        f64_dataset(f, "max_rotation_deg", rot);
        f64_dataset(f, "settle_translation", settle);
        f64_dataset(f, "initial_penetration", init_pen);
        if (analytic) {
          f64_dataset(f, "penetration_depth", pen);
          f64_dataset(f, "contact_distance_mean", cd_mean);
          f64_dataset(f, "contact_distance_max", cd_max);
          f64_dataset(f, "self_penetration", spen);
          f64_dataset(f, "q1", q1);
        }
        std::vector<double> rp(r.root_pose.rows() * 7), jt(r.joints.rows() * r.joints.cols());
        for (int i = 0; i < r.root_pose.rows(); ++i)
          for (int k = 0; k < 7; ++k) rp[i * 7 + k] = r.root_pose(i, k);
        for (int i = 0; i < r.joints.rows(); ++i)
          for (int k = 0; k < r.joints.cols(); ++k) jt[i * r.joints.cols() + k] = r.joints(i, k);
        f64_dataset(f, "root_pose", rp, 7);
        f64_dataset(f, "joints", jt, std::max<hsize_t>(1, r.joints.cols()));
        {
          H5::DataSet ds = f.openDataSet("joints");
          hdf5::write_string_array_attribute(ds, "joint_names", r.joint_names);
          std::vector<double> lim;
          for (int k = 0; k < r.lower.size(); ++k) lim.push_back(r.lower[k]);
          for (int k = 0; k < r.upper.size(); ++k) lim.push_back(r.upper[k]);
          const std::vector<hsize_t> dims{2, static_cast<hsize_t>(r.lower.size())};
          if (lim.empty())
            ds.createAttribute("limits", H5::PredType::IEEE_F64LE, hdf5::simple_space(dims));
          else
            hdf5::write_numeric_attribute(ds, "limits", H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE,
                                          lim.data(), dims);
        }
        hdf5::write_string_dataset(f, "error", {n}, errors);
      });
    } catch (const H5::Exception& e) {
      throw Error(r.output.string() + ": cannot write eval file: " + hdf5::describe(e));
    }
  }
  write_text_atomically(r.output, image);
}

std::vector<int> read_eval_success(const fs::path& path) {
  std::lock_guard<std::mutex> lock(hdf5::mutex());
  hdf5::silence_errors();
  try {
    H5::H5File f(path.string(), H5F_ACC_RDONLY);
    H5::DataSet ds = f.openDataSet("success");
    hsize_t n = 0;
    ds.getSpace().getSimpleExtentDims(&n);
    std::vector<int> v(n);
    if (n) ds.read(v.data(), H5::PredType::NATIVE_INT);
    return v;
  } catch (const H5::Exception& e) {
    throw Error(path.string() + ": cannot read eval file: " + hdf5::describe(e));
  }
}

}  // namespace graspqp
