#include "memsgd/data/row_partition.hpp"

#include <algorithm>

namespace memsgd {

RowRange shardOf(std::uint64_t rows, int rank, int ranks) {
  const auto r = static_cast<std::uint64_t>(rank);
  const auto p = static_cast<std::uint64_t>(ranks);
  const std::uint64_t base = rows / p;
  const std::uint64_t extra = rows % p;
  const std::uint64_t begin = r * base + std::min(r, extra);
  return {begin, begin + base + (r < extra ? 1 : 0)};
}

}  // namespace memsgd
