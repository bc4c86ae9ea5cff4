#pragma once

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "memsgd/data/dataset.hpp"
#include "memsgd/data/label_kind.hpp"
#include "memsgd/model/model.hpp"

namespace memsgd {

// model.type = mlp: a multi-layer perceptron over C classes (labels 0..C-1),
//   d -> hidden[0] -> ... -> hidden[L-1] -> C, ReLU after every hidden layer, softmax output,
//   f(x) = (1/n) sum_i (log sum_c exp(z_ic) - z_i,y_i) + (lambda/2) ||x||^2,
// reporting test accuracy (the largest logit, ties to the lower class). Not convex: no f*.
//
// Layout of x (p = sum over layers of out * (in + 1) values): layer by layer from the input, each
// layer's weight matrix W (out x in, column-major: W(o, i) at o + out * i) followed by its bias b
// (out values), so that every layer is one contiguous block of x (blockSizes()).
//
// Batches are computed with matrix products: the rows are gathered as the columns of an input
// matrix (dense or sparse data alike), and activations are (width x rows) matrices. The scratch
// grows to the largest batch on first use and is reused from then on; shard passes go in chunks
// of kEvaluationChunk rows through the same scratch. The model is therefore not thread-safe, and
// `out` of addScaledDataGradient must not alias x (the backward pass reads each W after adding
// into its gradient's place).
template <typename Scalar>
class Mlp final : public Model<Scalar> {
 public:
  using ConstRef = ConstVectorRefOf<Scalar>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  static constexpr LabelKind kLabels = LabelKind::kClasses;
  static constexpr bool kConvex = false;
  static constexpr Eigen::Index kEvaluationChunk = 256;

  // Throws std::invalid_argument for fewer than two classes, a zero width or a zero d.
  explicit Mlp(const ModelSpec& spec);

  [[nodiscard]] std::uint64_t parameterCount() const override { return parameters_; }
  [[nodiscard]] Metric metric() const override { return Metric::kAccuracy; }
  // One block per layer: out * (in + 1) values, its weights and its bias.
  [[nodiscard]] std::vector<std::uint64_t> blockSizes() const override;
  // He initialisation: every weight normal with variance 2 / (its layer's inputs), biases zero,
  // drawn from `seed` alone, so every rank starts from the same x.
  void initialize(std::uint64_t seed, VectorRefOf<Scalar> x) const override;
  void addScaledDataGradient(const Dataset<Scalar>& data, const ConstRef& x,
                             std::span<const std::uint32_t> rows, double scale,
                             VectorRefOf<Scalar> out) const override;
  // `scratch` is unused: the model's own matrices serve (chunks of kEvaluationChunk rows).
  [[nodiscard]] ShardSums shardSums(const Dataset<Scalar>& data, const ConstRef& x,
                                    VectorOf<Scalar>& scratch) const override;
  // The widths from input to output: d, the hidden widths, C.
  [[nodiscard]] const std::vector<std::uint64_t>& widths() const { return widths_; }

 private:
  using MatrixMap = Eigen::Map<const Matrix>;
  using MatrixBlock = Eigen::Block<Matrix>;

  // Where layer l's W and b start in x.
  struct Layer {
    Eigen::Index in;
    Eigen::Index out;
    Eigen::Index offset;
  };

  // Grows the activation matrices to `columns` columns if they are narrower.
  void reserve(Eigen::Index columns) const;
  // Columns 0..rows.size()-1 of activations_[0] = the rows, and their class indices.
  void gather(const Dataset<Scalar>& data, std::span<const std::uint32_t> rows) const;
  // Logits of the gathered columns into activations_.back(), hidden activations kept for backward.
  void forward(const ConstRef& x, Eigen::Index columns) const;
  // Replaces the logits by softmax minus one-hot and returns the cross-entropy summed (double).
  double softmaxResidual(Eigen::Index columns) const;

  std::vector<std::uint64_t> widths_;
  std::vector<Layer> layers_;
  std::uint64_t parameters_ = 0;
  // Scratch: activations_[0] the input (d x B), [l] layer l's output; two back-propagated deltas.
  mutable std::vector<Matrix> activations_;
  mutable std::array<Matrix, 2> deltas_;
  mutable std::vector<Eigen::Index> classes_;     // the gathered rows' labels
  mutable std::vector<std::uint32_t> chunkRows_;  // the rows of one chunk of a shard pass
};

}  // namespace memsgd
