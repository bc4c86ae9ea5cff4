#pragma once

#include <cstddef>
#include <span>

#include "memsgd/compress/message_codec.hpp"
#include "memsgd/config/run_config.hpp"

namespace memsgd {

// Wire format of (index, value) messages, little-endian:
//   raw:    packed (uint32 index, value) pairs, nothing else (the pair count is bytes / pair size);
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
  [[nodiscard]] bool sizeDependsOnlyOnPairs() const override {
    return indexEncoding_ == IndexEncoding::kRaw;
  }

 private:
  ValueType valueType_;
  IndexEncoding indexEncoding_;
};

}  // namespace memsgd
