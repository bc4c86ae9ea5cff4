#include "memsgd/compress/rand_k.hpp"

namespace memsgd {

template <typename Scalar>
void RandK<Scalar>::compress(const ConstVectorRefOf<Scalar>& v, SparseMessage& out) {
  selectRandomK(static_cast<std::uint64_t>(v.size()), k_, rng_, out.indices, scratch_);
  gatherValues<Scalar>(v, out);
}

template class RandK<float>;
template class RandK<double>;

}  // namespace memsgd
