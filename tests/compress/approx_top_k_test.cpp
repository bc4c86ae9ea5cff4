#include "memsgd/compress/approx_top_k.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <tuple>

#include "compress_test_helpers.hpp"
#include "memsgd/compress/top_k.hpp"

namespace memsgd {
namespace {

// The paper-scale setting of the brief: the sampled path runs (2000 < d, 16 k < d).
constexpr Eigen::Index kLargeDim = 100000;
constexpr std::size_t kK = 100;
constexpr std::size_t kSampleSize = 2000;

// c must be the exact top-k' of v (ties to the lower index) with k' = lastPairs() <= k.
void expectExactTopKPrime(const Vector& v, const ApproxTopK<double>& approx, std::size_t k,
                          const SparseMessage& c) {
  ASSERT_LE(approx.lastPairs(), k);
  ASSERT_EQ(c.size(), approx.lastPairs());
  ASSERT_EQ(c.values.size(), c.size());
  EXPECT_EQ(c.dim, static_cast<std::uint64_t>(v.size()));
  EXPECT_EQ(c.indices, test::topKBySort(v, c.size()));
  for (std::size_t i = 0; i < c.size(); ++i) {
    EXPECT_EQ(c.values[i], v[c.indices[i]]);
  }
}

TEST(ApproxTopK, SendsTheExactTopKPrimeOfGaussianAndTiedVectors) {
  Rng rng(23);
  ApproxTopK<double> approx(kK, kSampleSize, Rng(29));
  SparseMessage c;
  for (int trial = 0; trial < 10; ++trial) {
    const Vector gaussian = test::gaussianVector(kLargeDim, rng);
    approx.compress(gaussian, c);
    expectExactTopKPrime(gaussian, approx, kK, c);
    // About 2/7 of d has the top magnitude 3, and every magnitude at or above the sampled one
    // passes, so ties at the threshold must fill all k pairs.
    const Vector tied = test::tiedVector(kLargeDim, rng);
    approx.compress(tied, c);
    EXPECT_EQ(approx.lastPairs(), kK);
    expectExactTopKPrime(tied, approx, kK, c);
  }
}

TEST(ApproxTopK, ContractsByTheNumberOfPairsSent) {
  Rng rng(31);
  SparseMessage c;
  // Dimensions and (k, sampleSize) on both sides of the fallback.
  for (const Eigen::Index d : {5, 100, 4096, 50000}) {
    for (const std::size_t k : {std::size_t{1}, std::size_t{8}, std::size_t{64}}) {
      if (k > static_cast<std::size_t>(d)) {
        continue;
      }
      ApproxTopK<double> approx(k, 256, Rng(37));
      for (const Vector& v : test::contractionVectors(d, rng)) {
        approx.compress(v, c);
        expectExactTopKPrime(v, approx, k, c);
        EXPECT_LE(test::residualSquaredNorm(v, c), test::contractionBound(v, approx.lastPairs()))
            << "d=" << d << " k=" << k << " k'=" << approx.lastPairs();
      }
    }
  }
}

// The sample's rank-2 magnitude leaves a Gamma(2)/sampleSize fraction of d above it (about k on
// average, widely spread), so k' = min(k, that count) averages about 0.73 k and equals k about
// 41% of the time. A threshold from the sample maximum would give about 0.43 k; one from rank k of
// the sample (ignoring d) would always give k' = k; both fall outside these bands.
TEST(ApproxTopK, SendsCloseToKPairsOnGaussianVectors) {
  constexpr int kTrials = 300;
  Rng rng(41);
  ApproxTopK<double> approx(kK, kSampleSize, Rng(43));
  SparseMessage c;
  double meanPairs = 0.0;
  double fullShare = 0.0;
  for (int trial = 0; trial < kTrials; ++trial) {
    approx.compress(test::gaussianVector(kLargeDim, rng), c);
    EXPECT_GE(approx.lastPairs(), 1U);  // the sampled coordinate itself always passes
    meanPairs += static_cast<double>(approx.lastPairs()) / kTrials;
    fullShare += approx.lastPairs() == kK ? 1.0 / kTrials : 0.0;
  }
  RecordProperty("mean_pairs", std::to_string(meanPairs));
  EXPECT_GE(meanPairs, 0.6 * kK);
  EXPECT_LE(meanPairs, 0.85 * kK);
  EXPECT_GE(fullShare, 0.25);
  EXPECT_LE(fullShare, 0.55);
}

TEST(ApproxTopK, SendsOnlyNonzerosOfAVectorSparserThanK) {
  constexpr std::size_t kNonzeros = 40;
  Rng rng(47);
  Vector v = Vector::Zero(kLargeDim);
  for (std::size_t i = 0; i < kNonzeros; ++i) {
    v[static_cast<Eigen::Index>(rng.below(kLargeDim))] = rng.uniform() + 0.5;  // distinct w.h.p.
  }
  const auto nonzeros = static_cast<std::size_t>((v.array() != 0.0).count());
  ApproxTopK<double> approx(kK, kSampleSize, Rng(53));
  SparseMessage c;
  approx.compress(v, c);
  EXPECT_EQ(approx.lastPairs(), nonzeros);
  expectExactTopKPrime(v, approx, kK, c);
  EXPECT_EQ(test::residualSquaredNorm(v, c), 0.0);
}

TEST(ApproxTopK, FallsBackToExactTopKForLargeSamplesOrLargeK) {
  Rng rng(59);
  SparseMessage approxOut;
  SparseMessage exactOut;
  // (d, k, sampleSize): sample as large as d; k just above d/16.
  for (const auto [d, k, sampleSize] :
       {std::tuple{Eigen::Index{1000}, std::size_t{10}, std::size_t{1000}},
        std::tuple{Eigen::Index{1600}, std::size_t{101}, std::size_t{100}}}) {
    ApproxTopK<double> approx(k, sampleSize, Rng(61));
    TopK<double> exact(k);
    for (const Vector& v : test::contractionVectors(d, rng)) {
      approx.compress(v, approxOut);
      exact.compress(v, exactOut);
      EXPECT_EQ(approx.lastPairs(), k);
      EXPECT_EQ(approxOut.indices, exactOut.indices) << "d=" << d << " k=" << k;
      EXPECT_EQ(approxOut.values, exactOut.values);
      EXPECT_EQ(approxOut.dim, exactOut.dim);
    }
  }
}

TEST(ApproxTopK, RejectsZeroKOrSampleSizeAndKAboveD) {
  EXPECT_THROW(ApproxTopK<double>(0, 10, Rng(1)), std::invalid_argument);
  EXPECT_THROW(ApproxTopK<double>(10, 0, Rng(1)), std::invalid_argument);
  ApproxTopK<double> approx(5, 2, Rng(1));
  SparseMessage c;
  EXPECT_THROW(approx.compress(Vector::Ones(4), c), std::invalid_argument);
  EXPECT_EQ(approx.fixedPairs(), std::nullopt);
}

}  // namespace
}  // namespace memsgd
