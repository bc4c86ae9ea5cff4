#include "memsgd/compress/pair_codec.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace memsgd {
namespace {

SparseMessage sampleMessage(std::size_t pairs, std::uint64_t dim) {
  SparseMessage message;
  message.dim = dim;
  for (std::size_t i = 0; i < pairs; ++i) {
    message.indices.push_back(static_cast<std::uint32_t>(dim - 1 - (pairs - 1 - i) * 3));
    message.values.push_back(0.1 * static_cast<double>(i) - 1e-7);
  }
  return message;
}

class PairCodecRoundTrip : public ::testing::TestWithParam<ValueType> {};

TEST_P(PairCodecRoundTrip, DecodesExactlyTheRoundedMessage) {
  const PairCodec codec(GetParam());
  for (const std::size_t pairs : {0, 1, 17}) {
    for (const std::uint64_t dim : {std::uint64_t{100}, std::uint64_t{2147483647}}) {
      SparseMessage sent = sampleMessage(pairs, dim);
      codec.roundToWire(sent);
      std::vector<std::byte> wire(sent.size() * codec.pairBytes());
      codec.encode(sent, wire);
      SparseMessage decoded;
      codec.decode(wire, dim, decoded);
      EXPECT_EQ(decoded.indices, sent.indices);
      EXPECT_EQ(decoded.values, sent.values);
      EXPECT_EQ(decoded.dim, dim);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(ValueTypes, PairCodecRoundTrip,
                         ::testing::Values(ValueType::kFloat32, ValueType::kFloat64));

TEST(PairCodec, SizesAndRounding) {
  EXPECT_EQ(PairCodec(ValueType::kFloat32).pairBytes(), 8U);
  EXPECT_EQ(PairCodec(ValueType::kFloat64).pairBytes(), 12U);
  SparseMessage message = sampleMessage(3, 10);
  const std::vector<double> original = message.values;
  PairCodec(ValueType::kFloat64).roundToWire(message);
  EXPECT_EQ(message.values, original);
  PairCodec(ValueType::kFloat32).roundToWire(message);
  EXPECT_NE(message.values, original);  // 0.1 - 1e-7 is not a float
  for (std::size_t i = 0; i < original.size(); ++i) {
    EXPECT_EQ(message.values[i], static_cast<double>(static_cast<float>(original[i])));
  }
}

}  // namespace
}  // namespace memsgd
