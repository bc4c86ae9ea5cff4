#include "memsgd/compress/rand_k_unbiased.hpp"

#include <stdexcept>

namespace memsgd {

template <typename Scalar>
RandKUnbiased<Scalar>::RandKUnbiased(std::size_t k, Rng rng) : k_(k), rng_(rng) {
  if (k_ == 0) {
    throw std::invalid_argument("RandKUnbiased: k must be >= 1");  // the scale d/k is undefined
  }
}

template <typename Scalar>
void RandKUnbiased<Scalar>::compress(const ConstVectorRefOf<Scalar>& v, SparseMessage& out) {
  const auto d = static_cast<std::uint64_t>(v.size());
  selectRandomK(d, k_, rng_, out.indices, scratch_);
  gatherValues<Scalar>(v, out);
  // Each coordinate is kept with probability k/d, so scaling by d/k makes E[c_j] = v_j.
  const double scale = static_cast<double>(d) / static_cast<double>(k_);
  for (double& value : out.values) {
    value *= scale;
  }
}

template class RandKUnbiased<float>;
template class RandKUnbiased<double>;

}  // namespace memsgd
