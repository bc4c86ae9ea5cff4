#include "memsgd/compress/scaled_sign.hpp"

#include <cmath>
#include <numeric>
#include <stdexcept>

namespace memsgd {

template <typename Scalar>
void ScaledSign<Scalar>::compress(const ConstVectorRefOf<Scalar>& v, SparseMessage& out) {
  if (static_cast<std::size_t>(v.size()) != dim_) {
    throw std::invalid_argument("scaled_sign: the vector's size is not the dimension");
  }
  const double scale =
      dim_ == 0 ? 0.0 : v.template cast<double>().template lpNorm<1>() / static_cast<double>(dim_);
  if (!std::isfinite(scale)) {
    throw std::domain_error("scaled_sign: the vector's 1-norm is not finite");
  }
  out.resize(dim_, dim_);
  out.scale = scale;
  std::iota(out.indices.begin(), out.indices.end(), 0U);
  for (std::size_t j = 0; j < dim_; ++j) {
    out.values[j] = v[static_cast<Eigen::Index>(j)] < 0.0 ? -scale : scale;
  }
}

template class ScaledSign<float>;
template class ScaledSign<double>;

}  // namespace memsgd
