#include "memsgd/model/logistic_regression.hpp"

#include <algorithm>
#include <cmath>

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

double LogisticLoss::value(double u, double y) { return logisticLoss(y * u); }

double LogisticLoss::derivative(double u, double y) { return y * logisticLossDerivative(y * u); }

double LogisticLoss::curvature(double u, double y) {
  // l'(z) = -sigma(-z), so l''(z) = sigma(-z) (1 - sigma(-z)).
  const double p = -logisticLossDerivative(y * u);
  return p * (1.0 - p);
}

template <typename Scalar>
ShardSums LogisticLoss::shardSums(const VectorOf<Scalar>& predictions, const Vector& labels) {
  const Eigen::Index n = labels.size();
  // Chunks small enough for the stack and L1, so the pass needs no buffers of n.
  constexpr Eigen::Index kChunk = 256;
  Eigen::Array<double, kChunk, 1> margins;
  Eigen::Array<double, kChunk, 1> exps;
  ShardSums sums;
  std::uint64_t correct = 0;
  for (Eigen::Index begin = 0; begin < n; begin += kChunk) {
    const Eigen::Index size = std::min(kChunk, n - begin);
    const auto a = predictions.segment(begin, size).array();
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

template ShardSums LogisticLoss::shardSums(const VectorOf<float>&, const Vector&);
template ShardSums LogisticLoss::shardSums(const VectorOf<double>&, const Vector&);

template class LinearObjective<LogisticLoss>;
template class LinearModel<float, LogisticLoss>;
template class LinearModel<double, LogisticLoss>;

}  // namespace memsgd
