#include "memsgd/compress/threshold.hpp"

#include <cmath>
#include <stdexcept>

namespace memsgd {

template <typename Scalar>
Threshold<Scalar>::Threshold(double tau) : tau_(tau) {
  if (!(tau_ > 0.0)) {  // negated so that NaN is rejected too
    throw std::invalid_argument("Threshold: tau must be > 0");
  }
}

template <typename Scalar>
void Threshold<Scalar>::compress(const ConstVectorRefOf<Scalar>& v, SparseMessage& out) {
  // push_back into cleared vectors keeps their capacity: no allocation once the largest message
  // has been seen. NaN fails the comparison and is never sent.
  out.indices.clear();
  out.values.clear();
  for (Eigen::Index j = 0; j < v.size(); ++j) {
    if (std::abs(v[j]) >= tau_) {
      out.indices.push_back(static_cast<std::uint32_t>(j));
      out.values.push_back(static_cast<double>(v[j]));
    }
  }
  out.dim = static_cast<std::uint64_t>(v.size());
}

template class Threshold<float>;
template class Threshold<double>;

}  // namespace memsgd
