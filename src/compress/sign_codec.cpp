#include "memsgd/compress/sign_codec.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "memsgd/compress/bit_stream.hpp"
#include "memsgd/compress/wire_scale.hpp"

namespace memsgd {
namespace {

constexpr std::uint64_t kScaleBytes = sizeof(float);
// Signs move through the bit stream a 64-bit word at a time rather than bit by bit.
constexpr std::size_t kWordBits = 64;

}  // namespace

void SignCodec::roundToWire(SparseMessage& message) const {
  const double scale = roundScaleToWire(message.scale);
  message.scale = scale;
  for (double& value : message.values) {
    value = withSign(scale, std::signbit(value));
  }
}

ByteCounts SignCodec::encodedSize(const SparseMessage& message) const {
  return {0, (message.size() + 7) / 8, kScaleBytes};
}

void SignCodec::encode(const SparseMessage& message, std::span<std::byte> out) const {
  if (message.size() != message.dim || !isWireScale(message.scale)) {
    throw std::invalid_argument("sign codec: not a rounded message of all d coordinates");
  }
  const double scale = message.scale;
  BitWriter writer(out);
  writer.writeFloat(static_cast<float>(scale));
  for (std::size_t start = 0; start < message.size(); start += kWordBits) {
    const std::size_t end = std::min(start + kWordBits, message.size());
    std::uint64_t word = 0;
    for (std::size_t j = start; j < end; ++j) {
      const double value = message.values[j];
      const bool negative = std::signbit(value);
      if (message.indices[j] != j || value != withSign(scale, negative)) {
        throw std::invalid_argument("sign codec: not a rounded message of all d coordinates");
      }
      word = (word << 1U) | static_cast<std::uint64_t>(negative);
    }
    writer.writeBits(word, static_cast<unsigned>(end - start));
  }
  writer.finish();
}

void SignCodec::decode(std::span<const std::byte> in, std::uint64_t dim, SparseMessage& out) const {
  if (in.size() != kScaleBytes + (dim + 7) / 8) {
    throw std::invalid_argument("sign codec: the message is not 4 + ceil(d / 8) bytes");
  }
  BitReader reader(in);
  const double scale = reader.readFloat();
  if (!isWireScale(scale)) {
    throw std::invalid_argument("sign codec: the scale is not finite and >= +0");
  }
  out.resize(dim, dim);
  out.scale = scale;
  std::iota(out.indices.begin(), out.indices.end(), 0U);
  for (std::size_t start = 0; start < dim; start += kWordBits) {
    const std::size_t end = std::min<std::size_t>(start + kWordBits, dim);
    const std::uint64_t word = reader.readBits(static_cast<unsigned>(end - start));
    for (std::size_t j = start; j < end; ++j) {
      out.values[j] = withSign(scale, ((word >> (end - 1 - j)) & 1U) != 0);
    }
  }
  if (!reader.atPadding()) {
    throw std::invalid_argument("sign codec: nonzero padding bits");
  }
}

std::uint64_t SignCodec::paperBits(const SparseMessage& message) const {
  return 8 * kScaleBytes + message.size();
}

}  // namespace memsgd
