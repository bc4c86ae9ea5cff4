#include "memsgd/compress/rand_k_unbiased.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "compress_test_helpers.hpp"

namespace memsgd {
namespace {

TEST(RandKUnbiased, MeanOverDrawsConvergesToV) {
  constexpr Eigen::Index kDim = 20;
  constexpr std::size_t kK = 4;
  constexpr int kDraws = 20000;
  Rng valueRng(3);
  Vector v = test::gaussianVector(kDim, valueRng);
  v[7] = 0.0;  // zero variance: its mean must be exactly 0
  RandKUnbiased<double> randK(kK, Rng(11));
  SparseMessage c;
  Vector sum = Vector::Zero(kDim);
  for (int draw = 0; draw < kDraws; ++draw) {
    randK.compress(v, c);
    for (std::size_t i = 0; i < c.size(); ++i) {
      sum[c.indices[i]] += c.values[i];
    }
  }
  const Vector mean = sum / kDraws;
  // c_j is v_j d/k with probability k/d, else 0: variance v_j^2 (d/k - 1). An unscaled rand-k
  // would miss by (1 - k/d)|v_j| = 0.8|v_j|, far outside 5 sigma / sqrt(draws) = 0.07|v_j|.
  const double spread = std::sqrt(static_cast<double>(kDim) / kK - 1.0) / std::sqrt(kDraws);
  for (Eigen::Index j = 0; j < kDim; ++j) {
    EXPECT_LE(std::abs(mean[j] - v[j]), 5.0 * std::abs(v[j]) * spread) << "j=" << j;
  }
}

TEST(RandKUnbiased, SendsKDistinctSortedIndicesWithValuesScaledByDOverK) {
  constexpr Eigen::Index kDim = 1000;
  constexpr std::size_t kK = 37;
  const double scale = static_cast<double>(kDim) / static_cast<double>(kK);
  Rng valueRng(5);
  const Vector v = test::gaussianVector(kDim, valueRng);
  RandKUnbiased<double> randK(kK, Rng(13));
  ASSERT_EQ(randK.fixedPairs(), kK);
  SparseMessage c;
  for (int draw = 0; draw < 50; ++draw) {
    randK.compress(v, c);
    ASSERT_EQ(c.size(), kK);
    EXPECT_EQ(c.dim, static_cast<std::uint64_t>(kDim));
    for (std::size_t i = 0; i < c.size(); ++i) {
      ASSERT_LT(c.indices[i], kDim);
      if (i > 0) {
        EXPECT_LT(c.indices[i - 1], c.indices[i]);  // strictly: distinct and ascending
      }
      EXPECT_EQ(c.values[i], v[c.indices[i]] * scale);
    }
  }
}

TEST(RandKUnbiased, SendsEveryCoordinateUnscaledWhenKEqualsD) {
  const Vector v = Vector::LinSpaced(9, -4.0, 4.0);
  RandKUnbiased<double> randK(9, Rng(1));
  SparseMessage c;
  randK.compress(v, c);
  ASSERT_EQ(c.size(), 9U);
  for (std::size_t i = 0; i < c.size(); ++i) {
    EXPECT_EQ(c.indices[i], i);
    EXPECT_EQ(c.values[i], v[static_cast<Eigen::Index>(i)]);
  }
}

TEST(RandKUnbiased, RejectsZeroKAndKAboveD) {
  EXPECT_THROW(RandKUnbiased<double>(0, Rng(1)), std::invalid_argument);
  RandKUnbiased<double> randK(5, Rng(1));
  SparseMessage c;
  EXPECT_THROW(randK.compress(Vector::Ones(4), c), std::invalid_argument);
}

}  // namespace
}  // namespace memsgd
