#include "memsgd/io/run_file_reader.hpp"

#include <algorithm>
#include <array>
#include <memory>

#include "memsgd/core/error.hpp"

namespace memsgd {
namespace {

constexpr char kConfigGroup[] = "/config";

// A dataset opened for reading, with its dimensions.
struct OpenDataset {
  Hdf5Handle dataset;
  std::array<hsize_t, 2> dims{};
};

// Opens `name`, checking that it has `rank` dimensions and holds integers (or, unless
// `integersOnly`, floating-point numbers), which HDF5 converts on reading.
OpenDataset openDataset(hid_t file, const std::string& path, const std::string& name, int rank,
                        bool integersOnly) {
  OpenDataset opened{
      Hdf5Handle(MEMSGD_HDF5_CHECK(H5Dopen2(file, name.c_str(), H5P_DEFAULT), path, name))};
  const Hdf5Handle space(MEMSGD_HDF5_CHECK(H5Dget_space(opened.dataset.get()), path, name));
  const int actualRank = MEMSGD_HDF5_CHECK(H5Sget_simple_extent_ndims(space.get()), path, name);
  if (actualRank != rank) {
    throw IoError(path + ", " + name + ": has " + std::to_string(actualRank) +
                  " dimensions, expected " + std::to_string(rank));
  }
  MEMSGD_HDF5_CHECK(H5Sget_simple_extent_dims(space.get(), opened.dims.data(), nullptr), path,
                    name);
  const Hdf5Handle type(MEMSGD_HDF5_CHECK(H5Dget_type(opened.dataset.get()), path, name));
  const H5T_class_t typeClass = MEMSGD_HDF5_CHECK(H5Tget_class(type.get()), path, name);
  if (typeClass != H5T_INTEGER && (integersOnly || typeClass != H5T_FLOAT)) {
    throw IoError(path + ", " + name + ": holds " +
                  (integersOnly ? "non-integer values" : "non-numeric values"));
  }
  return opened;
}

std::string readStringAttribute(hid_t attribute, hid_t type, const std::string& path,
                                const std::string& object) {
  // Reading with the attribute's own type avoids any character-set conversion.
  if (MEMSGD_HDF5_CHECK(H5Tis_variable_str(type), path, object) > 0) {
    char* text = nullptr;
    MEMSGD_HDF5_CHECK(H5Aread(attribute, type, &text), path, object);
    const std::unique_ptr<char, herr_t (*)(void*)> owned(text, H5free_memory);
    return text == nullptr ? std::string() : std::string(text);
  }
  std::string text(H5Tget_size(type), '\0');
  MEMSGD_HDF5_CHECK(H5Aread(attribute, type, text.data()), path, object);
  // Fixed-length strings are padded with NULs up to their size.
  text.resize(std::min(text.find('\0'), text.size()));
  return text;
}

}  // namespace

RunFileReader::RunFileReader(const std::string& path) : path_(path) {
  detail::silenceHdf5Errors();
  const Hdf5Handle access = detail::runFileAccess(path);
  file_ =
      Hdf5Handle(MEMSGD_HDF5_CHECK(H5Fopen(path.c_str(), H5F_ACC_RDONLY, access.get()), path, ""));
}

std::vector<double> RunFileReader::readColumn(const std::string& dataset) const {
  const OpenDataset opened = openDataset(file_.get(), path_, dataset, 1, false);
  std::vector<double> values(opened.dims[0]);
  // HDF5 rejects a null buffer, which is what an empty vector may give.
  if (!values.empty()) {
    MEMSGD_HDF5_CHECK(H5Dread(opened.dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL,
                              H5P_DEFAULT, values.data()),
                      path_, dataset);
  }
  return values;
}

std::vector<std::vector<std::int64_t>> RunFileReader::readMatrix(const std::string& dataset) const {
  const OpenDataset opened = openDataset(file_.get(), path_, dataset, 2, true);
  const auto [rows, columns] = opened.dims;
  std::vector<std::int64_t> values(rows * columns);
  if (!values.empty()) {
    MEMSGD_HDF5_CHECK(H5Dread(opened.dataset.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                              values.data()),
                      path_, dataset);
  }
  std::vector<std::vector<std::int64_t>> matrix;
  matrix.reserve(rows);
  for (hsize_t row = 0; row < rows; ++row) {
    const auto first = values.begin() + static_cast<std::ptrdiff_t>(row * columns);
    matrix.emplace_back(first, first + static_cast<std::ptrdiff_t>(columns));
  }
  return matrix;
}

AttributeValue RunFileReader::readConfigAttribute(const std::string& name) const {
  return readAttribute(kConfigGroup, name);
}

bool RunFileReader::hasAttribute(const std::string& owner, const std::string& name) const {
  return MEMSGD_HDF5_CHECK(H5Aexists_by_name(file_.get(), owner.c_str(), name.c_str(), H5P_DEFAULT),
                           path_, owner + " attribute '" + name + "'") > 0;
}

AttributeValue RunFileReader::readAttribute(const std::string& owner,
                                            const std::string& name) const {
  const std::string object = owner + " attribute '" + name + "'";
  const Hdf5Handle attribute(MEMSGD_HDF5_CHECK(
      H5Aopen_by_name(file_.get(), owner.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), path_,
      object));
  const Hdf5Handle space(MEMSGD_HDF5_CHECK(H5Aget_space(attribute.get()), path_, object));
  if (MEMSGD_HDF5_CHECK(H5Sget_simple_extent_npoints(space.get()), path_, object) != 1) {
    throw IoError(path_ + ", " + object + ": is not a single value");
  }
  const Hdf5Handle type(MEMSGD_HDF5_CHECK(H5Aget_type(attribute.get()), path_, object));
  switch (MEMSGD_HDF5_CHECK(H5Tget_class(type.get()), path_, object)) {
    case H5T_STRING:
      return readStringAttribute(attribute.get(), type.get(), path_, object);
    case H5T_FLOAT: {
      double value = 0;
      MEMSGD_HDF5_CHECK(H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &value), path_, object);
      return value;
    }
    case H5T_INTEGER: {
      std::int64_t value = 0;
      MEMSGD_HDF5_CHECK(H5Aread(attribute.get(), H5T_NATIVE_INT64, &value), path_, object);
      return value;
    }
    default:
      throw IoError(path_ + ", " + object + ": is neither a string nor a number");
  }
}

