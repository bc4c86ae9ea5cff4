#include "memsgd/model/least_squares.hpp"

#include "memsgd/model/weighted_gram.hpp"

namespace memsgd {

double LeastSquaresObjective::addShardLossAndGradient(const Dataset<double>& data,
                                                      const ConstVectorRef& x,
                                                      VectorRef gradientSum) const {
  double lossSum = 0.0;
  for (Eigen::Index row = 0; row < data.rows(); ++row) {
    const double residual = data.rowDot(row, x) - data.label(row);
    lossSum += 0.5 * residual * residual;
    data.addScaledRow(row, residual, gradientSum);
  }
  return lossSum;
}

Vector LeastSquaresObjective::curvature(const Dataset<double>& data,
                                        const ConstVectorRef& /*x*/) const {
  return Vector::Ones(data.rows());
}

void LeastSquaresObjective::addShardHessianTimes(const Dataset<double>& data,
                                                 const Vector& curvature, const ConstVectorRef& v,
                                                 VectorRef out) const {
  addWeightedGramTimes(data, curvature, v, out);
}

Eigen::MatrixXd LeastSquaresObjective::shardHessian(const Dataset<double>& data,
                                                    const ConstVectorRef& x) const {
  return weightedGram(data, curvature(data, x));
}

template <typename Scalar>
void LeastSquares<Scalar>::initialize(std::uint64_t /*seed*/, VectorRefOf<Scalar> x) const {
  x.setZero();  // convex: any start reaches the one minimum
}

template <typename Scalar>
void LeastSquares<Scalar>::addScaledDataGradient(const Dataset<Scalar>& data, const ConstRef& x,
                                                 std::span<const std::uint32_t> rows, double scale,
                                                 VectorRefOf<Scalar> out) const {
  const double perRow = scale / static_cast<double>(rows.size());
  for (const std::uint32_t row : rows) {
    data.addScaledRow(row, perRow * (data.rowDot(row, x) - data.label(row)), out);
  }
}

template <typename Scalar>
ShardSums LeastSquares<Scalar>::shardSums(const Dataset<Scalar>& data, const ConstRef& x,
                                          VectorOf<Scalar>& scratch) const {
  data.products(x, scratch);
  const double squared = (scratch.template cast<double>() - data.labels()).squaredNorm();
  return {0.5 * squared, squared};
}

template class LeastSquares<float>;
template class LeastSquares<double>;

}  // namespace memsgd
