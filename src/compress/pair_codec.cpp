#include "memsgd/compress/pair_codec.hpp"

#include <bit>
#include <cstring>

namespace memsgd {

static_assert(std::endian::native == std::endian::little,
              "the wire format is little-endian; big-endian hosts need byte swapping here");

std::size_t PairCodec::valueBytes() const {
  return valueType_ == ValueType::kFloat32 ? sizeof(float) : sizeof(double);
}

void PairCodec::roundToWire(SparseMessage& message) const {
  if (valueType_ == ValueType::kFloat32) {
    for (double& value : message.values) {
      value = static_cast<float>(value);
    }
  }
}

void PairCodec::encode(const SparseMessage& message, std::span<std::byte> out) const {
  std::byte* cursor = out.data();
  for (std::size_t i = 0; i < message.size(); ++i) {
    std::memcpy(cursor, &message.indices[i], indexBytes());
    cursor += indexBytes();
    if (valueType_ == ValueType::kFloat32) {
      const auto value = static_cast<float>(message.values[i]);
      std::memcpy(cursor, &value, sizeof value);
    } else {
      std::memcpy(cursor, &message.values[i], sizeof(double));
    }
    cursor += valueBytes();
  }
}

void PairCodec::decode(std::span<const std::byte> in, std::uint64_t dim, SparseMessage& out) const {
  const std::size_t pairs = in.size() / pairBytes();
  out.resize(pairs, dim);
  const std::byte* cursor = in.data();
  for (std::size_t i = 0; i < pairs; ++i) {
    std::memcpy(&out.indices[i], cursor, indexBytes());
    cursor += indexBytes();
    if (valueType_ == ValueType::kFloat32) {
      float value = 0.0F;
      std::memcpy(&value, cursor, sizeof value);
      out.values[i] = value;
    } else {
      std::memcpy(&out.values[i], cursor, sizeof(double));
    }
    cursor += valueBytes();
  }
}

}  // namespace memsgd
