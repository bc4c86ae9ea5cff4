#include "memsgd/compress/sign_codec.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

#include "compress_test_helpers.hpp"
#include "memsgd/compress/scaled_sign.hpp"
#include "wire_test_helpers.hpp"

namespace memsgd {
namespace {

SparseMessage signMessage(const Vector& v, const SignCodec& codec) {
  SparseMessage c;
  ScaledSign<double>(static_cast<std::size_t>(v.size())).compress(v, c);
  codec.roundToWire(c);
  return c;
}

TEST(SignCodec, RoundTripsBitForBitInFourPlusOneBitPerCoordinateBytes) {
  const SignCodec codec;
  Rng rng(13);
  for (const Eigen::Index d : {0, 1, 7, 8, 9, 63, 64, 65, 123, 2000, 100000}) {
    for (const Vector& v : {test::gaussianVector(d, rng), Vector(Vector::Zero(d))}) {
      const SparseMessage sent = signMessage(v, codec);
      const ByteCounts size = codec.encodedSize(sent);
      const auto dim = static_cast<std::uint64_t>(d);
      EXPECT_EQ(size.header, 4U);
      EXPECT_EQ(size.index, 0U);
      EXPECT_EQ(size.value, (dim + 7) / 8);
      EXPECT_EQ(codec.paperBits(sent), 32 + dim);
      const std::vector<std::byte> wire = test::encodeMessage(codec, sent);
      if (!wire.empty()) {
        std::vector<std::byte> tooShort(wire.size() - 1);
        EXPECT_THROW(codec.encode(sent, tooShort), std::length_error);
      }
      SparseMessage received;
      codec.decode(wire, dim, received);
      test::expectBitIdentical(received, sent);
    }
  }
  EXPECT_TRUE(codec.sizeDependsOnlyOnPairs());
}

TEST(SignCodec, WritesTheScaleThenOneBitPerNegativeCoordinate) {
  const SignCodec codec;
  Vector v(10);
  v << -1.0, 1.0, 1.0, -1.0, 1.0, 1.0, 1.0, 1.0, 1.0, -1.0;  // scale 1 = 0x3F800000
  const std::vector<std::byte> expected{std::byte{0x3F},       std::byte{0x80},
                                        std::byte{0x00},       std::byte{0x00},
                                        std::byte{0b10010000}, std::byte{0b01000000}};
  EXPECT_EQ(test::encodeMessage(codec, signMessage(v, codec)), expected);
}

TEST(SignCodec, RoundToWireUsesTheFloatScaleAndKeepsSigns) {
  const SignCodec codec;
  SparseMessage message;
  message.dim = 3;
  message.indices = {0, 1, 2};
  message.scale = 0.1;
  message.values = {0.1, -0.1, 0.1};
  codec.roundToWire(message);
  const double wireScale = 0.1F;
  EXPECT_EQ(message.scale, wireScale);
  EXPECT_EQ(message.values, (std::vector<double>{wireScale, -wireScale, wireScale}));

  message.scale = 1e300;  // saturates at float32's largest finite value
  codec.roundToWire(message);
  EXPECT_EQ(message.values[1], -double{std::numeric_limits<float>::max()});

  message.scale = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(codec.roundToWire(message), std::invalid_argument);
}

TEST(SignCodec, EncodeRejectsUnroundedOrPartialMessages) {
  const SignCodec codec;
  SparseMessage message;
  message.dim = 3;
  message.indices = {0, 1, 2};
  message.scale = 0.5;
  message.values = {0.5, -0.5, 0.4};
  std::vector<std::byte> wire(5);
  EXPECT_THROW(codec.encode(message, wire), std::invalid_argument);
  message.values[2] = 0.5;
  EXPECT_NO_THROW(codec.encode(message, wire));
  message.indices = {0, 2, 1};
  EXPECT_THROW(codec.encode(message, wire), std::invalid_argument);
  message.dim = 4;
  EXPECT_THROW(codec.encode(message, wire), std::invalid_argument);
}

TEST(SignCodec, DecodeRejectsMalformedInput) {
  const SignCodec codec;
  Rng rng(14);
  const std::vector<std::byte> wire =
      test::encodeMessage(codec, signMessage(test::gaussianVector(12, rng), codec));
  ASSERT_EQ(wire.size(), 6U);
  SparseMessage out;
  EXPECT_THROW(codec.decode(std::span(wire).first(5), 12, out), std::invalid_argument);
  std::vector<std::byte> longer = wire;
  longer.push_back(std::byte{0});
  EXPECT_THROW(codec.decode(longer, 12, out), std::invalid_argument);
  std::vector<std::byte> padded = wire;
  padded.back() |= std::byte{0x01};  // 12 signs leave 4 padding bits
  EXPECT_THROW(codec.decode(padded, 12, out), std::invalid_argument);
  for (const std::byte first : {std::byte{0x7F}, std::byte{0xFF}, std::byte{0xBF}}) {
    std::vector<std::byte> badScale = wire;  // 0x7F80...: inf or NaN; 0xBF...: negative
    badScale[0] = first;
    badScale[1] = std::byte{0x80};
    EXPECT_THROW(codec.decode(badScale, 12, out), std::invalid_argument);
  }
}

}  // namespace
}  // namespace memsgd
