#pragma once
// A model of the consumer's own, on memsgd's Model interface: the quadratically smoothed hinge
// loss of a linear classifier (convex, once differentiable), labels -1/+1,
//   f(x) = (1/n) sum_i h(y_i a_i.x) + (lambda/2) ||x||^2,
//   h(z) = 1/2 - z (z <= 0), (1 - z)^2 / 2 (0 < z < 1), 0 (z >= 1).
// Registered by main.cpp as model.type = smoothed_hinge.
#include <cstdint>
#include <span>

#include "memsgd/core/vector.hpp"
#include "memsgd/data/dataset.hpp"
#include "memsgd/data/label_kind.hpp"
#include "memsgd/model/linear_model.hpp"
#include "memsgd/model/model.hpp"

namespace consumer {

// h of the margin z = y u, as a row loss of the prediction u: what memsgd's LinearObjective
// builds the f* part (loss, gradient and Hessian sums) from.
struct SmoothedHingeLoss {
  static double value(double u, double y);
  static double derivative(double u, double y);
  static double curvature(double u, double y);
};

template <typename Scalar>
class SmoothedHinge final : public memsgd::Model<Scalar> {
 public:
  using ConstRef = memsgd::ConstVectorRefOf<Scalar>;
  // What the registry reads before the data exists.
  static constexpr memsgd::LabelKind kLabels = memsgd::LabelKind::kBinary;
  static constexpr bool kConvex = true;

  explicit SmoothedHinge(const memsgd::ModelSpec& spec)
      : memsgd::Model<Scalar>(spec.lambda), dim_(spec.dim) {}

  [[nodiscard]] std::uint64_t parameterCount() const override { return dim_; }
  [[nodiscard]] memsgd::Metric metric() const override { return memsgd::Metric::kAccuracy; }
  void initialize(std::uint64_t seed, memsgd::VectorRefOf<Scalar> x) const override;
  void addScaledDataGradient(const memsgd::Dataset<Scalar>& data, const ConstRef& x,
                             std::span<const std::uint32_t> rows, double scale,
                             memsgd::VectorRefOf<Scalar> out) const override;
  [[nodiscard]] memsgd::ShardSums shardSums(const memsgd::Dataset<Scalar>& data, const ConstRef& x,
                                            memsgd::VectorOf<Scalar>& scratch) const override;
  [[nodiscard]] const memsgd::ConvexObjective* convex() const override { return &objective_; }

 private:
  std::uint64_t dim_;
  memsgd::LinearObjective<SmoothedHingeLoss> objective_;
};

}  // namespace consumer
