#include "memsgd/io/run_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "memsgd/core/error.hpp"

namespace memsgd {
namespace {

using detail::RunFileColumn;

constexpr char kConfigGroup[] = "/config";
constexpr char kMetricsGroup[] = "/metrics";
constexpr char kRanksGroup[] = "/ranks";
constexpr char kTraceGroup[] = "/trace";
constexpr hsize_t kTraceChunkRows = 4096;
constexpr unsigned kTraceDeflateLevel = 4;
// Rows per chunk: an evaluation row is a few bytes per column, so a chunk holds many rows and a
// run of a few thousand evaluations needs only a handful of chunks per column.
constexpr hsize_t kChunkRows = 256;

// How one value of a row is stored: its memory type, the rank of its dataset and its row width.
struct RowValue {
  hid_t type;
  int rank;
  hsize_t width;
  const void* data;
};

RowValue rowValue(const double& value) { return {H5T_NATIVE_DOUBLE, 1, 1, &value}; }
RowValue rowValue(const std::int64_t& value) { return {H5T_NATIVE_INT64, 1, 1, &value}; }
RowValue rowValue(const std::vector<std::int64_t>& values) {
  return {H5T_NATIVE_INT64, 2, values.size(), values.data()};
}
RowValue rowValue(const std::vector<double>& values) {
  return {H5T_NATIVE_DOUBLE, 2, values.size(), values.data()};
}

template <typename Value>
using Columns = std::vector<std::pair<std::string, Value>>;

Hdf5Handle openOrCreateGroup(hid_t file, const char* group, const std::string& path) {
  if (MEMSGD_HDF5_CHECK(H5Lexists(file, group, H5P_DEFAULT), path, group) > 0) {
    return Hdf5Handle(MEMSGD_HDF5_CHECK(H5Gopen2(file, group, H5P_DEFAULT), path, group));
  }
  return Hdf5Handle(MEMSGD_HDF5_CHECK(
      H5Gcreate2(file, group, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), path, group));
}

// The dataset of one column: the existing one of a reopened file (its width checked), or a new,
// empty one of `value`'s type and width that grows by appends; trace columns are compressed.
RunFileColumn openColumn(hid_t group, const char* groupName, const std::string& name,
                         const RowValue& value, const std::string& path) {
  RunFileColumn column{name, std::string(groupName) + "/" + name, {}, value.rank, value.width};
  const bool trace = std::string_view(groupName) == kTraceGroup;
  const std::string& object = column.datasetPath;
  if (value.width == 0) {
    throw IoError(path + ", " + object + ": a per-rank column needs at least one value");
  }
  if (MEMSGD_HDF5_CHECK(H5Lexists(group, name.c_str(), H5P_DEFAULT), path, object) > 0) {
    column.dataset =
        Hdf5Handle(MEMSGD_HDF5_CHECK(H5Dopen2(group, name.c_str(), H5P_DEFAULT), path, object));
    const Hdf5Handle space(MEMSGD_HDF5_CHECK(H5Dget_space(column.dataset.get()), path, object));
    std::array<hsize_t, 2> dims{0, 1};
    if (H5Sget_simple_extent_ndims(space.get()) != value.rank ||
        MEMSGD_HDF5_CHECK(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), path,
                          object) < 0 ||
        (value.rank == 2 && dims[1] != value.width)) {
      throw IoError(path + ", " + object + ": the existing column has another shape");
    }
    return column;
  }
  const std::array<hsize_t, 2> dims{0, value.width};
  const std::array<hsize_t, 2> maxDims{H5S_UNLIMITED, value.width};
  const std::array<hsize_t, 2> chunk{trace ? kTraceChunkRows : kChunkRows, value.width};
  const Hdf5Handle space(
      MEMSGD_HDF5_CHECK(H5Screate_simple(value.rank, dims.data(), maxDims.data()), path, object));
  const Hdf5Handle properties(MEMSGD_HDF5_CHECK(H5Pcreate(H5P_DATASET_CREATE), path, object));
  MEMSGD_HDF5_CHECK(H5Pset_chunk(properties.get(), value.rank, chunk.data()), path, object);
  if (trace) {
    MEMSGD_HDF5_CHECK(H5Pset_deflate(properties.get(), kTraceDeflateLevel), path, object);
  }
  column.dataset =
      Hdf5Handle(MEMSGD_HDF5_CHECK(H5Dcreate2(group, name.c_str(), value.type, space.get(),
                                              H5P_DEFAULT, properties.get(), H5P_DEFAULT),
                                   path, object));
  return column;
}

template <typename Value>
std::vector<RunFileColumn> openColumns(hid_t file, const char* groupName, const Columns<Value>& row,
                                       const std::string& path) {
  std::vector<RunFileColumn> columns;
  if (row.empty()) {
    return columns;
  }
  const Hdf5Handle group = openOrCreateGroup(file, groupName, path);
  for (const auto& [name, value] : row) {
    columns.push_back(openColumn(group.get(), groupName, name, rowValue(value), path));
  }
  return columns;
}

// Throws unless `row` has the names, order and widths of the first row's `columns`.
template <typename Value>
void checkColumns(const std::vector<RunFileColumn>& columns, const char* groupName,
                  const Columns<Value>& row, const std::string& path) {
  for (std::size_t i = 0; i < std::max(columns.size(), row.size()); ++i) {
    if (i >= row.size()) {
      throw IoError(path + ": the row lacks column " + columns[i].datasetPath +
                    " of the first row");
    }
    const std::string& name = row[i].first;
    if (i >= columns.size()) {
      throw IoError(path + ": column " + groupName + "/" + name + " is not in the first row");
    }
    if (name != columns[i].name) {
      throw IoError(path + ": column " + groupName + "/" + name + " is where the first row had " +
                    columns[i].datasetPath);
    }
    const hsize_t width = rowValue(row[i].second).width;
    if (width != columns[i].width) {
      throw IoError(path + ": column " + columns[i].datasetPath + " has " + std::to_string(width) +
                    " values, the first row had " + std::to_string(columns[i].width));
    }
  }
}

// Sets `column` to `row` + `rows` rows and writes `value` (that many rows) into the last ones.
void appendTo(const RunFileColumn& column, hsize_t row, const RowValue& value,
              const std::string& path, hsize_t rows = 1) {
  const std::string& object = column.datasetPath;
  const std::array<hsize_t, 2> dims{row + rows, column.width};
  const std::array<hsize_t, 2> start{row, 0};
  const std::array<hsize_t, 2> count{rows, column.width};
  const Hdf5Handle memorySpace(
      MEMSGD_HDF5_CHECK(H5Screate_simple(column.rank, count.data(), nullptr), path, object));
  MEMSGD_HDF5_CHECK(H5Dset_extent(column.dataset.get(), dims.data()), path, object);
  const Hdf5Handle fileSpace(MEMSGD_HDF5_CHECK(H5Dget_space(column.dataset.get()), path, object));
  MEMSGD_HDF5_CHECK(H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, start.data(), nullptr,
                                        count.data(), nullptr),
                    path, object);
  MEMSGD_HDF5_CHECK(H5Dwrite(column.dataset.get(), value.type, memorySpace.get(), fileSpace.get(),
                             H5P_DEFAULT, value.data),
                    path, object);
}

