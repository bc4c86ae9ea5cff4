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

// The pair count of a raw message of `valueBytes`-byte values.
std::size_t rawPairs(std::span<const std::byte> in, std::size_t valueBytes) {
  const std::size_t pairBytes = sizeof(std::uint32_t) + valueBytes;
  if (in.size() % pairBytes != 0) {
    throw std::invalid_argument("pair message: size is not a whole number of pairs");
  }
  return in.size() / pairBytes;
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
  return encodedSize(message.indices);
}

ByteCounts PairCodec::encodedSize(std::span<const std::uint32_t> indices) const {
  ByteCounts size{0, valueBytes() * indices.size(), 0};
  if (indexEncoding_ == IndexEncoding::kRaw) {
    size.index = sizeof(std::uint32_t) * indices.size();
    return size;
  }
  size.header = sizeof(std::uint32_t);
  std::uint32_t previous = 0;
  for (const std::uint32_t index : indices) {
    size.index += varintBytes(index - previous);
    previous = index;
  }
  return size;
}

void PairCodec::encode(const SparseMessage& message, std::span<std::byte> out) const {
  encode(message.indices, message.values, out);
}

void PairCodec::encode(std::span<const std::uint32_t> indices, std::span<const double> values,
                       std::span<std::byte> out) const {
  withWireType(valueType_, [&]<typename Wire>(Wire /*type*/) {
    std::byte* cursor = out.data();
    if (indexEncoding_ == IndexEncoding::kRaw) {
      if (!indices.empty()) {
        std::memcpy(cursor, indices.data(), indices.size_bytes());
        cursor += indices.size_bytes();
      }
    } else {
      cursor = put(static_cast<std::uint32_t>(indices.size()), cursor);
      std::uint32_t previous = 0;
      for (const std::uint32_t index : indices) {
        cursor = writeVarint(index - previous, cursor);
        previous = index;
      }
    }
    for (const double value : values) {
      cursor = put(static_cast<Wire>(value), cursor);
    }
  });
}

void PairCodec::decode(std::span<const std::byte> in, std::uint64_t dim, SparseMessage& out) const {
  withWireType(valueType_, [&]<typename Wire>(Wire /*type*/) {
    const std::byte* cursor = in.data();
    const std::byte* const end = in.data() + in.size();
    out.scale = 0.0;
    if (indexEncoding_ == IndexEncoding::kRaw) {
      out.resize(rawPairs(in, sizeof(Wire)), dim);
      if (out.size() > 0) {
        std::memcpy(out.indices.data(), cursor, out.size() * sizeof(std::uint32_t));
        cursor += out.size() * sizeof(std::uint32_t);
      }
    } else {
      std::uint32_t pairs = 0;
      if (in.size() < sizeof pairs) {
        throw std::invalid_argument("pair message: missing pair count");
      }
      cursor = get(cursor, pairs);
      out.resize(pairs, dim);
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
    }
    Wire wire{};
    for (double& value : out.values) {
      cursor = get(cursor, wire);
      value = static_cast<double>(wire);
    }
  });
}

std::optional<MessageView> PairCodec::view(std::span<const std::byte> in) const {
  if (indexEncoding_ != IndexEncoding::kRaw || valueType_ == ValueType::kFloat16 ||
      reinterpret_cast<std::uintptr_t>(in.data()) % alignof(std::uint32_t) != 0) {
    return std::nullopt;
  }
  const std::size_t pairs = rawPairs(in, valueBytes());
  // MPI wrote the bytes as a memcpy would, which creates the uint32 objects read here.
  const std::span indices(reinterpret_cast<const std::uint32_t*>(in.data()), pairs);
  const std::byte* values = in.data() + pairs * sizeof(std::uint32_t);
  if (valueType_ == ValueType::kFloat32) {
    return MessageView{indices, PackedValues<float>(values, pairs)};
  }
  return MessageView{indices, PackedValues<double>(values, pairs)};
}

}  // namespace memsgd
