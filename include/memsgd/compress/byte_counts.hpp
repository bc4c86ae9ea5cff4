#pragma once

#include <cstdint>

namespace memsgd {

// Bytes of an encoded message (or of traffic), by what they carry.
struct ByteCounts {
  std::uint64_t index = 0;
  std::uint64_t value = 0;
  std::uint64_t header = 0;  // message sizes, norms, scales, encoding tags
  [[nodiscard]] std::uint64_t total() const { return index + value + header; }
  ByteCounts& operator+=(const ByteCounts& other) {
    index += other.index;
    value += other.value;
    header += other.header;
    return *this;
  }
  [[nodiscard]] ByteCounts times(std::uint64_t factor) const {
    return {index * factor, value * factor, header * factor};
  }
};

}  // namespace memsgd
