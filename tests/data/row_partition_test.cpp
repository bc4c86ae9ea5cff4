#include "memsgd/data/row_partition.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace memsgd {
namespace {

TEST(ShardOf, SplitsTenRowsOverThreeRanks) {
  EXPECT_EQ(shardOf(10, 0, 3).begin, 0U);
  EXPECT_EQ(shardOf(10, 0, 3).end, 4U);
  EXPECT_EQ(shardOf(10, 1, 3).begin, 4U);
  EXPECT_EQ(shardOf(10, 1, 3).end, 7U);
  EXPECT_EQ(shardOf(10, 2, 3).begin, 7U);
  EXPECT_EQ(shardOf(10, 2, 3).end, 10U);
}

// Blocks follow rank order without gaps, cover every row, and the first rows % ranks ranks hold
// one row more than the others.
TEST(ShardOf, IsContiguousBalancedAndCoversAllRows) {
  for (const std::uint64_t rows :
       {0ULL, 1ULL, 2ULL, 5ULL, 7ULL, 64ULL, 100ULL, 32561ULL, 49749ULL, (1ULL << 40) + 3}) {
    for (int ranks = 1; ranks <= 17; ++ranks) {
      SCOPED_TRACE(testing::Message() << rows << " rows, " << ranks << " ranks");
      const std::uint64_t base = rows / static_cast<std::uint64_t>(ranks);
      const std::uint64_t extra = rows % static_cast<std::uint64_t>(ranks);
      std::uint64_t next = 0;
      for (int rank = 0; rank < ranks; ++rank) {
        const RowRange shard = shardOf(rows, rank, ranks);
        EXPECT_EQ(shard.begin, next);
        EXPECT_EQ(shard.size(), base + (static_cast<std::uint64_t>(rank) < extra ? 1 : 0));
        next = shard.end;
      }
      EXPECT_EQ(next, rows);
    }
  }
}

TEST(RowRange, ContainsIsHalfOpen) {
  const RowRange range{3, 6};
  EXPECT_EQ(range.size(), 3U);
  EXPECT_FALSE(range.contains(2));
  EXPECT_TRUE(range.contains(3));
  EXPECT_TRUE(range.contains(5));
  EXPECT_FALSE(range.contains(6));
}

}  // namespace
}  // namespace memsgd