template <typename Value>
void appendTo(const std::vector<RunFileColumn>& columns, hsize_t row, const Columns<Value>& values,
              const std::string& path) {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    appendTo(columns[i], row, rowValue(values[i].second), path);
  }
}

}  // namespace

void detail::writeAttribute(hid_t object, const std::string& name, const AttributeValue& value,
                            const std::string& path) {
  const std::string what = "attribute '" + name + "'";
  if (MEMSGD_HDF5_CHECK(H5Aexists(object, name.c_str()), path, what) > 0) {
    MEMSGD_HDF5_CHECK(H5Adelete(object, name.c_str()), path, what);
  }
  const Hdf5Handle space(MEMSGD_HDF5_CHECK(H5Screate(H5S_SCALAR), path, what));
  const auto write = [&](hid_t type, const void* data) {
    const Hdf5Handle attribute(MEMSGD_HDF5_CHECK(
        H5Acreate2(object, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT), path, what));
    MEMSGD_HDF5_CHECK(H5Awrite(attribute.get(), type, data), path, what);
  };
  if (const auto* text = std::get_if<std::string>(&value)) {
    const Hdf5Handle type(MEMSGD_HDF5_CHECK(H5Tcopy(H5T_C_S1), path, what));
    MEMSGD_HDF5_CHECK(H5Tset_size(type.get(), H5T_VARIABLE), path, what);
    MEMSGD_HDF5_CHECK(H5Tset_cset(type.get(), H5T_CSET_UTF8), path, what);
    const char* data = text->c_str();
    write(type.get(), static_cast<const void*>(&data));
  } else if (const auto* real = std::get_if<double>(&value)) {
    write(H5T_NATIVE_DOUBLE, real);
  } else {
    write(H5T_NATIVE_INT64, &std::get<std::int64_t>(value));
  }
}

