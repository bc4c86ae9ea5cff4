#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "memsgd/util/hdf5_handle.hpp"

namespace memsgd {

namespace detail {
// Root attribute of a run file whose run finished.
inline constexpr char kCompleteAttribute[] = "complete";

// An extendible dataset of a run file, kept open so that appending a row does not re-open it.
struct RunFileColumn {
  std::string name;         // the row's column name, e.g. "train_loss"
  std::string datasetPath;  // e.g. "/metrics/train_loss"
  Hdf5Handle dataset;
  int rank = 1;       // 1 for /metrics columns, 2 for [rows x P] /ranks columns
  hsize_t width = 1;  // P of a /ranks column
};

// The file access properties of run files, for writing and reading alike: HDF5 refuses to open a
// file a second time in one process with other locking properties.
Hdf5Handle runFileAccess(const std::string& path);
// Creates an HDF5 output file with those properties and any missing parent directories. Throws
// IoError when it exists and `overwrite` is false ("set log.overwrite = true"), or naming the
// path and the system's reason when it cannot be written.
Hdf5Handle createOutputFile(const std::string& path, bool overwrite);
}  // namespace detail

using AttributeValue = std::variant<std::string, double, std::int64_t>;

namespace detail {
// Sets the scalar attribute `name` of `object` (replacing one of that name); strings are stored
// as variable-length UTF-8, which h5py reads as str.
void writeAttribute(hid_t object, const std::string& name, const AttributeValue& value,
                    const std::string& path);
// Creates dataset `name` of shape `dims` in `file` and writes `data` (of HDF5 type `type`) to it.
void writeDataset(hid_t file, const std::string& path, const std::string& name, hid_t type,
                  const std::vector<hsize_t>& dims, const void* data);
}  // namespace detail

// Throws IoError "<path> exists; set log.overwrite = true to replace it" when `path` exists and
// `overwrite` is false: the one rule for every output file of a run.
void requireReplaceable(const std::string& path, bool overwrite);

// Rows of the optional per-step trace: one row per step, values of every rank.
struct TraceBlock {
  std::vector<std::int64_t> steps;  // -> /trace/step
  std::vector<std::pair<std::string, std::vector<std::int64_t>>>
      perRank;  // -> /trace/<name>, [rows x P], row-major
};

// One evaluation row of a run. Every row of a file must carry the same column names.
struct MetricsRow {
  std::vector<std::pair<std::string, double>> reals;           // -> /metrics/<name>, float64
  std::vector<std::pair<std::string, std::int64_t>> integers;  // -> /metrics/<name>, int64
  std::vector<std::pair<std::string, std::vector<std::int64_t>>>
      perRank;  // -> /ranks/<name>, [row x P]
  std::vector<std::pair<std::string, std::vector<double>>>
      perRankReals;  // -> /ranks/<name>, [row x P], float64
};

// The HDF5 file of one run (written by rank 0 only): /config attributes, then one row per
// evaluation appended to 1-D extendible chunked datasets, flushed after every row so that a run
// killed at any moment leaves a readable file.
class RunFile {
 public:
  // Creates `path` and its missing parent directories. Throws IoError when the file exists and
  // `overwrite` is false, or when it cannot be created.
  static RunFile create(const std::string& path, bool overwrite);
  // Opens the run file of an interrupted run to continue it after its first `keepRows` rows: the
  // next row is written as row `keepRows`, and every column is cut to that length.
  // The per-step trace, if any, is cut to `keepTraceRows`.
  static RunFile reopen(const std::string& path, std::uint64_t keepRows,
                        std::uint64_t keepTraceRows = 0);

  // Stores each pair as an attribute of the group /config.
  void writeConfig(const std::vector<std::pair<std::string, AttributeValue>>& attributes);
  // Appends one row and flushes the file. Throws IoError if the columns differ from the first
  // row's.
  void appendRow(const MetricsRow& row);
  // Appends the block's rows to the chunked, compressed /trace datasets (flushed with the next
  // row). Every block must carry the same columns.
  void appendTrace(const TraceBlock& block);
  // Sets the root attribute `complete` (= 1) that tells a finished run from an interrupted one
  // (sweeps skip complete runs); reopen() removes it until the resumed run finishes.
  void markComplete();

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::uint64_t rows() const { return rows_; }

 private:
  RunFile(std::string path, Hdf5Handle file);

  std::string path_;
  Hdf5Handle file_;
  std::uint64_t rows_ = 0;
  bool columnsOpen_ = false;
  // Opened by the first row appended, in its order; declared after file_ so they are closed before
  // it.
  std::vector<detail::RunFileColumn> reals_;
  std::vector<detail::RunFileColumn> integers_;
  std::vector<detail::RunFileColumn> perRank_;
  std::vector<detail::RunFileColumn> perRankReals_;
  std::uint64_t traceRows_ = 0;
  std::vector<detail::RunFileColumn> trace_;  // /trace/step, then the per-rank columns
};

}  // namespace memsgd
