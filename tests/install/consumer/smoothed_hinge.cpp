#include "smoothed_hinge.hpp"

namespace consumer {
namespace {

// h(z) and h'(z).
double hinge(double z) {
  if (z <= 0.0) return 0.5 - z;
  return z < 1.0 ? 0.5 * (1.0 - z) * (1.0 - z) : 0.0;
}
double hingeDerivative(double z) {
  if (z <= 0.0) return -1.0;
  return z < 1.0 ? z - 1.0 : 0.0;
}

}  // namespace

double SmoothedHingeLoss::value(double u, double y) { return hinge(y * u); }
double SmoothedHingeLoss::derivative(double u, double y) { return y * hingeDerivative(y * u); }
double SmoothedHingeLoss::curvature(double u, double y) {
  const double z = y * u;
  return z > 0.0 && z < 1.0 ? 1.0 : 0.0;
}

template <typename Scalar>
void SmoothedHinge<Scalar>::initialize(std::uint64_t /*seed*/,
                                       memsgd::VectorRefOf<Scalar> x) const {
  x.setZero();  // convex: every rank starts at the same point, whatever the seed
}

// Only the data term, averaged over the batch: memsgd adds lambda x itself. addScaledRow
// touches the row's nonzeros only, which keeps the sparse step sparse.
template <typename Scalar>
void SmoothedHinge<Scalar>::addScaledDataGradient(const memsgd::Dataset<Scalar>& data,
                                                  const ConstRef& x,
                                                  std::span<const std::uint32_t> rows, double scale,
                                                  memsgd::VectorRefOf<Scalar> out) const {
  const double perRow = scale / static_cast<double>(rows.size());
  for (const std::uint32_t row : rows) {
    const double derivative = SmoothedHingeLoss::derivative(data.rowDot(row, x), data.label(row));
    if (derivative != 0.0) data.addScaledRow(row, perRow * derivative, out);
  }
}

// One pass: the predictions by one product, then loss and correct signs (0 counts as +1).
template <typename Scalar>
memsgd::ShardSums SmoothedHinge<Scalar>::shardSums(const memsgd::Dataset<Scalar>& data,
                                                   const ConstRef& x,
                                                   memsgd::VectorOf<Scalar>& scratch) const {
  data.products(x, scratch);
  memsgd::ShardSums sums;
  for (Eigen::Index row = 0; row < data.rows(); ++row) {
    const double u = static_cast<double>(scratch[row]);
    const double y = data.label(row);
    sums.loss += SmoothedHingeLoss::value(u, y);
    sums.metric += (u >= 0.0) == (y > 0.0) ? 1.0 : 0.0;
  }
  return sums;
}

template class SmoothedHinge<float>;
template class SmoothedHinge<double>;

}  // namespace consumer
