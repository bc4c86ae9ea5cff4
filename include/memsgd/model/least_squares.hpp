#pragma once

#include <cstdint>
#include <span>

#include "memsgd/data/dataset.hpp"
#include "memsgd/data/label_kind.hpp"
#include "memsgd/model/convex_objective.hpp"
#include "memsgd/model/model.hpp"

namespace memsgd {

// The least-squares data term in double for memsgd-optimum: loss_i = (a_i.x - y_i)^2 / 2, whose
// Hessian sum_i a_i a_i^T does not depend on x.
class LeastSquaresObjective final : public ConvexObjective {
 public:
  [[nodiscard]] double addShardLossAndGradient(const Dataset<double>& data, const ConstVectorRef& x,
                                               VectorRef gradientSum) const override;
  [[nodiscard]] Vector curvature(const Dataset<double>& data,
                                 const ConstVectorRef& x) const override;
  void addShardHessianTimes(const Dataset<double>& data, const Vector& curvature,
                            const ConstVectorRef& v, VectorRef out) const override;
  [[nodiscard]] bool hasDenseHessian() const override { return true; }
  [[nodiscard]] Eigen::MatrixXd shardHessian(const Dataset<double>& data,
                                             const ConstVectorRef& x) const override;
};

// model.type = least_squares: ridge regression on real labels,
//   f(x) = (1/2n) sum_i (a_i.x - y_i)^2 + (lambda/2) ||x||^2, p = d,
// reporting the test RMSE sqrt(mean (a_i.x - y_i)^2).
template <typename Scalar>
class LeastSquares final : public Model<Scalar> {
 public:
  using ConstRef = ConstVectorRefOf<Scalar>;
  static constexpr LabelKind kLabels = LabelKind::kReal;

  explicit LeastSquares(const ModelSpec& spec) : Model<Scalar>(spec.lambda), dim_(spec.dim) {}

  [[nodiscard]] std::uint64_t parameterCount() const override { return dim_; }
  [[nodiscard]] Metric metric() const override { return Metric::kRmse; }
  void initialize(std::uint64_t seed, VectorRefOf<Scalar> x) const override;
  void addScaledDataGradient(const Dataset<Scalar>& data, const ConstRef& x,
                             std::span<const std::uint32_t> rows, double scale,
                             VectorRefOf<Scalar> out) const override;
  // A x by one matrix-vector product into `scratch`, then the residuals' squares in double.
  [[nodiscard]] ShardSums shardSums(const Dataset<Scalar>& data, const ConstRef& x,
                                    VectorOf<Scalar>& scratch) const override;
  [[nodiscard]] const ConvexObjective* convex() const override { return &objective_; }

 private:
  std::uint64_t dim_;
  LeastSquaresObjective objective_;
};

}  // namespace memsgd
