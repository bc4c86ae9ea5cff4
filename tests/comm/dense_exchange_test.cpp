#include "memsgd/comm/dense_exchange.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace memsgd {

template <typename Scalar>
class DenseExchangeTest : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(DenseExchangeTest, Precisions);

// Sums over ranks in the wire precision, subtracts the scaled sum from x, and counts the fan-out.
TYPED_TEST(DenseExchangeTest, SumsOverRanksAndCountsTheFanOut) {
  const Communicator comm;
  const auto peers = static_cast<std::uint64_t>(comm.size() - 1);
  const double p = comm.size();
  for (const ValueType valueType : {ValueType::kFloat32, ValueType::kFloat64}) {
    DenseExchange exchange(comm, valueType);
    VectorOf<TypeParam> mine(50);
    for (Eigen::Index j = 0; j < mine.size(); ++j) {
      mine[j] = static_cast<TypeParam>(static_cast<double>(comm.rank() + 1) * 0.5 +
                                       static_cast<double>(j));
    }
    CommCounters counters;
    exchange.exchange<TypeParam>(mine, /*keepRemainder=*/true, counters);
    EXPECT_TRUE(mine.isZero(0)) << "exact in every wire precision: nothing remains";
    VectorOf<TypeParam> x = VectorOf<TypeParam>::Constant(50, 1000);
    exchange.subtractSum<TypeParam>(0.5, x);
    for (Eigen::Index j = 0; j < 50; ++j) {
      const double sum = 0.25 * p * (p + 1) + p * static_cast<double>(j);
      EXPECT_EQ(x[j], static_cast<TypeParam>(1000 - 0.5 * sum));
    }
    EXPECT_EQ(counters.sent.value, 50 * exchange.valueBytes() * peers);
    EXPECT_EQ(counters.received.value, 50 * exchange.valueBytes() * peers);
    EXPECT_EQ(counters.sent.index, 0U);
    EXPECT_EQ(counters.paperBits, 64U * 50U);
    EXPECT_EQ(counters.pairs, 50U);
  }
}

// The sender keeps exactly what fp32 rounding drops (error memory), or nothing (no memory).
TEST(DenseExchange, KeepsTheWireRemainderOrZero) {
  const Communicator comm;
  DenseExchange exchange(comm, ValueType::kFloat32);
  const Vector v = Vector::LinSpaced(20, 0.1, 2.3);
  for (const bool keep : {true, false}) {
    Vector m = v;
    CommCounters counters;
    exchange.exchange<double>(m, keep, counters);
    const Vector expected = keep ? Vector(v - v.cast<float>().cast<double>()) : Vector::Zero(20);
    EXPECT_EQ(m, expected);
    EXPECT_FALSE(keep && m.isZero(0));
    Vector x = Vector::Zero(20);
    exchange.subtractSum<double>(1.0, x);
    // Summed in float over the ranks: within float's rounding of P * c.
    const Vector expectedX = -comm.size() * v.cast<float>().cast<double>();
    EXPECT_TRUE(x.isApprox(expectedX, 1e-6));
  }
}

// fp16 has no MPI sum: the exchange refuses it rather than summing in another precision.
TEST(DenseExchange, RefusesFp16) {
  const Communicator comm;
  EXPECT_THROW(DenseExchange(comm, ValueType::kFloat16), std::invalid_argument);
}

}  // namespace memsgd
