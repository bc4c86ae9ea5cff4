#include "memsgd/compress/rand_k.hpp"

namespace memsgd {

void RandK::compress(const ConstVectorRef& v, SparseMessage& out) {
  selectRandomK(static_cast<std::uint64_t>(v.size()), k_, rng_, out.indices, scratch_);
  gatherValues(v, out);
}

}  // namespace memsgd
