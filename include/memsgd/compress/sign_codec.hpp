#pragma once

#include <cstdint>
#include <span>

#include "memsgd/compress/message_codec.hpp"

namespace memsgd {

// Wire format of scaled_sign messages (all d coordinates, values +-scale), as an MSB-first bit
// stream (bit_stream.hpp): the scale as float32 bits (header, 4 bytes), then one bit per
// coordinate in index order, 1 for -scale (values, ceil(d / 8) bytes, zero-padded).
class SignCodec final : public MessageCodec {
 public:
  // Rounds the scale to float32 and every value to +-scale with the value's sign bit.
  void roundToWire(SparseMessage& message) const override;
  [[nodiscard]] ByteCounts encodedSize(const SparseMessage& message) const override;
  // Throws std::invalid_argument unless the message is a rounded one of all dim coordinates.
  void encode(const SparseMessage& message, std::span<std::byte> out) const override;
  void decode(std::span<const std::byte> in, std::uint64_t dim, SparseMessage& out) const override;
  // 32 bits of scale plus one bit per coordinate (EF-signSGD's count).
  [[nodiscard]] std::uint64_t paperBits(const SparseMessage& message) const override;
  [[nodiscard]] bool sizeDependsOnlyOnPairs() const override { return true; }
};

}  // namespace memsgd
