#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "memsgd/core/vector.hpp"
#include "memsgd/data/dataset.hpp"
#include "memsgd/model/convex_objective.hpp"
#include "memsgd/model/metric.hpp"

namespace memsgd {

// model.lambda as configured, else 1/n for n training rows in all (the paper's choice).
double resolveLambda(std::optional<double> configured, std::uint64_t globalRows);

// One pass over a shard: sums that the evaluator reduces over ranks with one Allreduce.
struct ShardSums {
  double loss = 0.0;    // the data term's loss summed over rows, without regulariser or 1/n
  double metric = 0.0;  // kAccuracy: rows classified correctly; kRmse: squared errors summed
};

// What the registry builds a model from, known once the training data is loaded.
struct ModelSpec {
  std::uint64_t dim = 0;      // d, the data's dimension
  double lambda = 0.0;        // resolveLambda()
  std::uint64_t classes = 0;  // C, the distinct training labels, for LabelKind::kClasses models
  std::vector<std::uint64_t> hidden{};  // model.hidden: the mlp's hidden widths, input side first
};

// A model trained by Mem-SGD: f(x) = (1/n) sum_i loss_i(x) + (lambda/2) ||x||^2 over a flat
// parameter vector x of size p. The data is passed to every call (a model owns no shard), so one
// model serves the training and the test shards. Called once per step and once per evaluation;
// the loops over rows are the model's own. Scalar is the type of x and the data values; sums are
// double.
template <typename Scalar>
class Model {
 public:
  using ConstRef = ConstVectorRefOf<Scalar>;

  explicit Model(double lambda) : lambda_(lambda) {}
  virtual ~Model() = default;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;
  Model(Model&&) = delete;
  Model& operator=(Model&&) = delete;

  // p, the size of x (for the linear models, the data's d).
  [[nodiscard]] virtual std::uint64_t parameterCount() const = 0;
  [[nodiscard]] virtual Metric metric() const = 0;
  // Consecutive blocks of x, summing to p, that compression.scope = layer compresses each on its
  // own (a network's layers); one block of all p by default.
  [[nodiscard]] virtual std::vector<std::uint64_t> blockSizes() const { return {parameterCount()}; }
  // The L2 strength. Its gradient lambda*x is dense and the framework's: the trainer adds it in
  // the compressor's pass over v, so that no model makes a pass of its own for it.
  [[nodiscard]] double lambda() const { return lambda_; }
  // (lambda/2) ||x||^2, summed in double.
  [[nodiscard]] double regularizer(const ConstRef& x) const;

  // x's first value, the same on every rank: from `seed` (zero for the convex models).
  virtual void initialize(std::uint64_t seed, VectorRefOf<Scalar> x) const = 0;
  // out += scale * (mean over `rows` of the data term's gradient), touching only what the rows
  // touch (for the linear models, the rows' nonzeros).
  virtual void addScaledDataGradient(const Dataset<Scalar>& data, const ConstRef& x,
                                     std::span<const std::uint32_t> rows, double scale,
                                     VectorRefOf<Scalar> out) const = 0;
  // The loss and metric sums over all of `data`'s rows in one pass; `scratch` is reused across
  // calls (no allocation once sized).
  [[nodiscard]] virtual ShardSums shardSums(const Dataset<Scalar>& data, const ConstRef& x,
                                            VectorOf<Scalar>& scratch) const = 0;
  // What memsgd-optimum needs for f*, or nullptr for a model without one (not convex).
  [[nodiscard]] virtual const ConvexObjective* convex() const { return nullptr; }

 private:
  double lambda_;
};

}  // namespace memsgd
