// The cost model's predictions and picks at the extremes, as pure functions.
#include "memsgd/comm/collective_cost.hpp"

#include <gtest/gtest.h>

#include "memsgd/compress/pair_codec.hpp"

namespace memsgd {
namespace {

// Constants of the order calibrateCosts measures on a shared-memory node.
constexpr CollectiveCosts kNodeCosts{.alpha = 1e-6,
                                     .betaPerByte = 2e-10,
                                     .encodePerPair = 2e-9,
                                     .decodePerPair = 3e-9,
                                     .applyPerPair = 2e-9,
                                     .densePerCoordinate = 5e-10};

ExchangeShape shapeOf(int ranks, std::uint64_t dim, std::uint64_t pairs) {
  const PairCodec codec(ValueType::kFloat32, IndexEncoding::kRaw);
  return exchangeShape(ranks, dim, pairs, true, codec, ValueType::kFloat32);
}

TEST(CollectiveCost, FewPairsOfAWideVectorPickAllgather) {
  // P k = 400 << d = 10^6: gathering 100 pairs beats summing a million coordinates.
  for (const int ranks : {2, 4, 16}) {
    const auto estimates = estimateCollectives(shapeOf(ranks, 1'000'000, 100), kNodeCosts);
    EXPECT_EQ(cheapestCollective(estimates), CollectiveKind::kAllgather) << ranks;
  }
}

TEST(CollectiveCost, PairsCoveringTheVectorPickASummingCollective) {
  // P k >= d: every rank would receive and apply P times the d coordinates one dense sum has.
  for (const int ranks : {4, 16, 64}) {
    const ExchangeShape shape = shapeOf(ranks, 10'000, 10'000);
    const auto estimates = estimateCollectives(shape, kNodeCosts);
    const CollectiveKind picked = cheapestCollective(estimates);
    EXPECT_NE(picked, CollectiveKind::kAllgather) << ranks;
    EXPECT_EQ(picked, predictDense(shape, kNodeCosts) <= predictSplitAllgather(shape, kNodeCosts)
                          ? CollectiveKind::kDense
                          : CollectiveKind::kSplitAllgather)
        << ranks;
  }
}

TEST(CollectiveCost, FollowsTheStatedFormulas) {
  const ExchangeShape shape = shapeOf(4, 1000, 10);  // 10 pairs of 8 bytes, L = 2
  ASSERT_EQ(shape.message.total(), 80U);
  constexpr CollectiveCosts kUnit{.alpha = 1,
                                  .betaPerByte = 1e-3,
                                  .encodePerPair = 1e-4,
                                  .decodePerPair = 1e-5,
                                  .applyPerPair = 1e-6,
                                  .densePerCoordinate = 1e-7};
  EXPECT_DOUBLE_EQ(predictAllgather(shape, kUnit), 2 + 3 * 80e-3 + 10e-4 + 4 * 10 * 11e-6);
  EXPECT_DOUBLE_EQ(predictDense(shape, kUnit), 4 + 2 * 4000e-3 * 3 / 4 + 1000e-7 + 10e-6);
  // 250 coordinates per owner, 10 touched: a sparse range of 120 bytes, 10 pairs.
  EXPECT_DOUBLE_EQ(predictSplitAllgather(shape, kUnit),
                   6 + 3 * (4 + 20) * 1e-3 + 10e-4 + 10 * 0.75e-5 + 10e-6 +  //
                       4 + 3 * (4 + 120) * 1e-3 + 4 * 10e-6);
}

TEST(CollectiveCost, SplitRangesGoDenseWhenThatIsFewerBytes) {
  constexpr CollectiveCosts kBytesOnly{.betaPerByte = 1};
  // 2 ranks, 100 coordinates per owner: 60 touched pairs are 720 bytes, fewer than the range's
  // 800 dense, so sparse; 70 are 840, so dense.
  const double sparse = predictSplitAllgather(shapeOf(2, 200, 60), kBytesOnly);
  const double dense = predictSplitAllgather(shapeOf(2, 200, 70), kBytesOnly);
  EXPECT_DOUBLE_EQ(sparse, (4 + 60 * 8 / 2.0) + (4 + 60 * 12));
  EXPECT_DOUBLE_EQ(dense, (4 + 70 * 8 / 2.0) + (4 + 100 * 8));
}

TEST(CollectiveCost, OneRankHasNoCommunicationTerms) {
  constexpr CollectiveCosts kNetworkOnly{.alpha = 1, .betaPerByte = 1};
  const ExchangeShape shape = shapeOf(1, 1000, 10);
  for (const auto& estimate : estimateCollectives(shape, kNetworkOnly)) {
    EXPECT_EQ(estimate.seconds, 0.0);
  }
  // A tie goes to the first in kCollectives' order.
  EXPECT_EQ(cheapestCollective(estimateCollectives(shape, kNetworkOnly)),
            CollectiveKind::kAllgather);
}

TEST(CollectiveCost, NeverPicksARefusedCandidate) {
  auto estimates = estimateCollectives(shapeOf(16, 10'000, 10'000), kNodeCosts);
  for (auto& estimate : estimates) {
    if (estimate.kind != CollectiveKind::kAllgather) estimate.refusal = "not pairs";
  }
  EXPECT_EQ(cheapestCollective(estimates), CollectiveKind::kAllgather);
  for (auto& estimate : estimates) estimate.refusal = "refused";
  EXPECT_THROW((void)cheapestCollective(estimates), std::invalid_argument);
}

}  // namespace
}  // namespace memsgd
