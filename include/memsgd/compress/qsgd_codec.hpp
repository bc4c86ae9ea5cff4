#pragma once

#include <cstdint>
#include <span>

#include "memsgd/compress/bit_stream.hpp"
#include "memsgd/compress/message_codec.hpp"
#include "memsgd/config/run_config.hpp"

namespace memsgd {

// Wire format of qsgd messages: the two encodings of QSGD (Alistarh et al. 2017, Section 3),
// as one MSB-first bit stream (bit_stream.hpp):
//   header      8-bit tag (0: Elias gamma, 1: fixed width), then ||v|| as float32 bits;
//   Elias gamma gamma(n + 1) for the n nonzero levels, then per nonzero coordinate in index
//               order: gamma(gap), a sign bit (1: negative), gamma(level), where gap is the
//               distance to the previous nonzero index and the first gap is index + 1, so every
//               gap is >= 1. The count is ours, not the paper's: without it, cutting the stream
//               after any whole coordinate would leave a valid shorter message;
//   fixed width per coordinate j in [0, d): a sign bit, then the level in b = ceil(log2(s + 1))
//               bits (a zero level carries sign 0);
//   auto        whichever of the two is shorter for this message, fixed width on a tie.
// The integers are Elias-gamma coded where the paper uses Elias's recursive (omega) code.
// The last byte is padded with zero bits. Byte accounting: the stream is header bits (tag, norm,
// count), then index bits (the gaps), then value bits (signs and levels; all of fixed width),
// interleaved on the wire but counted per part; each byte is charged to the part that holds its
// last bit, so the padded final byte goes to the values.
class QsgdCodec final : public MessageCodec {
 public:
  // levels = s >= 1 (the compressor's); throws std::invalid_argument otherwise.
  QsgdCodec(std::uint32_t levels, QsgdEncoding encoding);

  // Keeps the levels l_j = round(|c_j| s / scale) (saturated at s; pairs that round to level 0
  // are dropped) and rebuilds every value from the float32 norm with qsgdValue(), the expression
  // decode() uses, so the sender's memory subtracts exactly what receivers apply. The norm is
  // rounded by roundScaleToWire() (wire_scale.hpp); one that underflows to 0 empties the message.
  void roundToWire(SparseMessage& message) const override;
  // encode() throws std::invalid_argument for a message that roundToWire() did not produce or
  // whose indices do not ascend within [0, dim); so does encodedSize() when it reads the pairs.
  [[nodiscard]] ByteCounts encodedSize(const SparseMessage& message) const override;
  void encode(const SparseMessage& message, std::span<std::byte> out) const override;
  void decode(std::span<const std::byte> in, std::uint64_t dim, SparseMessage& out) const override;
  // The paper's convention for QSGD: the smaller of its two encodings in bits, each with the
  // 32-bit norm but without our tag, count and padding.
  [[nodiscard]] std::uint64_t paperBits(const SparseMessage& message) const override;
  [[nodiscard]] bool sizeDependsOnlyOnPairs() const override { return false; }

 private:
  enum class Tag : std::uint8_t { kEliasGamma = 0, kFixedWidth = 1 };
  struct Choice {
    Tag tag{};
    ByteCounts size;
  };

  // The encoding encode() writes for `message` under encoding_, with its size.
  [[nodiscard]] Choice choose(const SparseMessage& message) const;
  void decodeEliasGamma(BitReader& reader, SparseMessage& out) const;
  void decodeFixedWidth(BitReader& reader, SparseMessage& out) const;

  std::uint32_t levels_;
  unsigned levelBits_;  // b = ceil(log2(s + 1)) = bit_width(s)
  QsgdEncoding encoding_;
};

}  // namespace memsgd
