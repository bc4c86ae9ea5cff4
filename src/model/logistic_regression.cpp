#include "memsgd/model/logistic_regression.hpp"

#include <algorithm>
#include <cmath>

#include "memsgd/model/weighted_gram.hpp"

namespace memsgd {

double logisticLoss(double margin) {
  // log(1 + e^-z) = max(-z, 0) + log1p(e^-|z|): the exponent is never positive.
  return std::max(-margin, 0.0) + std::log1p(std::exp(-std::abs(margin)));
}

double logisticLossDerivative(double margin) {
  if (margin >= 0) {
    const double e = std::exp(-margin);
    return -e / (1.0 + e);
  }
  return -1.0 / (1.0 + std::exp(margin));
}

double LogisticObjective::addShardLossAndGradient(const Dataset<double>& data,
                                                  const ConstVectorRef& x,
                                                  VectorRef gradientSum) const {
  double lossSum = 0.0;
  for (Eigen::Index row = 0; row < data.rows(); ++row) {
    const double y = data.label(row);
    const double margin = y * data.rowDot(row, x);
    lossSum += logisticLoss(margin);
    data.addScaledRow(row, y * logisticLossDerivative(margin), gradientSum);
  }
  return lossSum;
}

Vector LogisticObjective::curvature(const Dataset<double>& data, const ConstVectorRef& x) const {
  // l'(z) = -sigma(-z), so l''(z) = sigma(-z) (1 - sigma(-z)).
  Vector weights(data.rows());
  for (Eigen::Index row = 0; row < data.rows(); ++row) {
    const double p = -logisticLossDerivative(data.label(row) * data.rowDot(row, x));
    weights[row] = p * (1.0 - p);
  }
  return weights;
}

void LogisticObjective::addShardHessianTimes(const Dataset<double>& data, const Vector& curvature,
                                             const ConstVectorRef& v, VectorRef out) const {
  addWeightedGramTimes(data, curvature, v, out);
}

Eigen::MatrixXd LogisticObjective::shardHessian(const Dataset<double>& data,
                                                const ConstVectorRef& x) const {
  return weightedGram(data, curvature(data, x));
}

template <typename Scalar>
void LogisticRegression<Scalar>::initialize(std::uint64_t /*seed*/, VectorRefOf<Scalar> x) const {
  x.setZero();  // convex: any start reaches the one minimum
}

template <typename Scalar>
ShardSums LogisticRegression<Scalar>::shardSums(const Dataset<Scalar>& data, const ConstRef& x,
                                                VectorOf<Scalar>& scratch) const {
  data.products(x, scratch);
  const Vector& labels = data.labels();
  const Eigen::Index n = labels.size();
  // Chunks small enough for the stack and L1, so the pass needs no buffers of n.
  constexpr Eigen::Index kChunk = 256;
  Eigen::Array<double, kChunk, 1> margins;
  Eigen::Array<double, kChunk, 1> exps;
  ShardSums sums;
  std::uint64_t correct = 0;
  for (Eigen::Index begin = 0; begin < n; begin += kChunk) {
    const Eigen::Index size = std::min(kChunk, n - begin);
    const auto a = scratch.segment(begin, size).array();
    const auto y = labels.segment(begin, size).array();
    auto m = margins.head(size);
    auto e = exps.head(size);
    m = y * a.template cast<double>();
    // log(1 + e^-z) = max(-z, 0) + log1p(e) with e = e^-|z| in (0, 1], as logisticLoss computes it.
    // Eigen vectorises exp and log for double but not log1p, so log1p(e) = log(u) + (e - (u - 1))
    // / u with u = 1 + e rounded: the correction restores what rounding u lost (u - 1 is exact),
    // to within a few ulp, and gives e itself where u rounds to 1.
    e = (-m.abs()).exp();
    sums.loss += ((-m).max(0.0) + (1.0 + e).log() + (e - ((1.0 + e) - 1.0)) / (1.0 + e)).sum();
    correct += static_cast<std::uint64_t>(((a >= Scalar{0}) == (y > 0.0)).count());
  }
  sums.metric = static_cast<double>(correct);
  return sums;
}

template <typename Scalar>
void LogisticRegression<Scalar>::addScaledDataGradient(const Dataset<Scalar>& data,
                                                       const ConstRef& x,
                                                       std::span<const std::uint32_t> rows,
                                                       double scale,
                                                       VectorRefOf<Scalar> out) const {
  const double perRow = scale / static_cast<double>(rows.size());
  for (const std::uint32_t row : rows) {
    const double y = data.label(row);
    const double derivative = logisticLossDerivative(y * data.rowDot(row, x));
    data.addScaledRow(row, perRow * derivative * y, out);
  }
}

template class LogisticRegression<float>;
template class LogisticRegression<double>;

}  // namespace memsgd
