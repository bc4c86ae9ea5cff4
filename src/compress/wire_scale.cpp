#include "memsgd/compress/wire_scale.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace memsgd {

double roundScaleToWire(double scale) {
  if (!std::isfinite(scale) || std::signbit(scale)) {
    throw std::invalid_argument("message scale: must be finite and >= +0");
  }
  return static_cast<float>(std::min(scale, double{std::numeric_limits<float>::max()}));
}

bool isWireScale(double scale) {
  return std::isfinite(scale) && !std::signbit(scale) &&
         static_cast<double>(static_cast<float>(scale)) == scale;
}

}  // namespace memsgd
