#include "memsgd/compress/compressor_factory.hpp"

#include <gtest/gtest.h>

#include "memsgd/error.hpp"

namespace memsgd {
namespace {

TEST(CompressorFactory, BuildsEveryListedName) {
  for (const std::string_view name : compressorNames()) {
    CompressionConfig config;
    config.method = std::string(name);
    config.k = 2;
    config.threshold = 0.5;
    const auto compressor = makeCompressor(config, 10, 1, 0);
    EXPECT_EQ(compressor->name(), name);
  }
}

TEST(CompressorFactory, ReportsUnknownNameAndOversizedK) {
  CompressionConfig config;
  config.method = "bogus";
  try {
    (void)makeCompressor(config, 10, 1, 0);
    ADD_FAILURE() << "no error for an unknown compressor";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("compression.method"), std::string::npos);
  }
  config.method = "top_k";
  config.k = 11;
  try {
    (void)makeCompressor(config, 10, 1, 0);
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
    (void)makeCompressor(config, 10, 1, 0);
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
  makeCompressor(config, 1000, 42, 0)->compress(Vector::Ones(1000), first);
  makeCompressor(config, 1000, 42, 1)->compress(Vector::Ones(1000), second);
  EXPECT_NE(first.indices, second.indices);
}

}  // namespace
}  // namespace memsgd
