#include "memsgd/compress/threshold.hpp"

#include <cmath>
#include <stdexcept>

namespace memsgd {

Threshold::Threshold(double tau) : tau_(tau) {
  if (!(tau_ > 0.0)) {  // negated so that NaN is rejected too
    throw std::invalid_argument("Threshold: tau must be > 0");
  }
}

void Threshold::compress(const ConstVectorRef& v, SparseMessage& out) {
  // push_back into cleared vectors keeps their capacity: no allocation once the largest message
  // has been seen. NaN fails the comparison and is never sent.
  out.indices.clear();
  out.values.clear();
  for (Eigen::Index j = 0; j < v.size(); ++j) {
    if (std::abs(v[j]) >= tau_) {
      out.indices.push_back(static_cast<std::uint32_t>(j));
      out.values.push_back(v[j]);
    }
  }
  out.dim = static_cast<std::uint64_t>(v.size());
}

}  // namespace memsgd
