#include "memsgd/compress/threshold.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "compress_test_helpers.hpp"

namespace memsgd {
namespace {

std::vector<std::uint32_t> bruteForceIndices(const Vector& v, double tau) {
  std::vector<std::uint32_t> indices;
  for (Eigen::Index j = 0; j < v.size(); ++j) {
    if (std::abs(v[j]) >= tau) {
      indices.push_back(static_cast<std::uint32_t>(j));
    }
  }
  return indices;
}

void expectValuesOfV(const Vector& v, const SparseMessage& c) {
  ASSERT_EQ(c.values.size(), c.indices.size());
  EXPECT_EQ(c.dim, static_cast<std::uint64_t>(v.size()));
  for (std::size_t i = 0; i < c.size(); ++i) {
    EXPECT_EQ(c.values[i], v[c.indices[i]]);
  }
}

TEST(Threshold, SendsExactlyTheCoordinatesAtOrAboveTau) {
  Rng rng(17);
  SparseMessage c;
  for (const Eigen::Index d : {1, 10, 1000}) {
    // Integer taus on the tied vector hit |v_j| == tau exactly.
    for (const double tau : {0.01, 0.5, 1.0, 2.0, 3.0, 3.5}) {
      Threshold<double> threshold(tau);
      for (const Vector& v : {test::gaussianVector(d, rng), test::tiedVector(d, rng)}) {
        threshold.compress(v, c);
        EXPECT_EQ(c.indices, bruteForceIndices(v, tau)) << "d=" << d << " tau=" << tau;
        expectValuesOfV(v, c);
      }
    }
  }
}

TEST(Threshold, IncludesMagnitudesEqualToTauOfEitherSign) {
  constexpr double kTau = 0.3;
  const double below = std::nextafter(kTau, 0.0);
  const Vector v = (Vector(6) << kTau, -kTau, below, -below, 1.0, 0.0).finished();
  Threshold<double> threshold(kTau);
  SparseMessage c;
  threshold.compress(v, c);
  EXPECT_EQ(c.indices, (std::vector<std::uint32_t>{0, 1, 4}));
  expectValuesOfV(v, c);
}

TEST(Threshold, SendsNothingWhenEveryMagnitudeIsBelowTau) {
  Threshold<double> threshold(2.0);
  SparseMessage c;
  threshold.compress(Vector::Ones(5), c);  // first a non-empty message, then reuse it
  EXPECT_EQ(c.size(), 0U);
  threshold.compress(Vector::LinSpaced(50, -1.9, 1.9), c);
  EXPECT_EQ(c.size(), 0U);
  EXPECT_EQ(c.values.size(), 0U);
  EXPECT_EQ(c.dim, 50U);
}

TEST(Threshold, SendsEverythingWhenEveryMagnitudeReachesTau) {
  const Vector v = Vector::LinSpaced(40, -5.0, 5.0);  // |v_j| >= 5/39
  Threshold<double> threshold(0.1);
  SparseMessage c;
  threshold.compress(v, c);
  ASSERT_EQ(c.size(), 40U);
  expectValuesOfV(v, c);
  EXPECT_EQ(test::residualSquaredNorm(v, c), 0.0);
}

TEST(Threshold, NeverSendsNaN) {
  const Vector v = (Vector(3) << std::numeric_limits<double>::quiet_NaN(), 1.0, -2.0).finished();
  Threshold<double> threshold(0.5);
  SparseMessage c;
  threshold.compress(v, c);
  EXPECT_EQ(c.indices, (std::vector<std::uint32_t>{1, 2}));
}

TEST(Threshold, ContractsByTheNumberOfPairsSent) {
  Rng rng(19);
  SparseMessage c;
  for (const Eigen::Index d : {1, 7, 1000}) {
    for (const double tau : {1e-4, 0.5, 1.5, 1e3}) {
      Threshold<double> threshold(tau);
      for (const Vector& v : test::contractionVectors(d, rng)) {
        threshold.compress(v, c);
        EXPECT_LE(test::residualSquaredNorm(v, c), test::contractionBound(v, c.size()))
            << "d=" << d << " tau=" << tau << " pairs=" << c.size();
      }
    }
  }
}

TEST(Threshold, RejectsNonPositiveTau) {
  EXPECT_THROW(Threshold<double>(0.0), std::invalid_argument);
  EXPECT_THROW(Threshold<double>(-1.0), std::invalid_argument);
  EXPECT_THROW(Threshold<double>{std::numeric_limits<double>::quiet_NaN()}, std::invalid_argument);
  EXPECT_EQ(Threshold<double>(1.0).fixedPairs(), std::nullopt);
}

}  // namespace
}  // namespace memsgd
