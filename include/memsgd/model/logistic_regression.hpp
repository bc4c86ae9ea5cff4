#pragma once

#include "memsgd/core/vector.hpp"
#include "memsgd/data/label_kind.hpp"
#include "memsgd/model/linear_model.hpp"
#include "memsgd/model/model.hpp"

namespace memsgd {

// log(1 + exp(-z)) without overflow or cancellation for any finite margin z.
double logisticLoss(double margin);
// d/dz log(1 + exp(-z)) = -1 / (1 + exp(z)), stable for any finite z.
double logisticLossDerivative(double margin);

// The logistic loss of the margin z = y u for labels y = -1/+1: l = log(1 + exp(-z)),
// dl/du = y l'(z), d2l/du2 = l''(z) (y^2 = 1).
struct LogisticLoss {
  static constexpr LabelKind kLabels = LabelKind::kBinary;
  static constexpr Metric kMetric = Metric::kAccuracy;

  static double value(double u, double y);
  static double derivative(double u, double y);
  static double curvature(double u, double y);
  // Vectorised losses in double; the metric counts sign(u) == y, 0 counting as +1.
  template <typename Scalar>
  static ShardSums shardSums(const VectorOf<Scalar>& predictions, const Vector& labels);
};

// model.type = logistic: L2-regularised binary logistic regression, labels -1/+1,
//   f(x) = (1/n) sum_i log(1 + exp(-y_i a_i.x)) + (lambda/2) ||x||^2, p = d,
// reporting test accuracy (sign(a_i.x), 0 counting as +1).
template <typename Scalar>
using LogisticRegression = LinearModel<Scalar, LogisticLoss>;

// Instantiated in logistic_regression.cpp, where the loss inlines into the loops.
extern template class LinearObjective<LogisticLoss>;
extern template class LinearModel<float, LogisticLoss>;
extern template class LinearModel<double, LogisticLoss>;

}  // namespace memsgd
