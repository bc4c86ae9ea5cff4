#include "memsgd/compress/pair_codec.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "message_views.hpp"

namespace memsgd {
namespace {

// Indices spread over [0, dim) with gaps from 1 to about dim / pairs, values of mixed magnitude.
SparseMessage sampleMessage(std::size_t pairs, std::uint64_t dim) {
  SparseMessage message;
  message.dim = dim;
  for (std::size_t i = 0; i < pairs; ++i) {
    const std::uint64_t index = pairs == 1 ? dim - 1 : i * ((dim - 1) / (pairs - 1));
    message.indices.push_back(static_cast<std::uint32_t>(index));
    message.values.push_back((i % 2 == 0 ? 1.0 : -1.0) * (0.1 * static_cast<double>(i) - 1e-7));
  }
  return message;
}

using Encoding = std::tuple<ValueType, IndexEncoding>;
class PairCodecRoundTrip : public ::testing::TestWithParam<Encoding> {};

TEST_P(PairCodecRoundTrip, DecodesExactlyTheRoundedMessageWithTheStatedSize) {
  const PairCodec codec(std::get<0>(GetParam()), std::get<1>(GetParam()));
  for (const std::size_t pairs : {0, 1, 2, 17, 300}) {
    for (const std::uint64_t dim : {std::uint64_t{1000}, std::uint64_t{2147483647}}) {
      SparseMessage sent = sampleMessage(pairs, dim);
      codec.roundToWire(sent);
      const ByteCounts size = codec.encodedSize(sent);
      std::vector<std::byte> wire(size.total());
      codec.encode(sent, wire);
      SparseMessage decoded;
      codec.decode(wire, dim, decoded);
      EXPECT_EQ(decoded.indices, sent.indices) << pairs << " pairs, d = " << dim;
      EXPECT_EQ(decoded.values, sent.values) << pairs << " pairs, d = " << dim;
      EXPECT_EQ(decoded.dim, dim);
      EXPECT_EQ(size.value, pairs * codec.valueBytes());
      // Read in place where the format allows it (raw fp32 and fp64), the same pairs.
      const std::optional<MessageView> view = codec.view(wire);
      const bool viewable = std::get<1>(GetParam()) == IndexEncoding::kRaw &&
                            std::get<0>(GetParam()) != ValueType::kFloat16;
      ASSERT_EQ(view.has_value(), viewable);
      if (viewable) {
        EXPECT_EQ(indicesOf(*view), sent.indices) << pairs << " pairs, d = " << dim;
        EXPECT_EQ(valuesOf(*view), sent.values) << pairs << " pairs, d = " << dim;
        EXPECT_EQ(size.index, sizeof(std::uint32_t) * view->size());
      }
    }
  }
}

TEST(PairCodec, ViewsValuesThatTheBufferDoesNotAlign) {
  // fp64 values after an odd number of indices sit 4 bytes off an 8-byte boundary.
  const PairCodec codec(ValueType::kFloat64, IndexEncoding::kRaw);
  const SparseMessage sent = sampleMessage(3, 100);
  std::vector<std::byte> wire(codec.encodedSize(sent).total());
  codec.encode(sent, wire);
  const std::optional<MessageView> view = codec.view(wire);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(valuesOf(*view), sent.values);
  // Indices that are not 4-byte aligned are decoded instead.
  std::vector<std::byte> shifted(wire.size() + 1);
  std::copy(wire.begin(), wire.end(), shifted.begin() + 1);
  EXPECT_FALSE(codec.view(std::span(shifted).subspan(1)).has_value());
  const std::vector<std::byte> sevenBytes(7);
  EXPECT_THROW((void)codec.view(sevenBytes), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(
    Encodings, PairCodecRoundTrip,
    ::testing::Combine(::testing::Values(ValueType::kFloat32, ValueType::kFloat64,
                                         ValueType::kFloat16),
                       ::testing::Values(IndexEncoding::kRaw, IndexEncoding::kVarint)));

TEST(PairCodec, RawSizesAreFixedPerPair) {
  const SparseMessage message = sampleMessage(5, 100);
  EXPECT_EQ(PairCodec(ValueType::kFloat32, IndexEncoding::kRaw).encodedSize(message).total(), 40U);
  EXPECT_EQ(PairCodec(ValueType::kFloat64, IndexEncoding::kRaw).encodedSize(message).total(), 60U);
  EXPECT_EQ(PairCodec(ValueType::kFloat16, IndexEncoding::kRaw).encodedSize(message).total(), 30U);
  EXPECT_TRUE(PairCodec(ValueType::kFloat32, IndexEncoding::kRaw).sizeDependsOnlyOnPairs());
  EXPECT_FALSE(PairCodec(ValueType::kFloat32, IndexEncoding::kVarint).sizeDependsOnlyOnPairs());
}

TEST(PairCodec, VarintIndicesCostOneByteForSmallGaps) {
  SparseMessage message;
  message.indices = {0, 1, 127, 128, 300};  // gaps 0, 1, 126, 1, 172 -> 1+1+1+1+2 bytes
  message.values.assign(5, 1.0);
  message.dim = 1000;
  const ByteCounts size =
      PairCodec(ValueType::kFloat32, IndexEncoding::kVarint).encodedSize(message);
  EXPECT_EQ(size.index, 6U);
  EXPECT_EQ(size.header, 4U);  // the pair count
  EXPECT_EQ(size.value, 20U);
}

TEST(PairCodec, RoundsToWirePrecision) {
  SparseMessage message = sampleMessage(3, 10);
  message.values.push_back(1e6);  // beyond half precision's range
  message.indices.push_back(9);
  const std::vector<double> original = message.values;
  PairCodec(ValueType::kFloat64, IndexEncoding::kRaw).roundToWire(message);
  EXPECT_EQ(message.values, original);
  PairCodec(ValueType::kFloat32, IndexEncoding::kRaw).roundToWire(message);
  EXPECT_NE(message.values, original);  // 0.1 - 1e-7 is not a float
  for (std::size_t i = 0; i < original.size(); ++i) {
    EXPECT_EQ(message.values[i], static_cast<double>(static_cast<float>(original[i])));
  }
  PairCodec(ValueType::kFloat16, IndexEncoding::kRaw).roundToWire(message);
  EXPECT_EQ(message.values.back(), 65504.0);  // saturated, not inf
}

TEST(PairCodec, RejectsMalformedBytes) {
  SparseMessage out;
  const std::vector<std::byte> sevenBytes(7);
  EXPECT_THROW(PairCodec(ValueType::kFloat32, IndexEncoding::kRaw).decode(sevenBytes, 10, out),
               std::invalid_argument);
  const std::vector<std::byte> countOnly{std::byte{2}, std::byte{0}, std::byte{0}, std::byte{0}};
  EXPECT_THROW(PairCodec(ValueType::kFloat32, IndexEncoding::kVarint).decode(countOnly, 10, out),
               std::invalid_argument);
}

}  // namespace
}  // namespace memsgd
