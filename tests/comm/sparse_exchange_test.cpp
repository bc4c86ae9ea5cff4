#include "memsgd/comm/sparse_exchange.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include "memsgd/compress/pair_codec.hpp"
#include "memsgd/data/dataset.hpp"
#include "memsgd/util/random.hpp"
#include "message_views.hpp"

namespace memsgd {
namespace {

constexpr std::uint64_t kDim = 1000;

// A message of `pairs` distinct ascending indices with dyadic values (exact in float and in any
// summation order), different on every rank.
SparseMessage rankMessage(int rank, std::size_t pairs, std::uint64_t seed) {
  Rng rng(seed, static_cast<std::uint64_t>(rank), 0);
  SparseMessage message;
  message.dim = kDim;
  std::uint64_t index = rng.below(5);
  for (std::size_t i = 0; i < pairs; ++i) {
    message.indices.push_back(static_cast<std::uint32_t>(index));
    message.values.push_back(static_cast<double>(static_cast<int>(rng.below(64)) - 32) / 8.0);
    index += 1 + rng.below(kDim / (pairs + 1));
  }
  return message;
}

Vector densify(const MessageView& message) {
  Vector dense = Vector::Zero(kDim);
  const std::vector<double> values = valuesOf(message);
  for (std::size_t i = 0; i < message.size(); ++i) {
    dense[message.indices[i]] += values[i];
  }
  return dense;
}

class SparseExchangeTest : public ::testing::TestWithParam<ValueType> {
 protected:
  Communicator comm_;
};

TEST_P(SparseExchangeTest, AggregateEqualsDenseAllreduce) {
  const PairCodec codec(GetParam(), IndexEncoding::kRaw);
  SparseExchange exchange(comm_, codec);
  CommCounters counters;
  for (int round = 0; round < 20; ++round) {
    // Sizes differ by rank and round, including empty messages.
    const std::size_t pairs = static_cast<std::size_t>((comm_.rank() * 7 + round * 3) % 40);
    const SparseMessage mine = rankMessage(comm_.rank(), pairs, static_cast<std::uint64_t>(round));
    exchange.exchange(mine, std::nullopt, counters);

    Vector aggregated = Vector::Zero(kDim);
    for (int r = 0; r < comm_.size(); ++r) {
      aggregated += densify(exchange.received(r));
    }
    Vector reference = densify(viewOf(mine));
    MPI_Allreduce(MPI_IN_PLACE, reference.data(), static_cast<int>(kDim), MPI_DOUBLE, MPI_SUM,
                  comm_.raw());
    EXPECT_EQ(aggregated, reference) << "round " << round;
    EXPECT_EQ(indicesOf(exchange.received(comm_.rank())), mine.indices);
  }
}

TEST_P(SparseExchangeTest, CountersEqualTheBuffersPassedToMpi) {
  const PairCodec codec(GetParam(), IndexEncoding::kRaw);
  SparseExchange exchange(comm_, codec);
  const auto peers = static_cast<std::uint64_t>(comm_.size() - 1);
  constexpr std::size_t kPairs = 10;
  CommCounters counters;
  for (int step = 1; step <= 5; ++step) {
    exchange.exchange(rankMessage(comm_.rank(), kPairs, 3), kPairs, counters);
    // Own payload handed to MPI_Allgatherv, fanned out to every peer.
    EXPECT_EQ(exchange.lastSendBytes(), kPairs * (4 + codec.valueBytes()));
    EXPECT_EQ(counters.sent.total(), step * exchange.lastSendBytes() * peers);
    EXPECT_EQ(counters.sent.index, step * kPairs * 4 * peers);
    EXPECT_EQ(counters.sent.value, step * kPairs * codec.valueBytes() * peers);
    EXPECT_EQ(counters.sent.header, 0U);  // fixed size: no count exchange
    // Everything gathered except the own part.
    EXPECT_EQ(counters.received.total(),
              step * (exchange.lastGatherBytes() - exchange.lastSendBytes()));
    EXPECT_EQ(counters.paperBits, step * 64 * kPairs);
  }
  if (GetParam() == ValueType::kFloat32) {
    EXPECT_EQ(counters.sent.total(), 5 * kPairs * 8 * peers);  // k pairs * 8 bytes * (P-1)
  }
}

TEST_P(SparseExchangeTest, VariableSizesCountTheSizeExchangeAsHeader) {
  const PairCodec codec(GetParam(), IndexEncoding::kRaw);
  SparseExchange exchange(comm_, codec);
  const auto peers = static_cast<std::uint64_t>(comm_.size() - 1);
  CommCounters counters;
  const std::size_t pairs = static_cast<std::size_t>(comm_.rank());  // rank 0 sends nothing
  exchange.exchange(rankMessage(comm_.rank(), pairs, 8), std::nullopt, counters);
  EXPECT_EQ(counters.sent.header, sizeof(int) * peers);
  EXPECT_EQ(counters.received.header, sizeof(int) * peers);
  const std::uint64_t allPairs =
      static_cast<std::uint64_t>(comm_.size()) * static_cast<std::uint64_t>(comm_.size() - 1) / 2;
  EXPECT_EQ(counters.received.index, 4 * (allPairs - pairs));
}

INSTANTIATE_TEST_SUITE_P(ValueTypes, SparseExchangeTest,
                         ::testing::Values(ValueType::kFloat32, ValueType::kFloat64));

}  // namespace
}  // namespace memsgd
