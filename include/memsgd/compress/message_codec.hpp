#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "memsgd/compress/byte_counts.hpp"
#include "memsgd/compress/message_view.hpp"
#include "memsgd/compress/sparse_message.hpp"

namespace memsgd {

// The wire format of one compressor's messages: one encode/decode pair with an exact byte count.
// Contract: after roundToWire(c), decode(encode(c)) == c bit for bit, so the sender's memory
// subtracts exactly what every receiver applies.
class MessageCodec {
 public:
  MessageCodec() = default;
  virtual ~MessageCodec() = default;
  MessageCodec(const MessageCodec&) = delete;
  MessageCodec& operator=(const MessageCodec&) = delete;
  MessageCodec(MessageCodec&&) = delete;
  MessageCodec& operator=(MessageCodec&&) = delete;

  // Rounds the message in place to what the wire can carry (value precision, scale as float, ...).
  virtual void roundToWire(SparseMessage& message) const = 0;
  // The exact size encode() writes for `message`, split by what the bytes carry.
  [[nodiscard]] virtual ByteCounts encodedSize(const SparseMessage& message) const = 0;
  // Writes exactly encodedSize(message).total() bytes to `out`.
  virtual void encode(const SparseMessage& message, std::span<std::byte> out) const = 0;
  // Rebuilds a message of dimension `dim` from the bytes one encode() wrote. Throws
  // std::invalid_argument for bytes no encode() could have written.
  virtual void decode(std::span<const std::byte> in, std::uint64_t dim,
                      SparseMessage& out) const = 0;
  // The bytes one encode() wrote, read in place instead of decoded, for formats that store uint32
  // indices and fp32 or fp64 values as they are (and `in` aligned for the indices). Such a format
  // has no header: its index bytes are 4 per pair, the rest are values. nullopt: decode() it.
  // Throws as decode() for bytes no encode() could have written.
  [[nodiscard]] virtual std::optional<MessageView> view(std::span<const std::byte> /*in*/) const {
    return std::nullopt;
  }
  // The paper's accounting: 64 bits per (index, value) pair, 64 per coordinate of a dense vector;
  // codecs with their own convention (QSGD) override it.
  [[nodiscard]] virtual std::uint64_t paperBits(const SparseMessage& message) const {
    return 64 * static_cast<std::uint64_t>(message.size());
  }
  // True when the encoded size depends only on the number of pairs, so ranks that all send the
  // same number of pairs know each other's sizes without exchanging them.
  [[nodiscard]] virtual bool sizeDependsOnlyOnPairs() const = 0;
};

}  // namespace memsgd