bool RunFileReader::isComplete() const {
  return MEMSGD_HDF5_CHECK(H5Aexists(file_.get(), detail::kCompleteAttribute), path_,
                           detail::kCompleteAttribute) > 0;
}

bool RunFileReader::hasDataset(const std::string& dataset) const {
  // H5Lexists fails, rather than answering false, when a group on the way is missing, so every
  // prefix of the path is checked in turn.
  for (std::size_t slash = dataset.find('/', 1);; slash = dataset.find('/', slash + 1)) {
    const std::string prefix = dataset.substr(0, slash);
    if (MEMSGD_HDF5_CHECK(H5Lexists(file_.get(), prefix.c_str(), H5P_DEFAULT), path_, prefix) <=
        0) {
      return false;
    }
    if (slash == std::string::npos) {
      break;
    }
  }
  // A dangling soft link exists as a link but not as an object.
  if (MEMSGD_HDF5_CHECK(H5Oexists_by_name(file_.get(), dataset.c_str(), H5P_DEFAULT), path_,
                        dataset) <= 0) {
    return false;
  }
  const Hdf5Handle object(
      MEMSGD_HDF5_CHECK(H5Oopen(file_.get(), dataset.c_str(), H5P_DEFAULT), path_, dataset));
  return H5Iget_type(object.get()) == H5I_DATASET;
}

}  // namespace memsgd
