#pragma once

#include <cstdint>

namespace memsgd {

// A half-open range [begin, end) of data rows, numbered from 0 in file order (blank lines skipped).
struct RowRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  [[nodiscard]] std::uint64_t size() const { return end - begin; }
  [[nodiscard]] bool contains(std::uint64_t row) const { return row >= begin && row < end; }
};

// The contiguous block of `rows` that rank `rank` of `ranks` owns: the first rows % ranks ranks
// get one row more, so block sizes differ by at most one and blocks follow rank order.
RowRange shardOf(std::uint64_t rows, int rank, int ranks);

}  // namespace memsgd
