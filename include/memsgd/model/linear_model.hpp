#pragma once

#include <concepts>
#include <cstdint>
#include <span>

#include <Eigen/Core>

#include "memsgd/core/vector.hpp"
#include "memsgd/data/dataset.hpp"
#include "memsgd/data/label_kind.hpp"
#include "memsgd/model/convex_objective.hpp"
#include "memsgd/model/model.hpp"
#include "memsgd/model/weighted_gram.hpp"

namespace memsgd {

// A linear model's loss at one row: l(u, y) of the prediction u = a.x against the label y, its
// first derivative dl/du and its second derivative (the curvature, >= 0 for a convex loss).
// Static, so that the loops over rows inline them.
template <typename Loss>
concept RowLoss = requires(double u, double y) {
  { Loss::value(u, y) } -> std::same_as<double>;
  { Loss::derivative(u, y) } -> std::same_as<double>;
  { Loss::curvature(u, y) } -> std::same_as<double>;
};

// What LinearModel needs of its loss besides the row loss: the labels and the metric, and the
// loss and metric sums over a shard's predictions (the loss's own, often vectorised, pass).
template <typename Loss>
concept LinearLoss = RowLoss<Loss> &&
    requires(const VectorOf<float>& predictionsFloat, const Vector& predictionsDouble,
             const Vector& labels) {
  { Loss::kLabels } -> std::convertible_to<LabelKind>;
  { Loss::kMetric } -> std::convertible_to<Metric>;
  { Loss::shardSums(predictionsFloat, labels) } -> std::same_as<ShardSums>;
  { Loss::shardSums(predictionsDouble, labels) } -> std::same_as<ShardSums>;
};

// What memsgd-optimum needs of a linear model, from its row loss: sums over the shard's rows of
// l(a_i.x, y_i), of l' a_i and of l'' a_i a_i^T.
template <RowLoss Loss>
class LinearObjective final : public ConvexObjective {
 public:
  [[nodiscard]] double addShardLossAndGradient(const Dataset<double>& data, const ConstVectorRef& x,
                                               VectorRef gradientSum) const override {
    double lossSum = 0.0;
    for (Eigen::Index row = 0; row < data.rows(); ++row) {
      const double u = data.rowDot(row, x);
      const double y = data.label(row);
      lossSum += Loss::value(u, y);
      data.addScaledRow(row, Loss::derivative(u, y), gradientSum);
    }
    return lossSum;
  }
  [[nodiscard]] Vector curvature(const Dataset<double>& data,
                                 const ConstVectorRef& x) const override {
    Vector weights(data.rows());
    for (Eigen::Index row = 0; row < data.rows(); ++row) {
      weights[row] = Loss::curvature(data.rowDot(row, x), data.label(row));
    }
    return weights;
  }
  void addShardHessianTimes(const Dataset<double>& data, const Vector& curvature,
                            const ConstVectorRef& v, VectorRef out) const override {
    addWeightedGramTimes(data, curvature, v, out);
  }
  [[nodiscard]] bool hasDenseHessian() const override { return true; }
  [[nodiscard]] Eigen::MatrixXd shardHessian(const Dataset<double>& data,
                                             const ConstVectorRef& x) const override {
    return weightedGram(data, curvature(data, x));
  }
};

// A linear model: p = d, prediction a_i.x, f(x) = (1/n) sum_i l(a_i.x, y_i) + (lambda/2)||x||^2
// with a convex row loss l, so it starts at zero and has an f*. A model of this shape is its
// loss only (logistic_regression.hpp, least_squares.hpp).
template <typename Scalar, LinearLoss Loss>
class LinearModel final : public Model<Scalar> {
 public:
  using ConstRef = ConstVectorRefOf<Scalar>;
  static constexpr LabelKind kLabels = Loss::kLabels;
  static constexpr bool kConvex = true;

  explicit LinearModel(const ModelSpec& spec) : Model<Scalar>(spec.lambda), dim_(spec.dim) {}

  [[nodiscard]] std::uint64_t parameterCount() const override { return dim_; }
  [[nodiscard]] Metric metric() const override { return Loss::kMetric; }
  void initialize(std::uint64_t /*seed*/, VectorRefOf<Scalar> x) const override {
    x.setZero();  // convex: any start reaches the one minimum
  }
  // One sparse (or dense) row update per batch row: only the rows' nonzeros are touched.
  void addScaledDataGradient(const Dataset<Scalar>& data, const ConstRef& x,
                             std::span<const std::uint32_t> rows, double scale,
                             VectorRefOf<Scalar> out) const override {
    const double perRow = scale / static_cast<double>(rows.size());
    for (const std::uint32_t row : rows) {
      data.addScaledRow(row, perRow * Loss::derivative(data.rowDot(row, x), data.label(row)), out);
    }
  }
  // A x by one matrix-vector product into `scratch`, then the loss's pass over the predictions.
  [[nodiscard]] ShardSums shardSums(const Dataset<Scalar>& data, const ConstRef& x,
                                    VectorOf<Scalar>& scratch) const override {
    data.products(x, scratch);
    return Loss::shardSums(scratch, data.labels());
  }
  [[nodiscard]] const ConvexObjective* convex() const override { return &objective_; }

 private:
  std::uint64_t dim_;
  LinearObjective<Loss> objective_;
};

}  // namespace memsgd
