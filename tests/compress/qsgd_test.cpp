// Lemma 3.1 of QSGD (Alistarh et al. 2017) for Q_s: unbiased, variance at most
// min(d/s^2, sqrt(d)/s) ||v||^2, levels in [0, s].
#include "memsgd/compress/qsgd.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "compress_test_helpers.hpp"

namespace memsgd {
namespace {

constexpr int kDraws = 20000;

Vector scatter(const SparseMessage& c) {
  Vector dense = Vector::Zero(static_cast<Eigen::Index>(c.dim));
  for (std::size_t i = 0; i < c.size(); ++i) {
    dense[c.indices[i]] = c.values[i];
  }
  return dense;
}

// Nonzero test inputs: Gaussian, tied integers, one spike among tiny entries, equal magnitudes.
std::vector<Vector> nonzeroVectors(Eigen::Index d) {
  Rng rng(11);
  std::vector<Vector> vectors = test::contractionVectors(d, rng);
  std::erase_if(vectors, [](const Vector& v) { return v.squaredNorm() == 0.0; });  // own test
  return vectors;
}

// E||Q_s(v) - v||^2 = sum_j X_j with independent X_j = h^2 (l_j - r_j)^2, h = ||v|| / s, which
// is h^2 (1 - f_j)^2 with probability f_j = frac(r_j), else h^2 f_j^2.
struct ErrorMoments {
  double mean = 0.0;      // sum_j E X_j = sum_j h^2 f_j (1 - f_j)
  double variance = 0.0;  // sum_j Var X_j = sum_j h^4 f_j (1 - f_j) (1 - 2 f_j)^2
  double range = 0.0;     // every X_j lies in [0, h^2]
};

ErrorMoments errorMoments(const Vector& v, std::uint32_t s) {
  const double h2 = v.squaredNorm() / (s * s);
  ErrorMoments moments{0.0, 0.0, h2};
  for (const double x : v) {
    const double r = std::abs(x) * s / v.norm();
    const double f = r - std::floor(r);
    moments.mean += h2 * f * (1.0 - f);
    moments.variance += h2 * h2 * f * (1.0 - f) * (1.0 - 2.0 * f) * (1.0 - 2.0 * f);
  }
  return moments;
}

TEST(Qsgd, LevelsLieInZeroToSAndValuesOnTheGrid) {
  for (const std::uint32_t s : {1U, 2U, 4U, 16U, 256U}) {
    Qsgd<double> qsgd(s, Rng(1));
    SparseMessage c;
    for (const Vector& v : nonzeroVectors(123)) {
      qsgd.compress(v, c);
      EXPECT_EQ(c.dim, 123U);
      EXPECT_EQ(c.scale, v.norm());
      EXPECT_TRUE(std::is_sorted(c.indices.begin(), c.indices.end()));
      EXPECT_EQ(std::adjacent_find(c.indices.begin(), c.indices.end()), c.indices.end());
      for (std::size_t i = 0; i < c.size(); ++i) {
        const double level = std::abs(c.values[i]) * s / c.scale;
        EXPECT_NEAR(level, std::round(level), 1e-9) << "s = " << s;
        EXPECT_GE(std::round(level), 1.0);  // level-0 coordinates are left out
        EXPECT_LE(std::round(level), s);
        EXPECT_EQ(std::signbit(c.values[i]), std::signbit(v[c.indices[i]]));
        const double r = std::abs(v[c.indices[i]]) * s / c.scale;
        EXPECT_LE(std::abs(std::round(level) - r), 1.0 + 1e-9);  // floor(r) or floor(r) + 1
      }
    }
  }
}

TEST(Qsgd, OneSpikeQuantisesToItselfExactly) {
  Vector spike = Vector::Zero(50);
  spike[7] = -3.0;
  for (const std::uint32_t s : {1U, 3U, 256U}) {
    SparseMessage c;
    Qsgd<double>(s, Rng(2)).compress(spike, c);
    ASSERT_EQ(c.size(), 1U);
    EXPECT_EQ(c.indices[0], 7U);
    EXPECT_EQ(c.values[0], -3.0);  // r = s exactly: level s, no rounding error, no draw
  }
}

TEST(Qsgd, ZeroVectorGivesAnEmptyMessage) {
  Qsgd<double> qsgd(4, Rng(3));
  SparseMessage c;
  qsgd.compress(Vector::Ones(9), c);  // leave something behind in `c` first
  qsgd.compress(Vector::Zero(9), c);
  EXPECT_EQ(c.size(), 0U);
  EXPECT_EQ(c.values.size(), 0U);
  EXPECT_EQ(c.scale, 0.0);
  EXPECT_EQ(c.dim, 9U);
}

TEST(Qsgd, IsUnbiased) {
  for (const std::uint32_t s : {1U, 4U, 16U}) {
    Qsgd<double> qsgd(s, Rng(4));
    SparseMessage c;
    for (const Vector& v : nonzeroVectors(123)) {
      Vector mean = Vector::Zero(v.size());
      for (int draw = 0; draw < kDraws; ++draw) {
        qsgd.compress(v, c);
        mean += scatter(c) / kDraws;
      }
      // Each c_j takes two values ||v|| / s apart: its standard deviation is at most half that.
      const double sigma = 0.5 * v.norm() / s / std::sqrt(double{kDraws});
      for (Eigen::Index j = 0; j < v.size(); ++j) {
        ASSERT_NEAR(mean[j], v[j], 5.0 * sigma + 1e-12 * v.norm()) << "s = " << s << ", j = " << j;
      }
    }
  }
}

TEST(Qsgd, VarianceMeetsLemma31) {
  for (const Eigen::Index d : {10, 123, 2000}) {
    for (const std::uint32_t s : {1U, 4U, 16U}) {
      Qsgd<double> qsgd(s, Rng(5));
      SparseMessage c;
      for (const Vector& v : nonzeroVectors(d)) {
        const auto dd = static_cast<double>(d);
        const double bound = std::min(dd / (s * s), std::sqrt(dd) / s) * v.squaredNorm();
        const int draws = d > 1000 ? 2000 : kDraws;
        double mean = 0.0;
        for (int draw = 0; draw < draws; ++draw) {
          qsgd.compress(v, c);
          mean += (scatter(c) - v).squaredNorm() / draws;
        }
        const ErrorMoments exact = errorMoments(v, s);
        EXPECT_LE(exact.mean, bound * (1 + 1e-12)) << "d = " << d << ", s = " << s;
        EXPECT_LE(mean, bound) << "d = " << d << ", s = " << s;
        // Bernstein's inequality over the d * draws bounded terms, failure probability 1e-9: it
        // stays valid where rare jumps (the spike's tiny entries) make a normal tail wrong.
        const double logTerm = std::log(2e9);
        const double tolerance = std::sqrt(2.0 * exact.variance * logTerm / draws) +
                                 2.0 * exact.range * logTerm / (3.0 * draws);
        EXPECT_NEAR(mean, exact.mean, tolerance + 1e-12 * v.squaredNorm())
            << "d = " << d << ", s = " << s;
      }
    }
  }
}

TEST(Qsgd, SameSeedSameMessages) {
  Rng rng(6);
  const Vector v = test::gaussianVector(500, rng);
  Qsgd<double> first(8, Rng(9));
  Qsgd<double> second(8, Rng(9));
  SparseMessage a;
  SparseMessage b;
  for (int step = 0; step < 5; ++step) {
    first.compress(v, a);
    second.compress(v, b);
    EXPECT_EQ(a.indices, b.indices);
    EXPECT_EQ(a.values, b.values);
  }
  EXPECT_NE(first.randomSource(), nullptr);
}

TEST(Qsgd, RejectsZeroLevelsAndNonFiniteVectors) {
  EXPECT_THROW(Qsgd<double>(0, Rng(1)), std::invalid_argument);
  Qsgd<double> qsgd(4, Rng(1));
  SparseMessage c;
  Vector v = Vector::Ones(5);
  v[2] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(qsgd.compress(v, c), std::domain_error);
  v[2] = std::numeric_limits<double>::infinity();
  EXPECT_THROW(qsgd.compress(v, c), std::domain_error);
  EXPECT_EQ(qsgd.name(), "qsgd");
  EXPECT_FALSE(qsgd.fixedPairs().has_value());
}

}  // namespace
}  // namespace memsgd
