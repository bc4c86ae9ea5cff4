#include "memsgd/compress/qsgd_codec.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "memsgd/compress/qsgd.hpp"
#include "memsgd/compress/wire_scale.hpp"

namespace memsgd {
namespace {

constexpr unsigned kTagBits = 8;
constexpr unsigned kNormBits = 32;

// Bits of one encoding, by the part of the message they carry.
struct StreamBits {
  std::uint64_t header = 0;
  std::uint64_t index = 0;
  std::uint64_t value = 0;
};

// Each byte is charged to the part holding its last bit; the padded final byte to the values.
ByteCounts bytesOf(const StreamBits& bits) {
  const std::uint64_t header = bits.header / 8;
  const std::uint64_t index = (bits.header + bits.index) / 8 - header;
  const std::uint64_t total = (bits.header + bits.index + bits.value + 7) / 8;
  return {index, total - header - index, header};
}

// The level of 0..s nearest to |value| s / scale (toLevel = s / scale), saturated at s.
std::uint32_t nearestLevel(double value, double toLevel, std::uint32_t levels) {
  const double ratio = std::abs(value) * toLevel;
  return ratio < static_cast<double>(levels) ? static_cast<std::uint32_t>(std::lround(ratio))
                                             : levels;
}

// Calls visit(skipped, negative, level) for every pair of a message that roundToWire() produced,
// with `skipped` the number of coordinates since the previous pair's index; returns the index
// after the last pair. Throws for pairs the wire cannot carry; with kExact also unless each value
// is exactly what decode() rebuilds from its level, which encode() must ensure and sizes, which
// depend on the levels only, can skip (it costs a division per pair).
template <bool kExact, typename Visit>
std::uint64_t forEachPair(const SparseMessage& message, std::uint32_t levels, Visit&& visit) {
  if (!isWireScale(message.scale) || (message.scale == 0.0 && message.size() > 0)) {
    throw std::invalid_argument("qsgd codec: the norm is not a float32 > 0 (call roundToWire)");
  }
  const double toLevel = static_cast<double>(levels) / message.scale;
  std::uint64_t next = 0;
  for (std::size_t i = 0; i < message.size(); ++i) {
    const std::uint64_t index = message.indices[i];
    if (index < next || index >= message.dim) {
      throw std::invalid_argument("qsgd codec: indices must ascend within [0, dim)");
    }
    const double value = message.values[i];
    const bool negative = std::signbit(value);
    const std::uint32_t level = nearestLevel(value, toLevel, levels);
    if (level == 0 || (kExact && value != qsgdValue(message.scale, level, negative, levels))) {
      throw std::invalid_argument(
          "qsgd codec: a value is not on the wire's grid (call roundToWire)");
    }
    visit(index - next, negative, level);
    next = index + 1;
  }
  return next;
}

StreamBits eliasGammaStream(const SparseMessage& message, std::uint32_t levels) {
  StreamBits bits{kTagBits + kNormBits + eliasGammaBits(message.size() + 1), 0, 0};
  forEachPair<false>(message, levels, [&](std::uint64_t skipped, bool, std::uint32_t level) {
    bits.index += eliasGammaBits(skipped + 1);
    bits.value += 1 + eliasGammaBits(level);
  });
  return bits;
}

StreamBits fixedWidthStream(std::uint64_t dim, unsigned levelBits) {
  return {kTagBits + kNormBits, 0, dim * (1 + levelBits)};
}

}  // namespace

QsgdCodec::QsgdCodec(std::uint32_t levels, QsgdEncoding encoding)
    : levels_(levels),
      levelBits_(static_cast<unsigned>(std::bit_width(levels))),
      encoding_(encoding) {
  if (levels == 0) {
    throw std::invalid_argument("qsgd codec: needs at least one quantisation level (s >= 1)");
  }
}

void QsgdCodec::roundToWire(SparseMessage& message) const {
  const double wireScale = roundScaleToWire(message.scale);
  std::size_t kept = 0;
  if (wireScale > 0.0) {
    const double toLevel = static_cast<double>(levels_) / message.scale;
    for (std::size_t i = 0; i < message.size(); ++i) {
      const double value = message.values[i];
      const std::uint32_t level = nearestLevel(value, toLevel, levels_);
      if (level > 0) {
        message.indices[kept] = message.indices[i];
        message.values[kept] = qsgdValue(wireScale, level, std::signbit(value), levels_);
        ++kept;
      }
    }
  }
  message.resize(kept, message.dim);
  message.scale = wireScale;
}

QsgdCodec::Choice QsgdCodec::choose(const SparseMessage& message) const {
  switch (encoding_) {
    case QsgdEncoding::kEliasGamma:
      return {Tag::kEliasGamma, bytesOf(eliasGammaStream(message, levels_))};
    case QsgdEncoding::kFixedWidth:
      return {Tag::kFixedWidth, bytesOf(fixedWidthStream(message.dim, levelBits_))};
    case QsgdEncoding::kAuto:
      break;
  }
  const ByteCounts elias = bytesOf(eliasGammaStream(message, levels_));
  const ByteCounts fixed = bytesOf(fixedWidthStream(message.dim, levelBits_));
  return elias.total() < fixed.total() ? Choice{Tag::kEliasGamma, elias}
                                       : Choice{Tag::kFixedWidth, fixed};
}

ByteCounts QsgdCodec::encodedSize(const SparseMessage& message) const {
  return choose(message).size;
}

void QsgdCodec::encode(const SparseMessage& message, std::span<std::byte> out) const {
  const Tag tag = choose(message).tag;
  BitWriter writer(out);
  writer.writeBits(static_cast<std::uint64_t>(tag), kTagBits);
  writer.writeFloat(static_cast<float>(message.scale));
  if (tag == Tag::kEliasGamma) {
    writer.writeEliasGamma(message.size() + 1);
    forEachPair<true>(message, levels_,
                      [&](std::uint64_t skipped, bool negative, std::uint32_t level) {
                        writer.writeEliasGamma(skipped + 1);
                        writer.writeBit(negative);
                        writer.writeEliasGamma(level);
                      });
  } else {
    const unsigned fieldBits = 1 + levelBits_;
    const std::uint64_t covered = forEachPair<true>(
        message, levels_, [&](std::uint64_t skipped, bool negative, std::uint32_t level) {
          writer.writeZeros(skipped * fieldBits);
          writer.writeBits((std::uint64_t{negative} << levelBits_) | level, fieldBits);
        });
    writer.writeZeros((message.dim - covered) * fieldBits);
  }
  writer.finish();
}

void QsgdCodec::decode(std::span<const std::byte> in, std::uint64_t dim, SparseMessage& out) const {
  BitReader reader(in);
  const std::uint64_t tag = reader.readBits(kTagBits);
  const double scale = reader.readFloat();
  if (!isWireScale(scale)) {
    throw std::invalid_argument("qsgd codec: the norm is not finite and >= +0");
  }
  out.resize(0, dim);
  out.scale = scale;
  if (tag == static_cast<std::uint64_t>(Tag::kEliasGamma) &&
      encoding_ != QsgdEncoding::kFixedWidth) {
    decodeEliasGamma(reader, out);
  } else if (tag == static_cast<std::uint64_t>(Tag::kFixedWidth) &&
             encoding_ != QsgdEncoding::kEliasGamma) {
    decodeFixedWidth(reader, out);
  } else {
    throw std::invalid_argument("qsgd codec: an encoding tag this codec does not write");
  }
  if (!reader.atPadding()) {
    throw std::invalid_argument("qsgd codec: bytes left after the stream");
  }
  if (scale == 0.0 && out.size() > 0) {
    throw std::invalid_argument("qsgd codec: nonzero levels with a zero norm");
  }
  if (encoding_ == QsgdEncoding::kAuto && choose(out).tag != static_cast<Tag>(tag)) {
    throw std::invalid_argument("qsgd codec: not the shorter encoding, which auto would write");
  }
}

void QsgdCodec::decodeEliasGamma(BitReader& reader, SparseMessage& out) const {
  const std::uint64_t pairs = reader.readEliasGamma() - 1;
  if (pairs > out.dim) {
    throw std::invalid_argument("qsgd codec: more levels than coordinates");
  }
  out.resize(pairs, out.dim);
  std::uint64_t next = 0;  // the previous index + 1
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::uint64_t gap = reader.readEliasGamma();
    if (gap > out.dim - next) {
      throw std::invalid_argument("qsgd codec: an index beyond the dimension");
    }
    next += gap;
    const bool negative = reader.readBit();
    const std::uint64_t level = reader.readEliasGamma();
    if (level > levels_) {
      throw std::invalid_argument("qsgd codec: a level above s");
    }
    out.indices[i] = static_cast<std::uint32_t>(next - 1);
    out.values[i] = qsgdValue(out.scale, static_cast<std::uint32_t>(level), negative, levels_);
  }
}

