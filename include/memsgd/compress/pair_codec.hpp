#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "memsgd/compress/message_codec.hpp"
#include "memsgd/config/run_config.hpp"

namespace memsgd {

// Wire format of (index, value) messages, little-endian:
//   raw:    the uint32 indices, then the values, nothing else (the pair count is bytes / pair
//           size): a receiver reads fp32 and fp64 messages in place (view);
//   varint: uint32 pair count, the ascending indices as LEB128 varints of their gaps
//           (first index, then index[i] - index[i-1]), then the values.
// Values are float32, float64 or float16 (saturated at +-65504, the largest finite half).
class PairCodec final : public MessageCodec {
 public:
  PairCodec(ValueType valueType, IndexEncoding indexEncoding)
      : valueType_(valueType), indexEncoding_(indexEncoding) {}

  [[nodiscard]] std::size_t valueBytes() const;

  void roundToWire(SparseMessage& message) const override;
  [[nodiscard]] ByteCounts encodedSize(const SparseMessage& message) const override;
  void encode(const SparseMessage& message, std::span<std::byte> out) const override;
  void decode(std::span<const std::byte> in, std::uint64_t dim, SparseMessage& out) const override;
  [[nodiscard]] std::optional<MessageView> view(std::span<const std::byte> in) const override;
  // The message of these pairs (indices ascending, values rounded to the wire), for a slice of a
  // message that is not a SparseMessage of its own.
  [[nodiscard]] ByteCounts encodedSize(std::span<const std::uint32_t> indices) const;
  void encode(std::span<const std::uint32_t> indices, std::span<const double> values,
              std::span<std::byte> out) const;
  [[nodiscard]] bool sizeDependsOnlyOnPairs() const override {
    return indexEncoding_ == IndexEncoding::kRaw;
  }

 private:
  ValueType valueType_;
  IndexEncoding indexEncoding_;
};

}  // namespace memsgd
