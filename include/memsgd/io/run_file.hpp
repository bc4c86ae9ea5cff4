#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "memsgd/io/hdf5_handle.hpp"

namespace memsgd {

using AttributeValue = std::variant<std::string, double, std::int64_t>;

// One evaluation row of a run. Every row of a file must carry the same column names.
struct MetricsRow {
  std::vector<std::pair<std::string, double>> reals;           // -> /metrics/<name>, float64
  std::vector<std::pair<std::string, std::int64_t>> integers;   // -> /metrics/<name>, int64
  std::vector<std::pair<std::string, std::vector<std::int64_t>>> perRank;  // -> /ranks/<name>, [row x P]
};

// The HDF5 file of one run (written by rank 0 only): /config attributes, then one row per
// evaluation appended to 1-D extendible chunked datasets, flushed after every row so that a run
// killed at any moment leaves a readable file.
class RunFile {
 public:
  // Creates `path` and its missing parent directories. Throws IoError when the file exists and
  // `overwrite` is false, or when it cannot be created.
  static RunFile create(const std::string& path, bool overwrite);

  // Stores each pair as an attribute of the group /config.
  void writeConfig(const std::vector<std::pair<std::string, AttributeValue>>& attributes);
  // Appends one row and flushes the file. Throws IoError if the columns differ from the first row's.
  void appendRow(const MetricsRow& row);

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::uint64_t rows() const { return rows_; }

 private:
  RunFile(std::string path, Hdf5Handle file);
  std::string path_;
  Hdf5Handle file_;
  std::uint64_t rows_ = 0;
  std::vector<std::string> columnNames_;
};

}  // namespace memsgd
