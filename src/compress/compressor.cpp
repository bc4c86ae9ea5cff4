#include "memsgd/compress/compressor.hpp"

#include "memsgd/compress/selection.hpp"

namespace memsgd {

template <typename Scalar>
void Compressor<Scalar>::addScaledAndCompress(VectorRefOf<Scalar> v,
                                              const ConstVectorRefOf<Scalar>& x, double scale,
                                              SparseMessage& out) {
  addScaled<Scalar>(
      v, x, scale);  // the same rounding as the fused kernels, so results never depend on it
  compress(v, out);
}

template class Compressor<float>;
template class Compressor<double>;

}  // namespace memsgd
