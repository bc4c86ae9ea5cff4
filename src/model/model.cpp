#include "memsgd/model/model.hpp"

namespace memsgd {

double resolveLambda(std::optional<double> configured, std::uint64_t globalRows) {
  return configured.value_or(1.0 / static_cast<double>(globalRows));
}

template <typename Scalar>
double Model<Scalar>::regularizer(const ConstRef& x) const {
  return 0.5 * lambda_ * x.template cast<double>().squaredNorm();
}

template class Model<float>;
template class Model<double>;

}  // namespace memsgd
