#include "memsgd/compress/scaled_sign.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

#include "compress_test_helpers.hpp"

namespace memsgd {
namespace {

TEST(ScaledSign, ContractsExactlyByTheL1ToL2Ratio) {
  Rng rng(12);
  for (const Eigen::Index d : {1, 2, 7, 123, 2000}) {
    ScaledSign<double> sign(static_cast<std::size_t>(d));
    SparseMessage c;
    for (const Vector& v : test::contractionVectors(d, rng)) {
      sign.compress(v, c);
      const double squaredNorm = v.squaredNorm();
      const double l1 = v.lpNorm<1>();
      // ||v - c||^2 = (1 - ||v||_1^2 / (d ||v||_2^2)) ||v||_2^2 = ||v||^2 - ||v||_1^2 / d.
      const double expected = squaredNorm - l1 * l1 / static_cast<double>(d);
      const double residual = test::residualSquaredNorm(v, c);
      EXPECT_NEAR(residual, expected, 1e-12 * squaredNorm) << "d = " << d;
      EXPECT_LE(residual, squaredNorm * (1 + 1e-12));
    }
  }
}

TEST(ScaledSign, SendsEveryCoordinateAsPlusOrMinusTheMeanMagnitude) {
  Vector v(5);
  v << 2.0, -1.0, 0.0, -0.0, 7.0;
  ScaledSign<double> sign(5);
  SparseMessage c;
  sign.compress(v, c);
  EXPECT_EQ(c.dim, 5U);
  EXPECT_EQ(c.scale, 2.0);  // ||v||_1 / d = 10 / 5
  EXPECT_EQ(c.indices, (std::vector<std::uint32_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(c.values, (std::vector<double>{2.0, -2.0, 2.0, 2.0, 2.0}));  // sign(0) = +1
  EXPECT_EQ(sign.fixedPairs(), 5U);
  EXPECT_EQ(sign.name(), "scaled_sign");
}

TEST(ScaledSign, ZeroVectorSendsZeros) {
  ScaledSign<double> sign(4);
  SparseMessage c;
  sign.compress(Vector::Zero(4), c);
  EXPECT_EQ(c.size(), 4U);
  EXPECT_EQ(c.scale, 0.0);
  EXPECT_EQ(c.values, std::vector<double>(4, 0.0));
}

TEST(ScaledSign, RejectsWrongSizesAndNonFiniteVectors) {
  ScaledSign<double> sign(4);
  SparseMessage c;
  EXPECT_THROW(sign.compress(Vector::Ones(5), c), std::invalid_argument);
  Vector v = Vector::Ones(4);
  v[1] = std::numeric_limits<double>::infinity();
  EXPECT_THROW(sign.compress(v, c), std::domain_error);
  v[1] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(sign.compress(v, c), std::domain_error);
}

}  // namespace
}  // namespace memsgd