void detail::writeDataset(hid_t file, const std::string& path, const std::string& name, hid_t type,
                          const std::vector<hsize_t>& dims, const void* data) {
  const Hdf5Handle space(MEMSGD_HDF5_CHECK(
      H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), path, name));
  const Hdf5Handle dataset(MEMSGD_HDF5_CHECK(
      H5Dcreate2(file, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      path, name));
  MEMSGD_HDF5_CHECK(H5Dwrite(dataset.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), path, name);
}

Hdf5Handle detail::runFileAccess(const std::string& path) {
  Hdf5Handle access(MEMSGD_HDF5_CHECK(H5Pcreate(H5P_FILE_ACCESS), path, ""));
  // Low bound 1.8, not "latest": the 1.10 superblock (v3) marks the file as open for writing, and
  // a file left so by a killed run refuses to open until `h5clear -s`. The 1.8 format still gives
  // checksummed metadata and dense attribute storage for large configurations.
  MEMSGD_HDF5_CHECK(H5Pset_libver_bounds(access.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST), path,
                    "");
  // Without a lock held by the writer, h5py and h5dump can read a run while it is going on (they
  // see the state of the last flush); rank 0 is the only writer of a run file.
  MEMSGD_HDF5_CHECK(H5Pset_file_locking(access.get(), false, true), path, "");
  return access;
}

RunFile::RunFile(std::string path, Hdf5Handle file)
    : path_(std::move(path)), file_(std::move(file)) {}

void requireReplaceable(const std::string& path, bool overwrite) {
  std::error_code ignored;
  if (!overwrite && std::filesystem::exists(path, ignored)) {
    throw IoError(path + " exists; set log.overwrite = true to replace it");
  }
}

Hdf5Handle detail::createOutputFile(const std::string& path, bool overwrite) {
  const std::filesystem::path file(path);
  requireReplaceable(path, overwrite);
  if (file.has_parent_path()) {
    std::error_code error;
    std::filesystem::create_directories(file.parent_path(), error);
    if (error) {
      throw IoError(path + ": cannot create directory " + file.parent_path().string() + ": " +
                    error.message());
    }
  }
  // HDF5 reports a file it cannot create with its call and source line, not the system's reason:
  // opening the file ourselves first names that (H5Fcreate truncates it anyway).
  const int descriptor = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
  if (descriptor < 0) {
    throw IoError(path + ": cannot write the file: " + std::strerror(errno));
  }
  ::close(descriptor);
  detail::silenceHdf5Errors();
  const Hdf5Handle access = detail::runFileAccess(path);
  return Hdf5Handle(MEMSGD_HDF5_CHECK(
      H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get()), path, ""));
}

RunFile RunFile::create(const std::string& path, bool overwrite) {
  return {path, detail::createOutputFile(path, overwrite)};
}

void RunFile::writeConfig(const std::vector<std::pair<std::string, AttributeValue>>& attributes) {
  const Hdf5Handle group = openOrCreateGroup(file_.get(), kConfigGroup, path_);
  for (const auto& attribute : attributes) {
    detail::writeAttribute(group.get(), attribute.first, attribute.second, path_);
  }
  MEMSGD_HDF5_CHECK(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), path_, "");
}

