#include "memsgd/comm/dense_exchange.hpp"

#include <gtest/gtest.h>

namespace memsgd {
namespace {

TEST(DenseExchange, SumsOverRanksAndCountsTheFanOut) {
  const Communicator comm;
  const auto peers = static_cast<std::uint64_t>(comm.size() - 1);
  for (const ValueType valueType : {ValueType::kFloat32, ValueType::kFloat64}) {
    DenseExchange exchange(comm, valueType);
    std::vector<double> mine(50);
    for (std::size_t j = 0; j < mine.size(); ++j) {
      mine[j] = static_cast<double>(comm.rank() + 1) * 0.5 + static_cast<double>(j);
    }
    Vector sum;
    CommCounters counters;
    exchange.allreduce(mine, sum, counters);
    const double p = comm.size();
    for (Eigen::Index j = 0; j < 50; ++j) {
      EXPECT_EQ(sum[j], 0.25 * p * (p + 1) + p * static_cast<double>(j));
    }
    EXPECT_EQ(counters.sent.value, 50 * exchange.valueBytes() * peers);
    EXPECT_EQ(counters.received.value, 50 * exchange.valueBytes() * peers);
    EXPECT_EQ(counters.sent.index, 0U);
    EXPECT_EQ(counters.paperBits, 64U * 50U);
  }
}

}  // namespace
}  // namespace memsgd
