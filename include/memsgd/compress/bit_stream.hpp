#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

namespace memsgd {

// Bit streams for the quantised wire formats (QSGD, signs). Bits are packed MSB-first: the first
// bit of the stream is the most significant bit of byte 0, and a w-bit field is written most
// significant bit first. With this order a canonical Elias-gamma code word is simply n written
// as a (2 floor(log2 n) + 1)-bit field, and streams read like their textbook notation. The last
// byte is padded with zero bits.

// Length of the Elias-gamma code word of n >= 1: floor(log2 n) zeros, then n's binary digits.
constexpr unsigned eliasGammaBits(std::uint64_t n) {
  return 2 * static_cast<unsigned>(std::bit_width(n)) - 1;
}

// Writes into caller-owned memory sized beforehand (e.g. by MessageCodec::encodedSize), so
// writing never allocates. Throws std::length_error when the buffer is too small.
class BitWriter {
 public:
  explicit BitWriter(std::span<std::byte> out)
      : begin_(out.data()), cursor_(out.data()), end_(out.data() + out.size()) {}

  // The low `width` bits of `value`, width <= 64.
  void writeBits(std::uint64_t value, unsigned width);
  void writeBit(bool bit) { writeBits(bit ? 1 : 0, 1); }
  // `count` zero bits, 56 at a time: how runs of empty fixed-width fields are written.
  void writeZeros(std::uint64_t count);
  // Throws std::invalid_argument for n = 0, which has no code word.
  void writeEliasGamma(std::uint64_t n);
  // The IEEE-754 bits of `value` as a 32-bit field.
  void writeFloat(float value) { writeBits(std::bit_cast<std::uint32_t>(value), 32); }
  // Pads the last byte with zero bits; returns the number of bytes written.
  std::size_t finish();

 private:
  // width <= kMaxChunk, so that pending bits (< 8) plus the chunk fit the 64-bit buffer.
  void writeChunk(std::uint64_t value, unsigned width);

  std::byte* begin_;
  std::byte* cursor_;
  std::byte* end_;
  std::uint64_t buffer_ = 0;  // the low pending_ bits are not yet written
  unsigned pending_ = 0;
};

// Reads what a BitWriter wrote. Throws std::invalid_argument when a read goes past the end.
class BitReader {
 public:
  explicit BitReader(std::span<const std::byte> in)
      : cursor_(in.data()), end_(in.data() + in.size()) {}

  // A `width`-bit field, width <= 64.
  std::uint64_t readBits(unsigned width);
  bool readBit() { return readBits(1) != 0; }
  // Throws std::invalid_argument as well for code words longer than 64-bit integers allow.
  std::uint64_t readEliasGamma();
  float readFloat() { return std::bit_cast<float>(static_cast<std::uint32_t>(readBits(32))); }
  // True when all that is left is the zero padding of the last byte (fewer than 8 zero bits).
  [[nodiscard]] bool atPadding() const;

 private:
  std::uint64_t readChunk(unsigned width);  // width <= kMaxChunk
  void refill();

  const std::byte* cursor_;
  const std::byte* end_;
  std::uint64_t buffer_ = 0;  // the low available_ bits are not yet read
  unsigned available_ = 0;
};

}  // namespace memsgd
