#include "memsgd/compress/compressor_factory.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <string_view>

#include "memsgd/core/error.hpp"

namespace memsgd {
namespace {

TEST(CompressorFactory, BuildsEveryListedName) {
  for (const std::string_view name : compressorNames()) {
    CompressionConfig config;
    config.method = std::string(name);
    config.k = 2;
    config.threshold = 0.5;
    const auto compressor = makeCompressor<double>(config, 10, 1, 0);
    EXPECT_EQ(compressor->name(), name);
  }
}

// Both precisions take the same decisions on the same values: a float compressor given v sends
// what a double compressor sends for v's (exact) double copy, seeded randomness included. Norms
// (qsgd, scaled_sign) are summed in double either way, but in another order of vector lanes.
TEST(CompressorFactory, FloatAndDoubleCompressorsSendTheSameMessage) {
  constexpr Eigen::Index kDim = 500;
  const VectorOf<float> v = Vector::Random(kDim).cast<float>();
  const Vector sameValues = v.cast<double>();
  for (const std::string_view name : compressorNames()) {
    CompressionConfig config;
    config.method = std::string(name);
    config.k = 7;
    config.threshold = 0.5;
    config.sampleSize = 50;
    SparseMessage fromFloat;
    SparseMessage fromDouble;
    makeCompressor<float>(config, kDim, 3, 1)->compress(v, fromFloat);
    makeCompressor<double>(config, kDim, 3, 1)->compress(sameValues, fromDouble);
    EXPECT_EQ(fromFloat.indices, fromDouble.indices) << name;
    ASSERT_EQ(fromFloat.values.size(), fromDouble.values.size()) << name;
    for (std::size_t i = 0; i < fromFloat.size(); ++i) {
      EXPECT_NEAR(fromFloat.values[i], fromDouble.values[i], 1e-14 * std::abs(fromDouble.values[i]))
          << name << " pair " << i;
    }
    EXPECT_NEAR(fromFloat.scale, fromDouble.scale, 1e-14 * fromDouble.scale) << name;
    EXPECT_GT(fromFloat.size(), 0U) << name;
  }
}

// Every registered compressor for dimension 2000, as a trainer builds it: each sends some but
// not all coordinates of a vector in [-1, 1]^d, approx_top_k with a noisy estimate of the k-th
// magnitude (the 3rd largest of 50 samples), so its draws change its messages.
constexpr Eigen::Index kStreamDim = 2000;
std::unique_ptr<Compressor<double>> compressorFor(std::string_view name) {
  CompressionConfig config;
  config.method = std::string(name);
  config.k = 100;
  config.threshold = 0.5;
  config.sampleSize = 50;
  return makeCompressor<double>(config, kStreamDim, 3, 1);
}

// A checkpoint saves and restores a compressor's stream through randomSource() alone: a
// randomised compressor that does not expose its generator would resume on another stream.
// Every compressor, rebuilt and given the original's stream state, sends what the original
// sends next; and a fresh one does not, for randomised compressors (the check can fail).
TEST(CompressorFactory, RestoredRandomSourceContinuesEveryCompressor) {
  const Vector v = Vector::Random(kStreamDim);
  for (const std::string_view name : compressorNames()) {
    const auto original = compressorFor(name);
    SparseMessage message;
    for (int step = 0; step < 3; ++step) {
      original->compress(v, message);  // the stream moves on, as in a run before a checkpoint
    }
    const auto resumed = compressorFor(name);
    const auto fresh = compressorFor(name);
    ASSERT_EQ(original->randomSource() == nullptr, resumed->randomSource() == nullptr) << name;
    if (const Rng* rng = original->randomSource()) {
      resumed->randomSource()->setState(rng->state());
    }
    SparseMessage next;
    SparseMessage resumedNext;
    SparseMessage freshNext;
    original->compress(v, next);
    resumed->compress(v, resumedNext);
    fresh->compress(v, freshNext);
    EXPECT_EQ(resumedNext.indices, next.indices) << name;
    EXPECT_EQ(resumedNext.values, next.values) << name;
    EXPECT_EQ(resumedNext.scale, next.scale) << name;
    if (original->randomSource() != nullptr) {
      EXPECT_TRUE(freshNext.indices != next.indices || freshNext.values != next.values) << name;
    }
  }
}

// fixedPairs() is a promise the exchange relies on to skip the size round: every message of a
// compressor that makes it has exactly that many pairs.
TEST(CompressorFactory, FixedPairsIsTheSizeOfEveryMessage) {
  for (const std::string_view name : compressorNames()) {
    const auto compressor = compressorFor(name);
    const auto promised = compressor->fixedPairs();
    if (!promised) {
      continue;
    }
    for (int step = 0; step < 3; ++step) {
      SparseMessage message;
      compressor->compress(Vector::Random(kStreamDim), message);
      EXPECT_EQ(message.size(), *promised) << name;
    }
  }
}

TEST(CompressorFactory, IdentitySendsAllCoordinates) {
  EXPECT_EQ(compressorFor("none")->fixedPairs(), static_cast<std::size_t>(kStreamDim));
}

TEST(CompressorFactory, ReportsUnknownNameAndOversizedK) {
  CompressionConfig config;
  config.method = "bogus";
  try {
    (void)makeCompressor<double>(config, 10, 1, 0);
    ADD_FAILURE() << "no error for an unknown compressor";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("compression.method"), std::string::npos);
  }
  config.method = "top_k";
  config.k = 11;
  try {
    (void)makeCompressor<double>(config, 10, 1, 0);
    ADD_FAILURE() << "no error for k > d";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("compression.k"), std::string::npos);
  }
}

TEST(CompressorFactory, KBasedMethodsAreSparsifying) {
  EXPECT_TRUE(isSparsifying("top_k"));
  EXPECT_TRUE(isSparsifying("rand_k"));
  EXPECT_TRUE(isSparsifying("rand_k_unbiased"));
  EXPECT_TRUE(isSparsifying("approx_top_k"));
  EXPECT_FALSE(isSparsifying("none"));
  EXPECT_FALSE(isSparsifying("threshold"));
}

TEST(CompressorFactory, ThresholdNeedsAPositiveThreshold) {
  CompressionConfig config;
  config.method = "threshold";
  try {
    (void)makeCompressor<double>(config, 10, 1, 0);
    ADD_FAILURE() << "no error for threshold = 0";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("compression.threshold"), std::string::npos);
  }
}

TEST(CompressorFactory, RandKStreamsDifferByRank) {
  CompressionConfig config;
  config.method = "rand_k";
  config.k = 5;
  SparseMessage first;
  SparseMessage second;
  makeCompressor<double>(config, 1000, 42, 0)->compress(Vector::Ones(1000), first);
  makeCompressor<double>(config, 1000, 42, 1)->compress(Vector::Ones(1000), second);
  EXPECT_NE(first.indices, second.indices);
}

}  // namespace
}  // namespace memsgd
