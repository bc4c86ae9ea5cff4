#include "memsgd/io/optimum_file.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <variant>

#include "memsgd/config/choices.hpp"
#include "memsgd/core/error.hpp"
#include "memsgd/data/data_fingerprint.hpp"
#include "memsgd/io/run_file_reader.hpp"

namespace memsgd {
namespace {

// The identity as root attributes: integers as int64, lambda as double, the rest as text.
std::vector<std::pair<std::string, AttributeValue>> identityAttributes(
    const OptimumIdentity& identity) {
  return {{"rows", static_cast<std::int64_t>(identity.rows)},
          {"dim", static_cast<std::int64_t>(identity.dim)},
          {"lambda", identity.lambda},
          {"normalize", toString(identity.normalization)},
          {"train_fingerprint", formatFingerprint(identity.trainFingerprint)},
          // Last: a file of an older memsgd-optimum that lacks only this one is refused naming it.
          {"model_type", identity.modelType}};
}

std::string describe(const AttributeValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return std::to_string(*integer);
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", std::get<double>(value));
  return text;
}

// Refuses an f* of another problem, naming every field that differs.
void checkIdentity(const std::string& path, const OptimumIdentity& expected) {
  const RunFileReader reader(path);
  std::string differences;
  for (const auto& [name, value] : identityAttributes(expected)) {
    if (!reader.hasAttribute("/", name)) {
      throw ConfigError("model.optimum = " + path + ": the file does not say which problem it " +
                        "solved (no '" + name +
                        "' attribute, an older memsgd-optimum); recompute it with memsgd-optimum");
    }
    const AttributeValue stored = reader.readAttribute("/", name);
    if (stored != value) {
      differences += (differences.empty() ? "" : ", ") + name + " is " + describe(stored) +
                     " in the file and " + describe(value) + " in this run";
    }
  }
  if (!differences.empty()) {
    throw ConfigError("model.optimum = " + path + ": f* of another problem (" + differences +
                      "); recompute it with memsgd-optimum for this data and model");
  }
}

// /f_star: one finite value.
double readFStar(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw IoError(path + ": the optimum file is missing (write it with memsgd-optimum)");
  }
  detail::silenceHdf5Errors();
  const Hdf5Handle access = detail::runFileAccess(path);
  const Hdf5Handle file(
      MEMSGD_HDF5_CHECK(H5Fopen(path.c_str(), H5F_ACC_RDONLY, access.get()), path, ""));
  if (MEMSGD_HDF5_CHECK(H5Lexists(file.get(), "f_star", H5P_DEFAULT), path, "/f_star") <= 0) {
    throw IoError(path + ": has no /f_star dataset (not a file written by memsgd-optimum)");
  }
  const Hdf5Handle dataset(
      MEMSGD_HDF5_CHECK(H5Dopen2(file.get(), "/f_star", H5P_DEFAULT), path, "/f_star"));
  const Hdf5Handle space(MEMSGD_HDF5_CHECK(H5Dget_space(dataset.get()), path, "/f_star"));
  const hssize_t points =
      MEMSGD_HDF5_CHECK(H5Sget_simple_extent_npoints(space.get()), path, "/f_star");
  const Hdf5Handle type(MEMSGD_HDF5_CHECK(H5Dget_type(dataset.get()), path, "/f_star"));
  if (points != 1 || MEMSGD_HDF5_CHECK(H5Tget_class(type.get()), path, "/f_star") != H5T_FLOAT) {
    throw IoError(path + ", /f_star: expected one floating-point value");
  }
  double value = 0.0;
  MEMSGD_HDF5_CHECK(
      H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value), path,
      "/f_star");
  if (!std::isfinite(value)) {
    throw IoError(path + ", /f_star: is not a finite number");
  }
  return value;
}

}  // namespace

void writeOptimumFile(const std::string& path, const OptimumResult& result,
                      const OptimumIdentity& identity,
                      const std::vector<std::pair<std::string, AttributeValue>>& attributes,
                      bool overwrite) {
  const Hdf5Handle handle = detail::createOutputFile(path, overwrite);
  const hid_t id = handle.get();
  detail::writeDataset(id, path, "/x_star", H5T_NATIVE_DOUBLE,
                       {static_cast<hsize_t>(result.x.size())}, result.x.data());
  detail::writeDataset(id, path, "/f_star", H5T_NATIVE_DOUBLE, {1}, &result.value);
  detail::writeDataset(id, path, "/gradient_norm", H5T_NATIVE_DOUBLE, {1}, &result.gradientNorm);
  const std::int64_t iterations = result.iterations;
  const std::int64_t newtonSteps = result.newtonSteps;
  detail::writeDataset(id, path, "/iterations", H5T_NATIVE_INT64, {1}, &iterations);
  detail::writeDataset(id, path, "/newton_steps", H5T_NATIVE_INT64, {1}, &newtonSteps);
  for (const auto& [name, value] : identityAttributes(identity)) {
    detail::writeAttribute(id, name, value, path);
  }
  for (const auto& [name, value] : attributes) {
    detail::writeAttribute(id, name, value, path);
  }
  MEMSGD_HDF5_CHECK(H5Fflush(id, H5F_SCOPE_GLOBAL), path, "");
}

double readOptimumValue(const std::string& path, const OptimumIdentity& expected) {
  const double value = readFStar(path);
  checkIdentity(path, expected);
  return value;
}

}  // namespace memsgd
