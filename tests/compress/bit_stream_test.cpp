#include "memsgd/compress/bit_stream.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "memsgd/util/random.hpp"

namespace memsgd {
namespace {

std::vector<std::byte> bytes(std::initializer_list<unsigned> values) {
  std::vector<std::byte> result;
  for (const unsigned value : values) {
    result.push_back(static_cast<std::byte>(value));
  }
  return result;
}

TEST(BitStream, PacksMostSignificantBitFirstAndPadsWithZeros) {
  std::vector<std::byte> wire(2);
  BitWriter writer(wire);
  writer.writeBit(true);
  writer.writeBit(false);
  writer.writeBits(0b100011U, 6);
  writer.writeBits(0b101U, 3);
  EXPECT_EQ(writer.finish(), 2U);
  EXPECT_EQ(wire, bytes({0b10100011, 0b10100000}));
}

TEST(BitStream, WritesCanonicalEliasGammaCodeWords) {
  EXPECT_EQ(eliasGammaBits(1), 1U);
  EXPECT_EQ(eliasGammaBits(2), 3U);
  EXPECT_EQ(eliasGammaBits(4), 5U);
  EXPECT_EQ(eliasGammaBits(std::numeric_limits<std::uint64_t>::max()), 127U);
  // 1 | 010 | 011 | 00100 | 0001001 (9)
  std::vector<std::byte> wire(3);
  BitWriter writer(wire);
  for (const std::uint64_t n : {1, 2, 3, 4, 9}) {
    writer.writeEliasGamma(n);
  }
  EXPECT_EQ(writer.finish(), 3U);
  EXPECT_EQ(wire, bytes({0b10100110, 0b01000001, 0b00100000}));
}

TEST(BitStream, FieldsOfEveryWidthRoundTrip) {
  Rng rng(3);
  std::vector<std::pair<std::uint64_t, unsigned>> fields;
  std::uint64_t bits = 0;
  for (int repeat = 0; repeat < 20; ++repeat) {
    for (unsigned width = 0; width <= 64; ++width) {
      fields.emplace_back(width == 0 ? 0 : rng.next() >> (64 - width), width);
      bits += width;
    }
  }
  std::vector<std::byte> wire((bits + 7) / 8);
  BitWriter writer(wire);
  for (const auto& [value, width] : fields) {
    writer.writeBits(value, width);
  }
  EXPECT_EQ(writer.finish(), wire.size());
  BitReader reader(wire);
  for (const auto& [value, width] : fields) {
    ASSERT_EQ(reader.readBits(width), value) << width << " bits";
  }
  EXPECT_TRUE(reader.atPadding());
}

TEST(BitStream, WriteBitsKeepsOnlyTheLowBits) {
  std::vector<std::byte> wire(1);
  BitWriter writer(wire);
  writer.writeBits(0xFFU, 3);
  writer.writeZeros(5);
  writer.finish();
  EXPECT_EQ(wire, bytes({0b11100000}));
}

TEST(BitStream, EliasGammaRoundTrips) {
  std::vector<std::uint64_t> numbers{1,
                                     2,
                                     3,
                                     std::uint64_t{1} << 31U,
                                     (std::uint64_t{1} << 32U) - 1,
                                     std::uint64_t{1} << 63U,
                                     std::numeric_limits<std::uint64_t>::max()};
  Rng rng(7);
  for (int i = 0; i < 10000; ++i) {
    const auto digits = static_cast<unsigned>(1 + rng.below(64));  // every code length
    numbers.push_back((rng.next() >> (64 - digits)) | (std::uint64_t{1} << (digits - 1)));
  }
  std::uint64_t bits = 0;
  for (const std::uint64_t n : numbers) {
    bits += eliasGammaBits(n) + 1;
  }
  std::vector<std::byte> wire((bits + 7) / 8);
  BitWriter writer(wire);
  for (const std::uint64_t n : numbers) {
    writer.writeEliasGamma(n);
    writer.writeBit(n % 3 == 0);  // interleaved fields, as in the QSGD stream
  }
  EXPECT_EQ(writer.finish(), wire.size());
  BitReader reader(wire);
  for (const std::uint64_t n : numbers) {
    ASSERT_EQ(reader.readEliasGamma(), n);
    ASSERT_EQ(reader.readBit(), n % 3 == 0);
  }
  EXPECT_TRUE(reader.atPadding());
}

TEST(BitStream, WritesFloatsAsTheirBitsMostSignificantFirst) {
  std::vector<std::byte> wire(4);
  BitWriter writer(wire);
  writer.writeFloat(1.0F);  // 0x3F800000
  writer.finish();
  EXPECT_EQ(wire, bytes({0x3F, 0x80, 0x00, 0x00}));
}

TEST(BitStream, FloatsRoundTripBitForBit) {
  const std::vector<float> floats{0.0F,
                                  -0.0F,
                                  1.5F,
                                  std::numeric_limits<float>::denorm_min(),
                                  std::numeric_limits<float>::max(),
                                  std::numeric_limits<float>::infinity()};
  std::vector<std::byte> wire(4 * floats.size() + 1);
  BitWriter writer(wire);
  writer.writeBit(true);  // misaligned on purpose
  for (const float value : floats) {
    writer.writeFloat(value);
  }
  writer.finish();
  BitReader reader(wire);
  EXPECT_TRUE(reader.readBit());
  for (const float value : floats) {
    EXPECT_EQ(std::bit_cast<std::uint32_t>(reader.readFloat()),
              std::bit_cast<std::uint32_t>(value));
  }
}

TEST(BitStream, ReadingPastTheEndThrows) {
  const std::vector<std::byte> one = bytes({0xFF});
  BitReader fields(one);
  EXPECT_EQ(fields.readBits(5), 0b11111U);
  EXPECT_THROW(fields.readBits(4), std::invalid_argument);

  BitReader empty(std::span<const std::byte>{});
  EXPECT_TRUE(empty.atPadding());
  EXPECT_THROW(empty.readBit(), std::invalid_argument);
  EXPECT_THROW(empty.readEliasGamma(), std::invalid_argument);

  // gamma(5) = 00101 needs 2 more bits than the zeros and leading one that are present.
  const std::vector<std::byte> cut = bytes({0b00000001});
  BitReader gamma(cut);
  EXPECT_THROW(gamma.readEliasGamma(), std::invalid_argument);

  const std::vector<std::byte> zeros(3);
  BitReader noLeadingOne(zeros);
  EXPECT_THROW(noLeadingOne.readEliasGamma(), std::invalid_argument);

  const std::vector<std::byte> three(3);
  BitReader shortFloat(three);
  EXPECT_THROW(shortFloat.readFloat(), std::invalid_argument);
}

TEST(BitStream, RejectsEliasGammaCodeWordsBeyond64Bits) {
  std::vector<std::byte> wire(8);  // 64 zeros, then ones: a 129-bit code word
  wire.resize(20, std::byte{0xFF});
  BitReader reader(wire);
  EXPECT_THROW(reader.readEliasGamma(), std::invalid_argument);
}

TEST(BitStream, WritingPastTheEndThrows) {
  std::vector<std::byte> wire(1);
  BitWriter writer(wire);
  writer.writeBits(0x7F, 7);
  writer.writeBit(true);
  writer.writeBit(true);  // pending: the overflow shows when its byte is complete
  EXPECT_THROW(writer.finish(), std::length_error);

  BitWriter wide(wire);
  EXPECT_THROW(wide.writeBits(0xABCD, 16), std::length_error);
}

TEST(BitStream, EliasGammaOfZeroIsRejected) {
  std::vector<std::byte> wire(1);
  BitWriter writer(wire);
  EXPECT_THROW(writer.writeEliasGamma(0), std::invalid_argument);
}

TEST(BitStream, AtPaddingOnlyForFewerThanEightZeroBits) {
  const std::vector<std::byte> wire = bytes({0b10100000});
  BitReader reader(wire);
  EXPECT_FALSE(reader.atPadding());
  EXPECT_TRUE(reader.readBit());
  EXPECT_FALSE(reader.atPadding());  // a one is still unread
  EXPECT_FALSE(reader.readBit());
  EXPECT_TRUE(reader.readBit());
  EXPECT_TRUE(reader.atPadding());

  const std::vector<std::byte> zeroByte = bytes({0x00});
  EXPECT_FALSE(BitReader(zeroByte).atPadding());  // a whole zero byte is data, not padding
}

}  // namespace
}  // namespace memsgd
