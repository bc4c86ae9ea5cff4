// compression.scope = layer: k split over the blocks by largest remainder, each block selected on
// its own against a dense reference, one message with global indices, one random stream.
#include "memsgd/compress/blockwise.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "compress_test_helpers.hpp"
#include "memsgd/compress/compressor_factory.hpp"
#include "memsgd/compress/selection.hpp"
#include "memsgd/core/error.hpp"

namespace memsgd {
namespace {

using Quotas = std::vector<std::uint64_t>;

TEST(BlockQuotas, SplitsKInProportionByLargestRemainder) {
  // Shares 4/3 each: floors 1, 1, 1, and the one left over to the lowest block of the tie.
  EXPECT_EQ(blockQuotas(4, Quotas{5, 5, 5}), (Quotas{2, 1, 1}));
  // Shares 2.8, 4.2, 7: the remainder .8 wins over .2.
  EXPECT_EQ(blockQuotas(14, Quotas{20, 30, 50}), (Quotas{3, 4, 7}));
  EXPECT_EQ(blockQuotas(100, Quotas{20, 30, 50}), (Quotas{20, 30, 50}));
  // Shares .03, .03, 2.94: floors 0, 0, 2, then 3 for the large block, which gives 1 to each
  // block left at 0.
  EXPECT_EQ(blockQuotas(3, Quotas{1, 1, 98}), (Quotas{1, 1, 1}));
  // 784-256-10 at 1%: 2036 of 203530, shares 2010.29 and 25.71.
  EXPECT_EQ(blockQuotas(2036, Quotas{784 * 256 + 256, 256 * 10 + 10}), (Quotas{2010, 26}));
  EXPECT_THROW((void)blockQuotas(2, Quotas{5, 5, 5}), std::invalid_argument);
  EXPECT_THROW((void)blockQuotas(16, Quotas{5, 5, 5}), std::invalid_argument);
  EXPECT_THROW((void)blockQuotas(2, Quotas{0, 5}), std::invalid_argument);
}

TEST(BlockQuotas, EveryBlockGetsBetweenOneAndItsSizeSummingToK) {
  Rng rng(9);
  for (int trial = 0; trial < 2000; ++trial) {
    Quotas blocks(1 + rng.below(6));
    for (std::uint64_t& size : blocks) size = 1 + rng.below(rng.uniform() < 0.3 ? 3 : 1000);
    const std::uint64_t p = std::accumulate(blocks.begin(), blocks.end(), std::uint64_t{0});
    const std::uint64_t k = blocks.size() + rng.below(p - blocks.size() + 1);
    const Quotas quotas = blockQuotas(k, blocks);
    ASSERT_EQ(std::accumulate(quotas.begin(), quotas.end(), std::uint64_t{0}), k);
    bool lifted = false;  // a block raised from 0 takes from the others
    for (std::size_t b = 0; b < blocks.size(); ++b) {
      ASSERT_GE(quotas[b], 1U);
      ASSERT_LE(quotas[b], blocks[b]);
      lifted = lifted || k * blocks[b] < p;
    }
    for (std::size_t b = 0; b < blocks.size() && !lifted; ++b) {
      const double share = static_cast<double>(k * blocks[b]) / static_cast<double>(p);
      EXPECT_LT(std::abs(static_cast<double>(quotas[b]) - share), 1.0);
    }
  }
}

const Quotas kBlocks{50, 30, 20};  // p = 100; k = 10 gives 5, 3, 2

CompressionConfig layerConfig(const std::string& method, std::uint64_t k) {
  CompressionConfig config;
  config.method = method;
  config.k = k;
  config.threshold = 0.8;
  config.scope = CompressionScope::kLayer;
  return config;
}

// The reference: each block's top k_b by a full sort of its magnitudes, as global indices.
std::vector<std::uint32_t> blockwiseTopK(const Vector& v, const Quotas& quotas) {
  std::vector<std::uint32_t> expected;
  Eigen::Index offset = 0;
  for (std::size_t b = 0; b < kBlocks.size(); ++b) {
    const auto size = static_cast<Eigen::Index>(kBlocks[b]);
    for (const std::uint32_t j : test::topKBySort(v.segment(offset, size), quotas[b])) {
      expected.push_back(j + static_cast<std::uint32_t>(offset));
    }
    offset += size;
  }
  return expected;
}

TEST(Blockwise, TopKSelectsEachBlocksLargestIntoOneMessage) {
  Rng rng(4);
  const Vector v = test::gaussianVector(100, rng);
  const auto compressor = makeCompressor<double>(layerConfig("top_k", 10), kBlocks, 1, 0);
  EXPECT_EQ(compressor->name(), "top_k");
  EXPECT_EQ(compressor->fixedPairs(), 10U);
  SparseMessage message;
  compressor->compress(v, message);
  const std::vector<std::uint32_t> expected = blockwiseTopK(v, {5, 3, 2});
  EXPECT_EQ(message.indices, expected);
  EXPECT_NE(message.indices, test::topKBySort(v, 10));  // not the global selection
  EXPECT_EQ(message.dim, 100U);
  for (std::size_t i = 0; i < message.size(); ++i) {
    EXPECT_EQ(message.values[i], v[message.indices[i]]);
  }
  // The fused update selects the same from v + scale x, leaving v updated as addScaled does.
  const Vector x = test::gaussianVector(100, rng);
  Vector fused = v;
  Vector updated = v;
  addScaled<double>(updated, x, 0.3);
  compressor->addScaledAndCompress(fused, x, 0.3, message);
  EXPECT_EQ(fused, updated);
  EXPECT_EQ(message.indices, blockwiseTopK(updated, {5, 3, 2}));
}

// approx_top_k on blocks smaller than its sample is exact top-k per block; threshold is
// elementwise, so per block or not it sends the same.
TEST(Blockwise, ApproxTopKAndThresholdSelectPerBlock) {
  Rng rng(5);
  const Vector v = test::gaussianVector(100, rng);
  SparseMessage message;
  makeCompressor<double>(layerConfig("approx_top_k", 10), kBlocks, 1, 0)->compress(v, message);
  EXPECT_EQ(message.indices, blockwiseTopK(v, {5, 3, 2}));
  SparseMessage global;
  CompressionConfig globalConfig = layerConfig("threshold", 10);
  globalConfig.scope = CompressionScope::kGlobal;
  makeCompressor<double>(layerConfig("threshold", 10), kBlocks, 1, 0)->compress(v, message);
  makeCompressor<double>(globalConfig, kBlocks, 1, 0)->compress(v, global);
  EXPECT_EQ(message.indices, global.indices);
  EXPECT_EQ(message.values, global.values);
  EXPECT_GT(message.size(), 10U);
}

// rand_k: k_b random coordinates in each block, drawn from one stream that randomSource() saves
// and restores.
TEST(Blockwise, RandKDrawsEachBlocksCountFromOneRestorableStream) {
  const Vector v = Vector::LinSpaced(100, 1.0, 100.0);
  const auto compressor = makeCompressor<double>(layerConfig("rand_k", 10), kBlocks, 7, 2);
  EXPECT_EQ(compressor->fixedPairs(), 10U);
  SparseMessage first;
  compressor->compress(v, first);
  const Rng::State saved = compressor->randomSource()->state();
  SparseMessage second;
  compressor->compress(v, second);
  const auto count = [](const SparseMessage& m, std::uint32_t begin, std::uint32_t end) {
    return std::count_if(m.indices.begin(), m.indices.end(),
                         [&](std::uint32_t j) { return j >= begin && j < end; });
  };
  for (const SparseMessage* m : {&first, &second}) {
    ASSERT_EQ(m->size(), 10U);
    EXPECT_TRUE(std::is_sorted(m->indices.begin(), m->indices.end()));
    EXPECT_EQ(count(*m, 0, 50), 5);
    EXPECT_EQ(count(*m, 50, 80), 3);
    EXPECT_EQ(count(*m, 80, 100), 2);
  }
  EXPECT_NE(first.indices, second.indices);
  // The stream: block after block, message after message, the draws of one generator.
  Rng stream(7, 2, static_cast<std::uint64_t>(RngPurpose::kCompression));
  SelectionScratch scratch;
  for (const SparseMessage* m : {&first, &second}) {
    std::vector<std::uint32_t> expected;
    std::uint32_t offset = 0;
    for (std::size_t b = 0; b < kBlocks.size(); ++b) {
      std::vector<std::uint32_t> drawn;
      selectRandomK(kBlocks[b], std::vector<std::size_t>{5, 3, 2}[b], stream, drawn, scratch);
      for (const std::uint32_t j : drawn) expected.push_back(j + offset);
      offset += static_cast<std::uint32_t>(kBlocks[b]);
    }
    EXPECT_EQ(m->indices, expected);
  }
  // A fresh compressor given the saved state continues as the first did.
  const auto restored = makeCompressor<double>(layerConfig("rand_k", 10), kBlocks, 7, 2);
  restored->randomSource()->setState(saved);
  SparseMessage again;
  restored->compress(v, again);
  EXPECT_EQ(again.indices, second.indices);
}

TEST(Blockwise, OneBlockOrGlobalScopeIsTheWholeVectorsCompressor) {
  Rng rng(6);
  const Vector v = test::gaussianVector(100, rng);
  for (const CompressionScope scope : {CompressionScope::kGlobal, CompressionScope::kLayer}) {
    CompressionConfig config = layerConfig("rand_k", 10);
    config.scope = scope;
    SparseMessage blocked;
    SparseMessage whole;
    makeCompressor<double>(config, Quotas{100}, 3, 1)->compress(v, blocked);
    makeCompressor<double>(config, 100, 3, 1)->compress(v, whole);
    EXPECT_EQ(blocked.indices, whole.indices);
  }
  SparseMessage global;
  CompressionConfig config = layerConfig("top_k", 10);
  config.scope = CompressionScope::kGlobal;
  makeCompressor<double>(config, kBlocks, 3, 1)->compress(v, global);
  EXPECT_EQ(global.indices, test::topKBySort(v, 10));
}

TEST(Blockwise, RefusesMethodsWithoutPerBlockSelectionAndTooSmallK) {
  for (const std::string method : {"none", "qsgd", "scaled_sign", "rand_k_unbiased"}) {
    try {
      (void)makeCompressor<double>(layerConfig(method, 10), kBlocks, 1, 0);
      ADD_FAILURE() << method << ": no ConfigError";
    } catch (const ConfigError& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find("compression.scope = layer"), std::string::npos) << message;
      EXPECT_NE(message.find(method), std::string::npos) << message;
    }
  }
  try {
    (void)makeCompressor<double>(layerConfig("top_k", 2), kBlocks, 1, 0);
    ADD_FAILURE() << "k = 2 for 3 blocks: no ConfigError";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("compression.scope = layer"), std::string::npos) << message;
    EXPECT_NE(message.find("compression.k = 2"), std::string::npos) << message;
  }
  EXPECT_THROW((void)makeCompressor<double>(layerConfig("top_k", 101), kBlocks, 1, 0), ConfigError);
}

}  // namespace
}  // namespace memsgd
