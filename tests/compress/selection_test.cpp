#include "memsgd/compress/selection.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "memsgd/util/random.hpp"

namespace memsgd {
namespace {

// Reference: sort all indices by (|v| descending, index ascending), keep k, sort by index.
std::vector<std::uint32_t> topKBySort(const Vector& v, std::size_t k) {
  std::vector<std::uint32_t> order(static_cast<std::size_t>(v.size()));
  std::iota(order.begin(), order.end(), 0U);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return std::abs(v[a]) > std::abs(v[b]);
  });
  order.resize(k);
  std::sort(order.begin(), order.end());
  return order;
}

// Values on a coarse grid of both signs, so many magnitudes tie and tie-breaking is exercised.
Vector tiedVector(Eigen::Index d, Rng& rng) {
  Vector v(d);
  for (Eigen::Index j = 0; j < d; ++j) {
    v[j] = static_cast<double>(static_cast<int>(rng.below(7)) - 3);
  }
  return v;
}

TEST(SelectTopK, EqualsFullSortForEveryKOnTiedAndDistinctValues) {
  Rng rng(7);
  SelectionScratch scratch;
  std::vector<std::uint32_t> indices;
  for (const Eigen::Index d : {1, 2, 5, 64, 65, 300, 1000}) {
    for (const std::size_t k : {std::size_t{1}, std::size_t{2}, std::size_t{10}, std::size_t{64},
                                std::size_t{65}, std::size_t{200}, static_cast<std::size_t>(d)}) {
      if (k > static_cast<std::size_t>(d)) {
        continue;
      }
      const Vector tied = tiedVector(d, rng);
      selectTopK(tied, k, indices, scratch);
      EXPECT_EQ(indices, topKBySort(tied, k)) << "tied values, d=" << d << " k=" << k;
      const Vector distinct = Vector::Random(d);
      selectTopK(distinct, k, indices, scratch);
      EXPECT_EQ(indices, topKBySort(distinct, k)) << "distinct values, d=" << d << " k=" << k;
    }
  }
}

TEST(SelectTopK, PrefersLowerIndexOnEqualMagnitudeOfEitherSign) {
  SelectionScratch scratch;
  std::vector<std::uint32_t> indices;
  const Vector v = (Vector(6) << 1.0, -3.0, 2.0, 3.0, -3.0, 0.5).finished();
  selectTopK(v, 1, indices, scratch);
  EXPECT_EQ(indices, (std::vector<std::uint32_t>{1}));
  selectTopK(v, 2, indices, scratch);
  EXPECT_EQ(indices, (std::vector<std::uint32_t>{1, 3}));
}

TEST(SelectTopK, RejectsKAboveDimension) {
  SelectionScratch scratch;
  std::vector<std::uint32_t> indices;
  EXPECT_THROW(selectTopK(Vector::Ones(3), 4, indices, scratch), std::invalid_argument);
}

TEST(SelectRandomK, DrawsDistinctSortedIndicesInRange) {
  Rng rng(3);
  SelectionScratch scratch;
  std::vector<std::uint32_t> indices;
  for (const std::size_t k : {0, 1, 5, 99, 100}) {
    for (int draw = 0; draw < 50; ++draw) {
      selectRandomK(100, k, rng, indices, scratch);
      ASSERT_EQ(indices.size(), k);
      EXPECT_TRUE(std::is_sorted(indices.begin(), indices.end()));
      EXPECT_EQ(std::adjacent_find(indices.begin(), indices.end()), indices.end());
      EXPECT_TRUE(std::all_of(indices.begin(), indices.end(), [](auto j) { return j < 100; }));
    }
  }
}

TEST(SelectRandomK, IsUniformByChiSquare) {
  // d = 10, k = 3: every index is chosen with probability 3/10. Chi-square with 9 degrees of
  // freedom exceeds 27.88 with probability 0.001.
  constexpr std::uint64_t kDim = 10;
  constexpr std::size_t kK = 3;
  constexpr int kDraws = 30000;
  Rng rng(11);
  SelectionScratch scratch;
  std::vector<std::uint32_t> indices;
  std::vector<double> counts(kDim, 0.0);
  // Pairs must be uniform too (a biased sampler can have uniform marginals): index 0 with 1.
  double pairZeroOne = 0.0;
  for (int draw = 0; draw < kDraws; ++draw) {
    selectRandomK(kDim, kK, rng, indices, scratch);
    for (const auto j : indices) {
      counts[j] += 1.0;
    }
    pairZeroOne += (indices[0] == 0 && indices[1] == 1) ? 1.0 : 0.0;
  }
  const double expected = kDraws * static_cast<double>(kK) / kDim;
  double chiSquare = 0.0;
  for (const double count : counts) {
    chiSquare += (count - expected) * (count - expected) / expected;
  }
  EXPECT_LT(chiSquare, 27.88);
  // P(0 and 1 both chosen) = C(8,1)/C(10,3) = 8/120; binomial standard deviation ~ 43.
  const double expectedPair = kDraws * 8.0 / 120.0;
  EXPECT_NEAR(pairZeroOne, expectedPair, 5 * std::sqrt(expectedPair));
}

}  // namespace
}  // namespace memsgd
