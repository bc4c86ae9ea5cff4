#pragma once

#include <cmath>
#include <cstdint>
#include <span>

#include "memsgd/core/vector.hpp"
#include "memsgd/data/dataset.hpp"
#include "memsgd/data/label_kind.hpp"
#include "memsgd/model/model.hpp"

namespace memsgd::test {

// A non-convex model for the tests: loss_i = (tanh(a_i.x) - y_i)^2 / 2 on real labels, p = d.
template <typename Scalar>
class TanhRegression final : public Model<Scalar> {
 public:
  using ConstRef = ConstVectorRefOf<Scalar>;
  static constexpr LabelKind kLabels = LabelKind::kReal;
  static constexpr bool kConvex = false;

  explicit TanhRegression(const ModelSpec& spec) : Model<Scalar>(spec.lambda), dim_(spec.dim) {}

  [[nodiscard]] std::uint64_t parameterCount() const override { return dim_; }
  [[nodiscard]] Metric metric() const override { return Metric::kRmse; }
  void initialize(std::uint64_t seed, VectorRefOf<Scalar> x) const override {
    x.setConstant(static_cast<Scalar>(seed % 7) / Scalar{100});
  }
  void addScaledDataGradient(const Dataset<Scalar>& data, const ConstRef& x,
                             std::span<const std::uint32_t> rows, double scale,
                             VectorRefOf<Scalar> out) const override {
    for (const std::uint32_t row : rows) {
      const double t = std::tanh(data.rowDot(row, x));
      const double derivative = (t - data.label(row)) * (1.0 - t * t);
      data.addScaledRow(row, scale * derivative / static_cast<double>(rows.size()), out);
    }
  }
  [[nodiscard]] ShardSums shardSums(const Dataset<Scalar>& data, const ConstRef& x,
                                    VectorOf<Scalar>& scratch) const override {
    data.products(x, scratch);
    const double squared =
        (scratch.template cast<double>().array().tanh().matrix() - data.labels()).squaredNorm();
    return {0.5 * squared, squared};
  }

 private:
  std::uint64_t dim_;
};

}  // namespace memsgd::test
