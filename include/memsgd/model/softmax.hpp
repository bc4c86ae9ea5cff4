#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <span>

#include "memsgd/data/dataset.hpp"
#include "memsgd/data/label_kind.hpp"
#include "memsgd/model/convex_objective.hpp"
#include "memsgd/model/model.hpp"

namespace memsgd {

// The parameters of softmax over C classes and d features are a C x d matrix W flattened
// feature-major: x[j C + c] = W(c, j). A sparse row's scores W a and its gradient (s - e_y) a^T
// then touch nnz(a) contiguous runs of C values (one or two cache lines each for C = 10) instead
// of C nnz(a) scattered values, as the class-major layout would.

// The softmax data term in double for memsgd-optimum: loss_i = log sum_c exp(z_c) - z_{y_i} with
// z = W a_i, whose Hessian is sum_i (a_i a_i^T) kron (diag(s_i) - s_i s_i^T), s_i = softmax(z).
class SoftmaxObjective final : public ConvexObjective {
 public:
  SoftmaxObjective(std::uint64_t classes, std::uint64_t dim) : classes_(classes), dim_(dim) {}

  [[nodiscard]] double addShardLossAndGradient(const Dataset<double>& data, const ConstVectorRef& x,
                                               VectorRef gradientSum) const override;
  // Every row's probabilities s_i (rows x C values, row after row).
  [[nodiscard]] Vector curvature(const Dataset<double>& data,
                                 const ConstVectorRef& x) const override;
  // Per row: u = V a (V the C x d matrix of v), out += ((diag(s) - s s^T) u) a^T.
  void addShardHessianTimes(const Dataset<double>& data, const Vector& curvature,
                            const ConstVectorRef& v, VectorRef out) const override;
  // O(nnz(a)^2 C^2) per row; memsgd-optimum asks for it only for p <= 4096.
  [[nodiscard]] bool hasDenseHessian() const override { return true; }
  [[nodiscard]] Eigen::MatrixXd shardHessian(const Dataset<double>& data,
                                             const ConstVectorRef& x) const override;

 private:
  std::uint64_t classes_;
  std::uint64_t dim_;
};

// model.type = softmax: L2-regularised multinomial logistic regression over C >= 2 classes
// (labels 0..C-1, the loader's map of the training labels), p = C d,
//   f(x) = (1/n) sum_i (log sum_c exp(W a_i)_c - (W a_i)_{y_i}) + (lambda/2) ||x||^2,
// the log-sum-exp taken after subtracting the largest score. Reports the test accuracy of the
// argmax of W a, ties going to the lowest class (so x = 0 predicts class 0).
template <typename Scalar>
class Softmax final : public Model<Scalar> {
 public:
  using ConstRef = ConstVectorRefOf<Scalar>;
  static constexpr LabelKind kLabels = LabelKind::kClasses;
  static constexpr bool kConvex = true;

  // Throws std::invalid_argument for spec.classes < 2.
  explicit Softmax(const ModelSpec& spec);

  [[nodiscard]] std::uint64_t parameterCount() const override { return classes_ * dim_; }
  [[nodiscard]] Metric metric() const override { return Metric::kAccuracy; }
  void initialize(std::uint64_t seed, VectorRefOf<Scalar> x) const override;
  // Per row: the C scores, their probabilities, then C nnz(a) additions; no allocation.
  void addScaledDataGradient(const Dataset<Scalar>& data, const ConstRef& x,
                             std::span<const std::uint32_t> rows, double scale,
                             VectorRefOf<Scalar> out) const override;
  // Row by row (the scores of one row at a time); `scratch` is not needed.
  [[nodiscard]] ShardSums shardSums(const Dataset<Scalar>& data, const ConstRef& x,
                                    VectorOf<Scalar>& scratch) const override;
  [[nodiscard]] const ConvexObjective* convex() const override { return &objective_; }

 private:
  std::uint64_t classes_;
  std::uint64_t dim_;
  SoftmaxObjective objective_;
  // One row's scores, then probabilities: sized once here, so steps allocate nothing. A model
  // serves one trainer and its evaluator, on one thread.
  mutable Eigen::ArrayXd scores_;
};

}  // namespace memsgd
