#include "memsgd/compress/qsgd_codec.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "compress_test_helpers.hpp"
#include "memsgd/compress/bit_stream.hpp"
#include "memsgd/compress/qsgd.hpp"
#include "wire_test_helpers.hpp"

namespace memsgd {
namespace {

constexpr std::uint64_t kHeaderBits = 8 + 32;  // tag and float32 norm

SparseMessage quantised(const Vector& v, std::uint32_t s, const QsgdCodec& codec) {
  SparseMessage c;
  Qsgd<double>(s, Rng(static_cast<std::uint64_t>(v.size()))).compress(v, c);
  codec.roundToWire(c);
  return c;
}

std::vector<Vector> inputs(Eigen::Index d, Rng& rng) {
  Vector spike = Vector::Constant(d, 1e-3);
  spike[d / 2] = -1e6;
  return {test::gaussianVector(d, rng), spike, Vector::Zero(d)};
}

// Builds a stream by hand, for inputs no encoder writes.
template <typename Write>
std::vector<std::byte> handWritten(Write write) {
  std::vector<std::byte> wire(64);
  BitWriter writer(wire);
  write(writer);
  wire.resize(writer.finish());
  return wire;
}

// The Elias-gamma stream's bits by part, counted independently of the codec.
struct EliasBits {
  std::uint64_t header = 0;
  std::uint64_t index = 0;
  std::uint64_t value = 0;
};

EliasBits eliasBits(const SparseMessage& message, std::uint32_t s) {
  EliasBits bits{kHeaderBits + eliasGammaBits(message.size() + 1), 0, 0};
  std::int64_t previous = -1;
  for (std::size_t i = 0; i < message.size(); ++i) {
    bits.index += eliasGammaBits(static_cast<std::uint64_t>(message.indices[i] - previous));
    previous = message.indices[i];
    const auto level =
        static_cast<std::uint64_t>(std::round(std::abs(message.values[i]) * s / message.scale));
    bits.value += 1 + eliasGammaBits(level);
  }
  return bits;
}

using Params = std::tuple<QsgdEncoding, std::uint32_t>;
class QsgdCodecRoundTrip : public ::testing::TestWithParam<Params> {};

TEST_P(QsgdCodecRoundTrip, DecodesBitForBitWhatWasSentInTheStatedBytes) {
  const auto [encoding, s] = GetParam();
  const QsgdCodec codec(s, encoding);
  const QsgdCodec elias(s, QsgdEncoding::kEliasGamma);
  const QsgdCodec fixed(s, QsgdEncoding::kFixedWidth);
  const auto levelBits = static_cast<std::uint64_t>(std::bit_width(s));
  Rng rng(21);
  for (const Eigen::Index d : {1, 2, 123, 2000, 100000}) {
    for (const Vector& v : inputs(d, rng)) {
      const SparseMessage sent = quantised(v, s, codec);
      const ByteCounts size = codec.encodedSize(sent);
      // Exactly encodedSize() bytes: encode() throws when it needs more, and decode() rejects
      // any byte left unwritten after the stream.
      const std::vector<std::byte> wire = test::encodeMessage(codec, sent);
      if (!wire.empty()) {
        std::vector<std::byte> tooShort(wire.size() - 1);
        EXPECT_THROW(codec.encode(sent, tooShort), std::length_error);
      }
      SparseMessage received;
      received.indices = {3};  // stale content must not survive
      received.values = {1.0};
      codec.decode(wire, static_cast<std::uint64_t>(d), received);
      test::expectBitIdentical(received, sent);
      EXPECT_EQ(codec.encodedSize(received).total(), size.total());  // what receivers count

      const std::uint64_t fixedBytes = (static_cast<std::uint64_t>(d) * (1 + levelBits) + 7) / 8;
      const ByteCounts fixedSize = fixed.encodedSize(sent);
      EXPECT_EQ(fixedSize.header, kHeaderBits / 8);
      EXPECT_EQ(fixedSize.index, 0U);
      EXPECT_EQ(fixedSize.value, fixedBytes);
      const EliasBits bits = eliasBits(sent, s);
      const ByteCounts eliasSize = elias.encodedSize(sent);
      EXPECT_EQ(eliasSize.header, bits.header / 8);
      EXPECT_EQ(eliasSize.header + eliasSize.index, (bits.header + bits.index) / 8);
      EXPECT_EQ(eliasSize.total(), (bits.header + bits.index + bits.value + 7) / 8);
      // auto writes the shorter, fixed width on a tie, and says which in its tag byte.
      const bool eliasShorter = eliasSize.total() < fixedSize.total();
      EXPECT_EQ(QsgdCodec(s, QsgdEncoding::kAuto).encodedSize(sent).total(),
                eliasShorter ? eliasSize.total() : fixedSize.total());
      if (encoding == QsgdEncoding::kAuto) {
        EXPECT_EQ(wire[0], eliasShorter ? std::byte{0} : std::byte{1});
      }
      EXPECT_EQ(
          codec.paperBits(sent),
          32 + std::min(bits.index + bits.value, static_cast<std::uint64_t>(d) * (1 + levelBits)));
    }
  }
}

std::string paramName(const ::testing::TestParamInfo<Params>& info) {
  const QsgdEncoding encoding = std::get<0>(info.param);
  const std::string name = encoding == QsgdEncoding::kAuto         ? "auto"
                           : encoding == QsgdEncoding::kEliasGamma ? "elias_gamma"
                                                                   : "fixed_width";
  return name + "_s" + std::to_string(std::get<1>(info.param));
}

INSTANTIATE_TEST_SUITE_P(EncodingsAndLevels, QsgdCodecRoundTrip,
                         ::testing::Combine(::testing::Values(QsgdEncoding::kAuto,
                                                              QsgdEncoding::kEliasGamma,
                                                              QsgdEncoding::kFixedWidth),
                                            ::testing::Values(1U, 2U, 4U, 16U, 256U)),
                         paramName);

// d = 10, s = 4, norm 1: c_2 = 1/4 (level 1), c_3 = -1 (level 4), c_9 = 1/2 (level 2).
SparseMessage smallMessage() {
  SparseMessage message;
  message.dim = 10;
  message.scale = 1.0;
  message.indices = {2, 3, 9};
  message.values = {0.25, -1.0, 0.5};
  return message;
}

TEST(QsgdCodec, WritesTheDocumentedEliasGammaStream) {
  const QsgdCodec codec(4, QsgdEncoding::kEliasGamma);
  const SparseMessage message = smallMessage();
  // tag 0, 1.0F, then gamma(3 + 1) = 00100; gaps 3, 1, 6; signs 0, 1, 0; levels 1, 4, 2:
  // 00100 | 011 0 1 | 1 1 00100 | 00110 0 010 | 000000 (padding)
  const std::vector<std::byte> expected{std::byte{0x00}, std::byte{0x3F}, std::byte{0x80},
                                        std::byte{0x00}, std::byte{0x00}, std::byte{0x23},
                                        std::byte{0x72}, std::byte{0x18}, std::byte{0x80}};
  EXPECT_EQ(test::encodeMessage(codec, message), expected);
  // 45 header bits, 9 gap bits, 12 sign and level bits: bytes charged by where they end.
  const ByteCounts size = codec.encodedSize(message);
  EXPECT_EQ(size.header, 5U);
  EXPECT_EQ(size.index, 1U);
  EXPECT_EQ(size.value, 3U);
  EXPECT_EQ(codec.paperBits(message), 32U + 9 + 12);  // the shorter: fixed width has 40 bits
}

TEST(QsgdCodec, WritesTheDocumentedFixedWidthStream) {
  const QsgdCodec codec(4, QsgdEncoding::kFixedWidth);
  // tag 1, 1.0F, then sign + 3 level bits per coordinate: 0000 0000 0001 1100 0000 ... 0010
  const std::vector<std::byte> expected{
      std::byte{0x01}, std::byte{0x3F}, std::byte{0x80}, std::byte{0x00}, std::byte{0x00},
      std::byte{0x00}, std::byte{0x1C}, std::byte{0x00}, std::byte{0x00}, std::byte{0x02}};
  EXPECT_EQ(test::encodeMessage(codec, smallMessage()), expected);
  EXPECT_EQ(QsgdCodec(4, QsgdEncoding::kAuto).encodedSize(smallMessage()).total(), 9U);
}

TEST(QsgdCodec, EmptyMessageCarriesOnlyTheNorm) {
  SparseMessage empty;
  empty.dim = 1000;
  for (const double norm : {0.0, 2.5}) {  // s = 1 can round every level down to 0
    empty.scale = norm;
    const QsgdCodec elias(16, QsgdEncoding::kEliasGamma);
    EXPECT_EQ(elias.encodedSize(empty).total(), 6U);  // header and gamma(1), one bit
    const QsgdCodec fixed(16, QsgdEncoding::kFixedWidth);
    EXPECT_EQ(fixed.encodedSize(empty).total(), 5U + (1000 * 6 + 7) / 8);
    for (const QsgdCodec* codec : {&elias, &fixed}) {
      SparseMessage received;
      codec->decode(test::encodeMessage(*codec, empty), 1000, received);
      test::expectBitIdentical(received, empty);
    }
  }
}

TEST(QsgdCodec, RoundToWireKeepsLevelsOnAFloatNorm) {
  const std::uint32_t s = 16;
  const QsgdCodec codec(s, QsgdEncoding::kAuto);
  Rng rng(8);
  const Vector v = test::gaussianVector(300, rng) * 1e-3;
  SparseMessage c;
  Qsgd<double>(s, Rng(3)).compress(v, c);
  const SparseMessage original = c;
  codec.roundToWire(c);
  const double wireScale = static_cast<float>(original.scale);
  EXPECT_EQ(c.scale, wireScale);
  EXPECT_NE(c.scale, original.scale);  // the point of rounding: a norm float32 cannot carry
  ASSERT_EQ(c.indices, original.indices);
  for (std::size_t i = 0; i < c.size(); ++i) {
    const auto level =
        static_cast<std::uint32_t>(std::round(std::abs(original.values[i]) * s / original.scale));
    EXPECT_EQ(c.values[i], qsgdValue(wireScale, level, original.values[i] < 0, s));
  }
  SparseMessage twice = c;
  codec.roundToWire(twice);
  test::expectBitIdentical(twice, c);
}

TEST(QsgdCodec, RoundToWireSaturatesAndDropsZeroLevels) {
  const QsgdCodec codec(4, QsgdEncoding::kAuto);
  SparseMessage message = smallMessage();
  message.values = {0.1, -7.0, 0.5};  // levels 0.4 -> 0 (dropped), 28 -> s, 2
  codec.roundToWire(message);
  EXPECT_EQ(message.indices, (std::vector<std::uint32_t>{3, 9}));
  EXPECT_EQ(message.values, (std::vector<double>{-1.0, 0.5}));

  SparseMessage huge = smallMessage();
  huge.scale = 1e300;
  huge.values = {-1e300};
  huge.indices = {4};
  codec.roundToWire(huge);
  EXPECT_EQ(huge.scale, double{std::numeric_limits<float>::max()});
  EXPECT_EQ(huge.values, std::vector<double>{-double{std::numeric_limits<float>::max()}});

  SparseMessage tiny = smallMessage();
  tiny.scale = 1e-50;  // below float32's smallest subnormal: nothing can be sent
  codec.roundToWire(tiny);
  EXPECT_EQ(tiny.size(), 0U);
  EXPECT_EQ(tiny.scale, 0.0);

  for (const double bad : {-1.0, -0.0, std::numeric_limits<double>::infinity(),
                           std::numeric_limits<double>::quiet_NaN()}) {
    SparseMessage invalid = smallMessage();
    invalid.scale = bad;
    EXPECT_THROW(codec.roundToWire(invalid), std::invalid_argument) << bad;
  }
}

TEST(QsgdCodec, EncodeRejectsMessagesNotRoundedToTheWire) {
  for (const QsgdEncoding encoding : {QsgdEncoding::kEliasGamma, QsgdEncoding::kFixedWidth}) {
    const QsgdCodec codec(4, encoding);
    std::vector<std::byte> wire(64);
    SparseMessage offGrid = smallMessage();
    offGrid.values[1] = -0.9;
    EXPECT_THROW(codec.encode(offGrid, wire), std::invalid_argument);
    SparseMessage doubleNorm = smallMessage();
    doubleNorm.scale = 0.1;  // not a float32
    doubleNorm.values = {0.025, -0.1, 0.05};
    EXPECT_THROW(codec.encode(doubleNorm, wire), std::invalid_argument);
    SparseMessage unordered = smallMessage();
    std::swap(unordered.indices[0], unordered.indices[1]);
    EXPECT_THROW(codec.encode(unordered, wire), std::invalid_argument);
    SparseMessage outside = smallMessage();
    outside.indices[2] = 10;
    EXPECT_THROW(codec.encode(outside, wire), std::invalid_argument);
  }
  EXPECT_THROW(QsgdCodec(0, QsgdEncoding::kAuto), std::invalid_argument);
}

TEST(QsgdCodec, DecodeRejectsEveryTruncationAndTrailingBytes) {
  Rng rng(4);
  const Vector v = test::gaussianVector(200, rng);
  for (const QsgdEncoding encoding : {QsgdEncoding::kEliasGamma, QsgdEncoding::kFixedWidth}) {
    const QsgdCodec codec(4, encoding);
    const std::vector<std::byte> wire = test::encodeMessage(codec, quantised(v, 4, codec));
    SparseMessage out;
    for (std::size_t bytes = 0; bytes < wire.size(); ++bytes) {
      EXPECT_THROW(codec.decode(std::span(wire).first(bytes), 200, out), std::invalid_argument)
          << bytes << " of " << wire.size() << " bytes";
    }
    for (const std::byte extra : {std::byte{0x00}, std::byte{0x80}}) {
      std::vector<std::byte> longer = wire;
      longer.push_back(extra);
      EXPECT_THROW(codec.decode(longer, 200, out), std::invalid_argument);
    }
  }
}

TEST(QsgdCodec, DecodeRejectsMalformedStreams) {
  const QsgdCodec elias(4, QsgdEncoding::kEliasGamma);
  const QsgdCodec fixed(4, QsgdEncoding::kFixedWidth);
  const QsgdCodec automatic(4, QsgdEncoding::kAuto);
  SparseMessage out;
  const auto header = [](BitWriter& writer, unsigned tag, float norm) {
    writer.writeBits(tag, 8);
    writer.writeFloat(norm);
  };
  // One Elias-gamma coordinate (gap, sign, level) after a count of one.
  const auto eliasOne = [&](float norm, std::uint64_t count, std::uint64_t gap, bool negative,
                            std::uint64_t level) {
    return handWritten([&](BitWriter& writer) {
      header(writer, 0, norm);
      writer.writeEliasGamma(count + 1);
      writer.writeEliasGamma(gap);
      writer.writeBit(negative);
      writer.writeEliasGamma(level);
    });
  };
  EXPECT_NO_THROW(elias.decode(eliasOne(1.0F, 1, 10, true, 4), 10, out));  // the valid baseline
  EXPECT_THROW(elias.decode(eliasOne(1.0F, 1, 10, false, 5), 10, out), std::invalid_argument);
  EXPECT_THROW(elias.decode(eliasOne(1.0F, 1, 11, false, 1), 10, out), std::invalid_argument);
  EXPECT_THROW(elias.decode(eliasOne(1.0F, 11, 1, false, 1), 10, out), std::invalid_argument);
  EXPECT_THROW(elias.decode(eliasOne(0.0F, 1, 1, false, 1), 10, out), std::invalid_argument);
  for (const float norm : {-1.0F, -0.0F, std::numeric_limits<float>::infinity(),
                           std::numeric_limits<float>::quiet_NaN()}) {
    EXPECT_THROW(elias.decode(eliasOne(norm, 1, 1, false, 1), 10, out), std::invalid_argument);
  }

  // Fixed width, b = 3 bits of level: level 5 > s, and a sign on level 0.
  const auto fixedFields = [&](std::initializer_list<unsigned> fields) {
    return handWritten([&](BitWriter& writer) {
      header(writer, 1, 1.0F);
      for (const unsigned field : fields) {
        writer.writeBits(field, 4);
      }
    });
  };
  EXPECT_NO_THROW(fixed.decode(fixedFields({0b0001, 0b1100}), 2, out));
  EXPECT_THROW(fixed.decode(fixedFields({0b0001, 0b0101}), 2, out), std::invalid_argument);
  EXPECT_THROW(fixed.decode(fixedFields({0b0001, 0b1000}), 2, out), std::invalid_argument);

  // Tags: unknown, or an encoding this codec never writes.
  const std::vector<std::byte> unknownTag = handWritten([&](BitWriter& writer) {
    header(writer, 2, 1.0F);
    writer.writeEliasGamma(1);
  });
  EXPECT_THROW(automatic.decode(unknownTag, 10, out), std::invalid_argument);
  EXPECT_THROW(elias.decode(fixedFields({0b0001, 0b1100}), 2, out), std::invalid_argument);
  EXPECT_THROW(fixed.decode(eliasOne(1.0F, 1, 10, true, 4), 10, out), std::invalid_argument);
  // auto always writes the shorter encoding, here Elias gamma (9 bytes against 10).
  const std::vector<std::byte> longer = test::encodeMessage(fixed, smallMessage());
  EXPECT_THROW(automatic.decode(longer, 10, out), std::invalid_argument);
  EXPECT_NO_THROW(fixed.decode(longer, 10, out));

  // Nonzero padding after the last coordinate.
  std::vector<std::byte> padded = test::encodeMessage(elias, smallMessage());
  padded.back() |= std::byte{0x01};
  EXPECT_THROW(elias.decode(padded, 10, out), std::invalid_argument);
}

}  // namespace
}  // namespace memsgd
