// The k-contraction property that Mem-SGD's analysis rests on (Definition 2.1 of the paper):
//   ||v - comp_k(v)||^2 <= (1 - k/d) ||v||^2, for top-k always and for rand-k in expectation.
#include <gtest/gtest.h>

#include "compress_test_helpers.hpp"
#include "memsgd/compress/rand_k.hpp"
#include "memsgd/compress/top_k.hpp"

namespace memsgd {
namespace {

std::vector<Vector> testVectors(Eigen::Index d) {
  std::vector<Vector> vectors{Vector::Random(d), Vector::Ones(d), Vector::Zero(d)};
  Vector spike = Vector::Constant(d, 1e-3);  // adversarial: one huge entry among tiny ones
  spike[d / 2] = 1e6;
  vectors.push_back(spike);
  Vector alternating(d);
  for (Eigen::Index j = 0; j < d; ++j) {
    alternating[j] = (j % 2 == 0 ? 1.0 : -1.0) * static_cast<double>(j + 1);
  }
  vectors.push_back(alternating);
  return vectors;
}

TEST(Contraction, TopKHoldsOnEveryVector) {
  for (const Eigen::Index d : {1, 7, 123, 1000}) {
    for (std::size_t k = 1; k <= static_cast<std::size_t>(d); k = 2 * k + 1) {
      TopK<double> topK(k);
      TopK<float> topKFloat(k);
      SparseMessage c;
      for (const Vector& v : testVectors(d)) {
        topK.compress(v, c);
        EXPECT_LE(test::residualSquaredNorm(v, c), test::contractionBound(v, k))
            << "d=" << d << " k=" << k;
        // In float, on v rounded to float (whose values the message then carries exactly).
        const Vector rounded = v.cast<float>().cast<double>();
        topKFloat.compress(rounded.cast<float>(), c);
        EXPECT_LE(test::residualSquaredNorm(rounded, c), test::contractionBound(rounded, k))
            << "float d=" << d << " k=" << k;
      }
    }
  }
}

TEST(Contraction, RandKHoldsInExpectation) {
  constexpr int kDraws = 4000;
  for (const Eigen::Index d : {10, 123}) {
    for (const std::size_t k : {std::size_t{1}, std::size_t{3}}) {
      RandK<double> randK(k, Rng(5));
      SparseMessage c;
      for (const Vector& v : testVectors(d)) {
        double mean = 0.0;
        for (int draw = 0; draw < kDraws; ++draw) {
          randK.compress(v, c);
          mean += test::residualSquaredNorm(v, c) / kDraws;
        }
        // The expectation equals the bound exactly; allow sampling error, largest for the spike.
        const double bound =
            (1.0 - static_cast<double>(k) / static_cast<double>(d)) * v.squaredNorm();
        EXPECT_LE(mean, bound * 1.05 + 1e-300) << "d=" << d << " k=" << k;
      }
    }
  }
}

TEST(RandK, SendsUnscaledValues) {
  RandK<double> randK(4, Rng(9));
  SparseMessage c;
  const Vector v = Vector::LinSpaced(20, 1.0, 20.0);
  randK.compress(v, c);
  ASSERT_EQ(c.size(), 4U);
  for (std::size_t i = 0; i < c.size(); ++i) {
    EXPECT_EQ(c.values[i], v[c.indices[i]]);
  }
}

}  // namespace
}  // namespace memsgd
