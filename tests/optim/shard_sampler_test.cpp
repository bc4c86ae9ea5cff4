#include "memsgd/data/shard_sampler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <vector>

namespace memsgd {
namespace {

TEST(ShardSampler, EveryEpochIsAFreshPermutation) {
  ShardSampler sampler(10, Rng(2));
  std::vector<std::vector<std::uint32_t>> epochs;
  std::vector<std::uint32_t> drawn;
  for (int batch = 0; batch < 10; ++batch) {  // batches of 3 straddle epoch boundaries
    const auto rows = sampler.next(3);
    drawn.insert(drawn.end(), rows.begin(), rows.end());
  }
  std::vector<std::uint32_t> identity(10);
  std::iota(identity.begin(), identity.end(), 0U);
  for (std::ptrdiff_t epoch = 0; epoch < 3; ++epoch) {
    std::vector<std::uint32_t> rows(drawn.begin() + epoch * 10, drawn.begin() + epoch * 10 + 10);
    epochs.push_back(rows);
    std::sort(rows.begin(), rows.end());
    EXPECT_EQ(rows, identity) << "epoch " << epoch;
  }
  EXPECT_NE(epochs[0], epochs[1]);
  EXPECT_NE(epochs[1], epochs[2]);
}

TEST(ShardSampler, SameSeedSameOrder) {
  ShardSampler a(50, Rng(9));
  ShardSampler b(50, Rng(9));
  for (int i = 0; i < 20; ++i) {
    const auto rowsA = a.next(4);
    const std::vector<std::uint32_t> copy(rowsA.begin(), rowsA.end());
    const auto rowsB = b.next(4);
    EXPECT_TRUE(std::equal(copy.begin(), copy.end(), rowsB.begin(), rowsB.end()));
  }
}

}  // namespace
}  // namespace memsgd
