#include "memsgd/compress/pair_codec.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>

namespace memsgd {

static_assert(std::endian::native == std::endian::little,
              "the wire format is little-endian; big-endian hosts need byte swapping here");

namespace {

constexpr double kLargestHalf = 65504.0;

std::size_t varintBytes(std::uint32_t value) {
  return value < (1U << 7U)    ? 1
         : value < (1U << 14U) ? 2
         : value < (1U << 21U) ? 3
         : value < (1U << 28U) ? 4
                               : 5;
}

std::byte* writeVarint(std::uint32_t value, std::byte* out) {
  while (value >= 0x80U) {
    *out++ = static_cast<std::byte>((value & 0x7FU) | 0x80U);
    value >>= 7U;
  }
  *out++ = static_cast<std::byte>(value);
  return out;
}

const std::byte* readVarint(const std::byte* in, const std::byte* end, std::uint32_t& value) {
  value = 0;
  for (unsigned shift = 0; shift < 35; shift += 7) {
    if (in == end) {
      break;
    }
    const auto byte = std::to_integer<std::uint32_t>(*in++);
    value |= (byte & 0x7FU) << shift;
    if ((byte & 0x80U) == 0) {
      return in;
    }
  }
  throw std::invalid_argument("pair message: truncated or overlong varint index");
}

template <typename T>
std::byte* put(const T& value, std::byte* out) {
  std::memcpy(out, &value, sizeof value);
  return out + sizeof value;
}

template <typename T>
const std::byte* get(const std::byte* in, T& value) {
  std::memcpy(&value, in, sizeof value);
  return in + sizeof value;
}

// Calls f(W{}) where W is the C++ type of the wire values: dispatching once per message keeps the
// per-pair loops free of branches, so they compile to plain loads and stores.
template <typename F>
decltype(auto) withWireType(ValueType valueType, F&& f) {
  switch (valueType) {
    case ValueType::kFloat32:
      return f(float{});
    case ValueType::kFloat64:
      return f(double{});
    case ValueType::kFloat16:
      return f(Eigen::half{});
  }
  throw std::logic_error("pair codec: unknown wire value type");
}

}  // namespace

std::size_t PairCodec::valueBytes() const {
  return withWireType(valueType_, [](auto wire) { return sizeof wire; });
}

void PairCodec::roundToWire(SparseMessage& message) const {
  if (valueType_ == ValueType::kFloat32) {
    for (double& value : message.values) {
      value = static_cast<float>(value);
    }
  } else if (valueType_ == ValueType::kFloat16) {
    for (double& value : message.values) {
      // Saturate rather than overflow to inf: with memory, the excess waits for later steps.
      value = static_cast<double>(Eigen::half(std::clamp(value, -kLargestHalf, kLargestHalf)));
    }
  }
}

ByteCounts PairCodec::encodedSize(const SparseMessage& message) const {
  ByteCounts size{0, valueBytes() * message.size(), 0};
  if (indexEncoding_ == IndexEncoding::kRaw) {
    size.index = sizeof(std::uint32_t) * message.size();
    return size;
  }
  size.header = sizeof(std::uint32_t);
  std::uint32_t previous = 0;
  for (const std::uint32_t index : message.indices) {
    size.index += varintBytes(index - previous);
    previous = index;
  }
  return size;
}

void PairCodec::encode(const SparseMessage& message, std::span<std::byte> out) const {
  withWireType(valueType_, [&]<typename Wire>(Wire /*type*/) {
    std::byte* cursor = out.data();
    if (indexEncoding_ == IndexEncoding::kRaw) {
      for (std::size_t i = 0; i < message.size(); ++i) {
        cursor = put(message.indices[i], cursor);
        cursor = put(static_cast<Wire>(message.values[i]), cursor);
      }
      return;
    }
    cursor = put(static_cast<std::uint32_t>(message.size()), cursor);
    std::uint32_t previous = 0;
    for (const std::uint32_t index : message.indices) {
      cursor = writeVarint(index - previous, cursor);
      previous = index;
    }
    for (const double value : message.values) {
      cursor = put(static_cast<Wire>(value), cursor);
    }
  });
}

void PairCodec::decode(std::span<const std::byte> in, std::uint64_t dim, SparseMessage& out) const {
  withWireType(valueType_, [&]<typename Wire>(Wire /*type*/) {
    const std::byte* cursor = in.data();
    const std::byte* const end = in.data() + in.size();
    Wire wire{};
    if (indexEncoding_ == IndexEncoding::kRaw) {
      const std::size_t pairBytes = sizeof(std::uint32_t) + sizeof(Wire);
      if (in.size() % pairBytes != 0) {
        throw std::invalid_argument("pair message: size is not a whole number of pairs");
      }
      out.resize(in.size() / pairBytes, dim);
      out.scale = 0.0;
      for (std::size_t i = 0; i < out.size(); ++i) {
        cursor = get(cursor, out.indices[i]);
        cursor = get(cursor, wire);
        out.values[i] = static_cast<double>(wire);
      }
      return;
    }
    std::uint32_t pairs = 0;
    if (in.size() < sizeof pairs) {
      throw std::invalid_argument("pair message: missing pair count");
    }
    cursor = get(cursor, pairs);
    out.resize(pairs, dim);
    out.scale = 0.0;
    std::uint32_t index = 0;
    for (std::uint32_t& decoded : out.indices) {
      std::uint32_t gap = 0;
      cursor = readVarint(cursor, end, gap);
      index += gap;
      decoded = index;
    }
    if (static_cast<std::size_t>(end - cursor) != pairs * sizeof(Wire)) {
      throw std::invalid_argument("pair message: value bytes do not match the pair count");
    }
    for (double& value : out.values) {
      cursor = get(cursor, wire);
      value = static_cast<double>(wire);
    }
  });
}

}  // namespace memsgd