RunFile RunFile::reopen(const std::string& path, std::uint64_t keepRows,
                        std::uint64_t keepTraceRows) {
  if (!std::filesystem::is_regular_file(path)) {
    throw IoError(path +
                  ": the run file to continue is missing (log.output must name the run "
                  "file of the checkpointed run)");
  }
  detail::silenceHdf5Errors();
  const Hdf5Handle access = detail::runFileAccess(path);
  Hdf5Handle handle(MEMSGD_HDF5_CHECK(H5Fopen(path.c_str(), H5F_ACC_RDWR, access.get()), path, ""));
  if (MEMSGD_HDF5_CHECK(H5Aexists(handle.get(), detail::kCompleteAttribute), path, "") > 0) {
    MEMSGD_HDF5_CHECK(H5Adelete(handle.get(), detail::kCompleteAttribute), path, "");
  }
  RunFile file(path, std::move(handle));
  file.rows_ = keepRows;
  file.traceRows_ = keepTraceRows;
  return file;
}

void RunFile::appendRow(const MetricsRow& row) {
  if (!columnsOpen_) {
    reals_ = openColumns(file_.get(), kMetricsGroup, row.reals, path_);
    integers_ = openColumns(file_.get(), kMetricsGroup, row.integers, path_);
    perRank_ = openColumns(file_.get(), kRanksGroup, row.perRank, path_);
    perRankReals_ = openColumns(file_.get(), kRanksGroup, row.perRankReals, path_);
    columnsOpen_ = true;
  } else {
    // Checked before anything is written, so that a rejected row leaves the file as it was.
    checkColumns(reals_, kMetricsGroup, row.reals, path_);
    checkColumns(integers_, kMetricsGroup, row.integers, path_);
    checkColumns(perRank_, kRanksGroup, row.perRank, path_);
    checkColumns(perRankReals_, kRanksGroup, row.perRankReals, path_);
  }
  appendTo(reals_, rows_, row.reals, path_);
  appendTo(integers_, rows_, row.integers, path_);
  appendTo(perRank_, rows_, row.perRank, path_);
  appendTo(perRankReals_, rows_, row.perRankReals, path_);
  MEMSGD_HDF5_CHECK(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), path_, "");
  ++rows_;
}

void RunFile::markComplete() {
  detail::writeAttribute(file_.get(), detail::kCompleteAttribute, std::int64_t{1}, path_);
  MEMSGD_HDF5_CHECK(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), path_, "");
}

void RunFile::appendTrace(const TraceBlock& block) {
  const hsize_t rows = block.steps.size();
  if (rows == 0) {
    return;
  }
  std::vector<std::pair<std::string, RowValue>> values{
      {"step", RowValue{H5T_NATIVE_INT64, 1, 1, block.steps.data()}}};
  for (const auto& [name, data] : block.perRank) {
    if (data.empty() || data.size() % rows != 0) {
      throw IoError(path_ + ": trace column " + name + " has " + std::to_string(data.size()) +
                    " values, not a whole number of its " + std::to_string(rows) + " rows");
    }
    values.emplace_back(name, RowValue{H5T_NATIVE_INT64, 2, data.size() / rows, data.data()});
  }
  if (trace_.empty()) {
    const Hdf5Handle group = openOrCreateGroup(file_.get(), kTraceGroup, path_);
    for (const auto& [name, value] : values) {
      trace_.push_back(openColumn(group.get(), kTraceGroup, name, value, path_));
    }
  }
  for (std::size_t i = 0; i < std::max(trace_.size(), values.size()); ++i) {
    if (i >= trace_.size() || i >= values.size() || trace_[i].name != values[i].first ||
        trace_[i].width != values[i].second.width) {
      throw IoError(path_ + ": a trace block differs in its columns from the first block");
    }
  }
  for (std::size_t i = 0; i < trace_.size(); ++i) {
    appendTo(trace_[i], traceRows_, values[i].second, path_, rows);
  }
  traceRows_ += rows;
}

}  // namespace memsgd