void QsgdCodec::decodeFixedWidth(BitReader& reader, SparseMessage& out) const {
  const unsigned fieldBits = 1 + levelBits_;
  const std::uint64_t levelMask = (std::uint64_t{1} << levelBits_) - 1;
  // Written for every coordinate and kept by advancing the count, as in Qsgd::compress().
  out.resize(out.dim, out.dim);
  std::size_t pairs = 0;
  for (std::uint64_t j = 0; j < out.dim; ++j) {
    const std::uint64_t field = reader.readBits(fieldBits);
    const auto level = static_cast<std::uint32_t>(field & levelMask);
    const bool negative = (field >> levelBits_) != 0;
    if (level > levels_ || (level == 0 && negative)) {
      throw std::invalid_argument("qsgd codec: a level above s, or a sign on level 0");
    }
    out.indices[pairs] = static_cast<std::uint32_t>(j);
    out.values[pairs] = qsgdValue(out.scale, level, negative, levels_);
    pairs += level > 0 ? 1 : 0;
  }
  out.resize(pairs, out.dim);
}

std::uint64_t QsgdCodec::paperBits(const SparseMessage& message) const {
  const StreamBits elias = eliasGammaStream(message, levels_);
  const StreamBits fixed = fixedWidthStream(message.dim, levelBits_);
  return kNormBits + std::min(elias.index + elias.value, fixed.value);
}

}  // namespace memsgd
