#include "memsgd/compress/rand_k_unbiased.hpp"

#include <stdexcept>

namespace memsgd {

RandKUnbiased::RandKUnbiased(std::size_t k, Rng rng) : k_(k), rng_(rng) {
  if (k_ == 0) {
    throw std::invalid_argument("RandKUnbiased: k must be >= 1");  // the scale d/k is undefined
  }
}

void RandKUnbiased::compress(const ConstVectorRef& v, SparseMessage& out) {
  const auto d = static_cast<std::uint64_t>(v.size());
  selectRandomK(d, k_, rng_, out.indices, scratch_);
  gatherValues(v, out);
  // Each coordinate is kept with probability k/d, so scaling by d/k makes E[c_j] = v_j.
  const double scale = static_cast<double>(d) / static_cast<double>(k_);
  for (double& value : out.values) {
    value *= scale;
  }
}

}  // namespace memsgd
