#pragma once

#include <cstdint>
#include <span>

#include "memsgd/data/dataset.hpp"
#include "memsgd/data/label_kind.hpp"
#include "memsgd/model/convex_objective.hpp"
#include "memsgd/model/model.hpp"

namespace memsgd {

// log(1 + exp(-z)) without overflow or cancellation for any finite margin z.
double logisticLoss(double margin);
// d/dz log(1 + exp(-z)) = -1 / (1 + exp(z)), stable for any finite z.
double logisticLossDerivative(double margin);

// The logistic data term in double for memsgd-optimum: loss_i = log(1 + exp(-y_i a_i.x)), whose
// Hessian is sum_i l''(y_i a_i.x) a_i a_i^T (y_i^2 = 1).
class LogisticObjective final : public ConvexObjective {
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

// model.type = logistic: L2-regularised binary logistic regression, labels -1/+1,
//   f(x) = (1/n) sum_i log(1 + exp(-y_i a_i.x)) + (lambda/2) ||x||^2, p = d,
// reporting test accuracy (sign(a_i.x), 0 counting as +1).
template <typename Scalar>
class LogisticRegression final : public Model<Scalar> {
 public:
  using ConstRef = ConstVectorRefOf<Scalar>;
  static constexpr LabelKind kLabels = LabelKind::kBinary;

  explicit LogisticRegression(const ModelSpec& spec) : Model<Scalar>(spec.lambda), dim_(spec.dim) {}

  [[nodiscard]] std::uint64_t parameterCount() const override { return dim_; }
  [[nodiscard]] Metric metric() const override { return Metric::kAccuracy; }
  void initialize(std::uint64_t seed, VectorRefOf<Scalar> x) const override;
  void addScaledDataGradient(const Dataset<Scalar>& data, const ConstRef& x,
                             std::span<const std::uint32_t> rows, double scale,
                             VectorRefOf<Scalar> out) const override;
  // A x by one matrix-vector product into `scratch`, then vectorised losses in double.
  [[nodiscard]] ShardSums shardSums(const Dataset<Scalar>& data, const ConstRef& x,
                                    VectorOf<Scalar>& scratch) const override;
  [[nodiscard]] const ConvexObjective* convex() const override { return &objective_; }

 private:
  std::uint64_t dim_;
  LogisticObjective objective_;
};

}  // namespace memsgd
