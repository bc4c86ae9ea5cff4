#include "memsgd/compress/compressor.hpp"

#include "memsgd/compress/selection.hpp"

namespace memsgd {

void Compressor::addScaledAndCompress(VectorRef v, const ConstVectorRef& x, double scale,
                                      SparseMessage& out) {
  addScaled(v, x, scale);  // the same rounding as the fused kernels, so results never depend on it
  compress(v, out);
}

}  // namespace memsgd
