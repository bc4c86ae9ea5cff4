#include "memsgd/compress/top_k.hpp"

namespace memsgd {

void TopK::compress(const ConstVectorRef& v, SparseMessage& out) {
  selectTopK(v, k_, out.indices, scratch_);
  gatherValues(v, out);
}

void TopK::addScaledAndCompress(VectorRef v, const ConstVectorRef& x, double scale,
                                SparseMessage& out) {
  addScaledAndSelectTopK(v, x, scale, k_, out.indices, scratch_);
  gatherValues(v, out);
}

}  // namespace memsgd
