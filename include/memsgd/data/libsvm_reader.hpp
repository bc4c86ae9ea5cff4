#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "memsgd/data/row_partition.hpp"

namespace memsgd {

// Rows of a LIBSVM file in compressed-row form, as read from disk (before normalisation).
struct LibsvmRows {
  std::vector<std::int64_t> rowOffsets{0};  // rows() + 1 entries into indices/values
  std::vector<std::int32_t> indices;        // 0-based feature indices, ascending within a row
  std::vector<double> values;               // explicit zeros are dropped
  // As written (any finite number, -0 read as 0) until binary_labels.hpp maps them to -1/+1.
  std::vector<double> labels;
  std::map<double, std::uint64_t> labelCounts;  // each distinct label and how many rows carry it
  std::map<double, std::uint64_t> labelLines;   // each distinct label and the line it first is on
  std::uint64_t maxIndex = 0;      // largest 1-based index seen, explicit zeros included; 0 if none
  std::uint64_t maxIndexLine = 0;  // the line where maxIndex first appears; 0 if none
  [[nodiscard]] std::uint64_t rows() const { return labels.size(); }
};

// Where a bound on the feature indices comes from, which decides how a wider row is refused.
enum class DimSource { kDataDim, kTrainingSet };
struct DimLimit {
  std::uint64_t dim = 0;  // 0: no bound
  DimSource source = DimSource::kDataDim;
};

// Number of data rows (lines that are neither blank nor only a "#" comment) of a LIBSVM file.
// gzip and bzip2 files, told by their first bytes whatever their name, are decompressed on the fly.
std::uint64_t countLibsvmRows(const std::string& path);

// Parses the data rows in `range` (row numbers as countLibsvmRows counts them). Lines outside the
// range are skipped without parsing, and reading stops after range.end; a range that runs past the
// last row yields the rows that exist, so {0, UINT64_MAX} reads a whole file in one pass. A UTF-8
// byte-order mark, svmlight "# comment" tails and a "qid:N" token after the label are ignored.
// `limit` rejects indices above limit.dim > 0. Throws DataError with file:line for a malformed row
// (tokens quoted with non-printable bytes as \xNN), and DataError naming the file when it cannot be
// read.
LibsvmRows readLibsvmRows(const std::string& path, RowRange range, DimLimit limit = {});

}  // namespace memsgd
