#pragma once

#include <bit>
#include <cstdint>

namespace memsgd {

// The common factor of quantised messages (QSGD's norm, scaled sign's mean magnitude) travels as
// one float32; these keep sender and receivers agreeing on it bit for bit.

// The scale as the wire carries it: rounded to float32, saturated at float32's largest finite
// value rather than overflowing to inf (with memory, the excess waits for later steps). Throws
// std::invalid_argument for a scale that is not finite and >= +0.
double roundScaleToWire(double scale);

// Whether `scale` is one roundScaleToWire() returns: finite, without a sign bit, a float32.
bool isWireScale(double scale);

// +-magnitude (magnitude >= +0) by setting the sign bit: no branch, since to the branch
// predictor the signs of a gradient are coin flips.
inline double withSign(double magnitude, bool negative) {
  return std::bit_cast<double>(std::bit_cast<std::uint64_t>(magnitude) |
                               (static_cast<std::uint64_t>(negative) << 63U));
}

}  // namespace memsgd
