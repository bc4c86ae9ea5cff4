#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <variant>

#include "memsgd/compress/sparse_message.hpp"

namespace memsgd {

// `count` values of type T stored from `bytes` on, read in place. A gathered buffer aligns a
// message's values only to the size of what precedes them, so each read is a memcpy, which the
// compiler turns into one plain load.
template <typename T>
class PackedValues {
 public:
  PackedValues() = default;
  PackedValues(const std::byte* bytes, std::size_t count) : bytes_(bytes), count_(count) {}

  [[nodiscard]] std::size_t size() const { return count_; }
  T operator[](std::size_t i) const {
    T value;
    std::memcpy(&value, bytes_ + i * sizeof(T), sizeof(T));
    return value;
  }

 private:
  const std::byte* bytes_ = nullptr;
  std::size_t count_ = 0;
};

// One message of an aggregate as it is applied: ascending indices and their values in the
// precision they arrived in (fp32 or fp64), read straight from wire bytes where the format lets
// them be, or from a decoded SparseMessage. Valid as long as the bytes or the message are.
struct MessageView {
  std::span<const std::uint32_t> indices;
  std::variant<PackedValues<float>, PackedValues<double>> values;

  [[nodiscard]] std::size_t size() const { return indices.size(); }
};

inline MessageView viewOf(const SparseMessage& message) {
  return {message.indices,
          PackedValues<double>(reinterpret_cast<const std::byte*>(message.values.data()),
                               message.values.size())};
}

}  // namespace memsgd
