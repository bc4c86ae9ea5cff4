#include "memsgd/io/optimum_file.hpp"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <system_error>

#include "memsgd/error.hpp"

namespace memsgd {
namespace {

void writeDataset(hid_t file, const std::string& path, const std::string& name, hid_t type,
                  hsize_t size, const void* values) {
  const Hdf5Handle space(MEMSGD_HDF5_CHECK(H5Screate_simple(1, &size, nullptr), path, name));
  const Hdf5Handle dataset(MEMSGD_HDF5_CHECK(
      H5Dcreate2(file, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      path, name));
  MEMSGD_HDF5_CHECK(H5Dwrite(dataset.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), path,
                    name);
}

void writeAttribute(hid_t file, const std::string& path, const std::string& name,
                    const AttributeValue& value) {
  const Hdf5Handle space(MEMSGD_HDF5_CHECK(H5Screate(H5S_SCALAR), path, name));
  const auto write = [&](hid_t type, const void* data) {
    const Hdf5Handle attribute(MEMSGD_HDF5_CHECK(
        H5Acreate2(file, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT), path, name));
    MEMSGD_HDF5_CHECK(H5Awrite(attribute.get(), type, data), path, name);
  };
  if (const auto* text = std::get_if<std::string>(&value)) {
    const Hdf5Handle type(MEMSGD_HDF5_CHECK(H5Tcopy(H5T_C_S1), path, name));
    MEMSGD_HDF5_CHECK(H5Tset_size(type.get(), H5T_VARIABLE), path, name);
    MEMSGD_HDF5_CHECK(H5Tset_cset(type.get(), H5T_CSET_UTF8), path, name);
    const char* data = text->c_str();
    write(type.get(), static_cast<const void*>(&data));
  } else if (const auto* real = std::get_if<double>(&value)) {
    write(H5T_NATIVE_DOUBLE, real);
  } else {
    write(H5T_NATIVE_INT64, &std::get<std::int64_t>(value));
  }
}

}  // namespace

void writeOptimumFile(const std::string& path, const OptimumResult& result,
                      const std::vector<std::pair<std::string, AttributeValue>>& attributes,
                      bool overwrite) {
  const Hdf5Handle handle = detail::createOutputFile(path, overwrite);
  const hid_t id = handle.get();
  writeDataset(id, path, "/x_star", H5T_NATIVE_DOUBLE, static_cast<hsize_t>(result.x.size()),
               result.x.data());
  writeDataset(id, path, "/f_star", H5T_NATIVE_DOUBLE, 1, &result.value);
  writeDataset(id, path, "/gradient_norm", H5T_NATIVE_DOUBLE, 1, &result.gradientNorm);
  const std::int64_t iterations = result.iterations;
  const std::int64_t newtonSteps = result.newtonSteps;
  writeDataset(id, path, "/iterations", H5T_NATIVE_INT64, 1, &iterations);
  writeDataset(id, path, "/newton_steps", H5T_NATIVE_INT64, 1, &newtonSteps);
  for (const auto& [name, value] : attributes) {
    writeAttribute(id, path, name, value);
  }
  MEMSGD_HDF5_CHECK(H5Fflush(id, H5F_SCOPE_GLOBAL), path, "");
}

double readOptimumValue(const std::string& path) {
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

}  // namespace memsgd
