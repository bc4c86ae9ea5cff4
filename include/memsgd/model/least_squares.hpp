#pragma once

#include "memsgd/core/vector.hpp"
#include "memsgd/data/label_kind.hpp"
#include "memsgd/model/linear_model.hpp"
#include "memsgd/model/model.hpp"

namespace memsgd {

// The squared residual l = (u - y)^2 / 2 on real labels: dl/du = u - y, d2l/du2 = 1 (so the
// Hessian sum_i a_i a_i^T does not depend on x).
struct SquaredLoss {
  static constexpr LabelKind kLabels = LabelKind::kReal;
  static constexpr Metric kMetric = Metric::kRmse;

  static double value(double u, double y) { return 0.5 * (u - y) * (u - y); }
  static double derivative(double u, double y) { return u - y; }
  static double curvature(double /*u*/, double /*y*/) { return 1.0; }
  // Half the squared residuals' sum, and the whole sum for the RMSE.
  template <typename Scalar>
  static ShardSums shardSums(const VectorOf<Scalar>& predictions, const Vector& labels);
};

// model.type = least_squares: ridge regression on real labels,
//   f(x) = (1/2n) sum_i (a_i.x - y_i)^2 + (lambda/2) ||x||^2, p = d,
// reporting the test RMSE sqrt(mean (a_i.x - y_i)^2).
template <typename Scalar>
using LeastSquares = LinearModel<Scalar, SquaredLoss>;

extern template class LinearObjective<SquaredLoss>;
extern template class LinearModel<float, SquaredLoss>;
extern template class LinearModel<double, SquaredLoss>;

}  // namespace memsgd
