#pragma once

#include <cstddef>
#include <span>

#include "memsgd/compress/sparse_message.hpp"
#include "memsgd/config/run_config.hpp"

namespace memsgd {

// Wire format of a sparse message: packed (uint32 index, value) pairs, little-endian, values as
// float32 or float64. One buffer per message so the exchange is a single MPI call.
class PairCodec {
 public:
  explicit PairCodec(ValueType valueType) : valueType_(valueType) {}

  [[nodiscard]] static constexpr std::size_t indexBytes() { return sizeof(std::uint32_t); }
  [[nodiscard]] std::size_t valueBytes() const;
  [[nodiscard]] std::size_t pairBytes() const { return indexBytes() + valueBytes(); }
  [[nodiscard]] ValueType valueType() const { return valueType_; }

  // Rounds values to wire precision in place, so the sender's memory subtracts exactly what
  // every receiver decodes.
  void roundToWire(SparseMessage& message) const;
  // out.size() must be message.size() * pairBytes().
  void encode(const SparseMessage& message, std::span<std::byte> out) const;
  // Fills `out` from `in` (a whole number of pairs) for a vector of dimension `dim`.
  void decode(std::span<const std::byte> in, std::uint64_t dim, SparseMessage& out) const;

 private:
  ValueType valueType_;
};

}  // namespace memsgd
