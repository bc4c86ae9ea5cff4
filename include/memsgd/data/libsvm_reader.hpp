#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "memsgd/data/row_partition.hpp"

namespace memsgd {

// Rows of a LIBSVM file in compressed-row form, as read from disk (before normalisation).
struct LibsvmRows {
  std::vector<std::int64_t> rowOffsets{0};  // rows() + 1 entries into indices/values
  std::vector<std::int32_t> indices;        // 0-based feature indices, ascending within a row
  std::vector<double> values;               // explicit zeros are dropped
  std::vector<double> labels;               // always -1 or +1
  std::uint64_t maxIndex = 0;  // largest 1-based index seen, explicit zeros included; 0 if none
  [[nodiscard]] std::uint64_t rows() const { return labels.size(); }
};

// Number of data rows (non-blank lines) of a LIBSVM file; `.bz2` files are decompressed on the fly.
std::uint64_t countLibsvmRows(const std::string& path);

// Parses the data rows in `range` (row numbers as countLibsvmRows counts them). Lines outside the
// range are skipped without parsing, and reading stops after range.end; a range that runs past the
// last row yields the rows that exist, so {0, UINT64_MAX} reads a whole file in one pass. `maxDim`
// > 0 rejects indices above it. Labels -1/+1 are kept and 0 becomes -1. Throws DataError with
// file:line for a malformed row, and DataError naming the file when it cannot be read.
LibsvmRows readLibsvmRows(const std::string& path, RowRange range, std::uint64_t maxDim = 0);

}  // namespace memsgd
