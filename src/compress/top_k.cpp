#include "memsgd/compress/top_k.hpp"

namespace memsgd {

template <typename Scalar>
void TopK<Scalar>::compress(const ConstVectorRefOf<Scalar>& v, SparseMessage& out) {
  selectTopK<Scalar>(v, k_, out.indices, scratch_);
  gatherValues<Scalar>(v, out);
}

template <typename Scalar>
void TopK<Scalar>::addScaledAndCompress(VectorRefOf<Scalar> v, const ConstVectorRefOf<Scalar>& x,
                                        double scale, SparseMessage& out) {
  addScaledAndSelectTopK<Scalar>(v, x, scale, k_, out.indices, scratch_);
  gatherValues<Scalar>(v, out);
}

template class TopK<float>;
template class TopK<double>;

}  // namespace memsgd
