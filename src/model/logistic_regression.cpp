#include "memsgd/model/logistic_regression.hpp"

#include <algorithm>
#include <cmath>

namespace memsgd {

double resolveLambda(std::optional<double> configured, std::uint64_t globalRows) {
  return configured.value_or(1.0 / static_cast<double>(globalRows));
}

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

template <typename Scalar>
typename LogisticRegression<Scalar>::ShardSums LogisticRegression<Scalar>::shardSums(
    const ConstRef& x, VectorOf<Scalar>& products) const {
  data_.products(x, products);
  const Vector& labels = data_.labels();
  const Eigen::Index n = labels.size();
  // Chunks small enough for the stack and L1, so the pass needs no buffers of n.
  constexpr Eigen::Index kChunk = 256;
  Eigen::Array<double, kChunk, 1> margins;
  Eigen::Array<double, kChunk, 1> exps;
  ShardSums sums;
  for (Eigen::Index begin = 0; begin < n; begin += kChunk) {
    const Eigen::Index size = std::min(kChunk, n - begin);
    const auto a = products.segment(begin, size).array();
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
    sums.correct += static_cast<std::uint64_t>(((a >= Scalar{0}) == (y > 0.0)).count());
  }
  return sums;
}

template <typename Scalar>
double LogisticRegression<Scalar>::regularizer(const ConstRef& x) const {
  return 0.5 * lambda_ * x.template cast<double>().squaredNorm();
}

template <typename Scalar>
void LogisticRegression<Scalar>::addScaledDataGradient(const ConstRef& x,
                                                       std::span<const std::uint32_t> rows,
                                                       double scale,
                                                       VectorRefOf<Scalar> out) const {
  const double perRow = scale / static_cast<double>(rows.size());
  for (const std::uint32_t row : rows) {
    const double y = data_.label(row);
    const double derivative = logisticLossDerivative(y * data_.rowDot(row, x));
    data_.addScaledRow(row, perRow * derivative * y, out);
  }
}

template <typename Scalar>
void LogisticRegression<Scalar>::addScaledRegularizerGradient(const ConstRef& x, double scale,
                                                              VectorRefOf<Scalar> out) const {
  out += static_cast<Scalar>(scale * lambda_) * x;
}

template class LogisticRegression<float>;
template class LogisticRegression<double>;

}  // namespace memsgd
