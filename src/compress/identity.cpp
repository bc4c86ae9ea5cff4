#include "memsgd/compress/identity.hpp"

#include <numeric>

namespace memsgd {

template <typename Scalar>
void Identity<Scalar>::compress(const ConstVectorRefOf<Scalar>& v, SparseMessage& out) {
  out.resize(static_cast<std::size_t>(v.size()), static_cast<std::uint64_t>(v.size()));
  std::iota(out.indices.begin(), out.indices.end(), 0U);
  Eigen::Map<Vector>(out.values.data(), v.size()) = v.template cast<double>();
}

template class Identity<float>;
template class Identity<double>;

}  // namespace memsgd
