#include "memsgd/model/mlp.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "memsgd/util/random.hpp"

namespace memsgd {

template <typename Scalar>
Mlp<Scalar>::Mlp(const ModelSpec& spec) : Model<Scalar>(spec.lambda) {
  if (spec.classes < 2) {
    throw std::invalid_argument("mlp: needs at least 2 classes, has " +
                                std::to_string(spec.classes));
  }
  widths_.push_back(spec.dim);
  widths_.insert(widths_.end(), spec.hidden.begin(), spec.hidden.end());
  widths_.push_back(spec.classes);
  if (std::ranges::find(widths_, 0U) != widths_.end()) {
    throw std::invalid_argument("mlp: a layer of width 0 (d = " + std::to_string(spec.dim) + ")");
  }
  for (std::size_t l = 0; l + 1 < widths_.size(); ++l) {
    const auto in = static_cast<Eigen::Index>(widths_[l]);
    const auto out = static_cast<Eigen::Index>(widths_[l + 1]);
    layers_.push_back({in, out, static_cast<Eigen::Index>(parameters_)});
    parameters_ += static_cast<std::uint64_t>(out * (in + 1));
  }
  activations_.resize(widths_.size());
}

template <typename Scalar>
std::vector<std::uint64_t> Mlp<Scalar>::blockSizes() const {
  std::vector<std::uint64_t> sizes;
  for (const Layer& layer : layers_) {
    sizes.push_back(static_cast<std::uint64_t>(layer.out * (layer.in + 1)));
  }
  return sizes;
}

template <typename Scalar>
void Mlp<Scalar>::initialize(std::uint64_t seed, VectorRefOf<Scalar> x) const {
  Rng rng(seed, 0, static_cast<std::uint64_t>(RngPurpose::kInitialization));
  for (const Layer& layer : layers_) {
    const double deviation = std::sqrt(2.0 / static_cast<double>(layer.in));
    auto weights = x.segment(layer.offset, layer.out * layer.in);
    for (Scalar& weight : weights) {
      weight = static_cast<Scalar>(deviation * rng.normal());
    }
    x.segment(layer.offset + layer.out * layer.in, layer.out).setZero();
  }
}

template <typename Scalar>
void Mlp<Scalar>::reserve(Eigen::Index columns) const {
  if (activations_.front().cols() >= columns) return;
  for (std::size_t l = 0; l < widths_.size(); ++l) {
    activations_[l].resize(static_cast<Eigen::Index>(widths_[l]), columns);
  }
  // Deltas of the hidden layers only (the output's is computed in place of the logits).
  Eigen::Index widest = 0;
  for (std::size_t l = 1; l + 1 < widths_.size(); ++l) {
    widest = std::max(widest, static_cast<Eigen::Index>(widths_[l]));
  }
  for (Matrix& delta : deltas_) delta.resize(widest, columns);
  classes_.resize(static_cast<std::size_t>(columns));
  chunkRows_.resize(static_cast<std::size_t>(columns));
}

template <typename Scalar>
void Mlp<Scalar>::gather(const Dataset<Scalar>& data, std::span<const std::uint32_t> rows) const {
  Matrix& input = activations_.front();
  const auto classes = static_cast<double>(widths_.back());
  for (std::size_t j = 0; j < rows.size(); ++j) {
    const auto column = static_cast<Eigen::Index>(j);
    const Eigen::Index row = rows[j];
    if (data.isDense()) {
      input.col(column) = data.denseRows().row(row).transpose();
    } else {
      input.col(column).setZero();
      for (typename Dataset<Scalar>::SparseRows::InnerIterator it(data.sparseRows(), row); it;
           ++it) {
        input(it.col(), column) = it.value();
      }
    }
    // The loader maps classes to 0..C-1; anything else would index out of the logits.
    const double label = data.label(row);
    if (!(label >= 0.0 && label < classes) || label != std::floor(label)) {
      throw std::invalid_argument("mlp: row " + std::to_string(row) + " has label " +
                                  std::to_string(label) + ", not a class in 0.." +
                                  std::to_string(widths_.back() - 1));
    }
    classes_[j] = static_cast<Eigen::Index>(label);
  }
}

template <typename Scalar>
void Mlp<Scalar>::forward(const ConstRef& x, Eigen::Index columns) const {
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const Layer& layer = layers_[l];
    const MatrixMap weights(x.data() + layer.offset, layer.out, layer.in);
    auto output = activations_[l + 1].leftCols(columns);
    output.noalias() = weights * activations_[l].leftCols(columns);
    output.colwise() += x.segment(layer.offset + layer.out * layer.in, layer.out);
    if (l + 1 < layers_.size()) {
      output = output.cwiseMax(Scalar(0));  // ReLU
    }
  }
}

template <typename Scalar>
double Mlp<Scalar>::softmaxResidual(Eigen::Index columns) const {
  double loss = 0.0;
  auto logits = activations_.back().leftCols(columns);
  for (Eigen::Index j = 0; j < columns; ++j) {
    auto z = logits.col(j);
    const Eigen::Index label = classes_[static_cast<std::size_t>(j)];
    const Scalar largest = z.maxCoeff();
    const auto target = static_cast<double>(z[label]);
    z = (z.array() - largest).exp();  // log-sum-exp shifted by the largest logit: no overflow
    const Scalar sum = z.sum();
    loss += static_cast<double>(largest) + std::log(static_cast<double>(sum)) - target;
    z /= sum;
    z[label] -= Scalar(1);
  }
  return loss;
}

template <typename Scalar>
void Mlp<Scalar>::addScaledDataGradient(const Dataset<Scalar>& data, const ConstRef& x,
                                        std::span<const std::uint32_t> rows, double scale,
                                        VectorRefOf<Scalar> out) const {
  const auto columns = static_cast<Eigen::Index>(rows.size());
  reserve(columns);
  gather(data, rows);
  forward(x, columns);
  (void)softmaxResidual(columns);
  const auto perColumn = static_cast<Scalar>(scale / static_cast<double>(columns));
  // Back-propagation from the output: the delta of layer l's output is `delta`, in the logits'
  // matrix for the last layer, then alternately in deltas_[0] and deltas_[1].
  Matrix* delta = &activations_.back();
  for (std::size_t l = layers_.size(); l-- > 0;) {
    const Layer& layer = layers_[l];
    const auto outgoing = delta->topLeftCorner(layer.out, columns);
    const auto input = activations_[l].leftCols(columns);
    Eigen::Map<Matrix> weightGradient(out.data() + layer.offset, layer.out, layer.in);
    weightGradient.noalias() += perColumn * (outgoing * input.transpose());
    out.segment(layer.offset + layer.out * layer.in, layer.out) +=
        perColumn * outgoing.rowwise().sum();
    if (l == 0) break;
    Matrix& next = deltas_[l % 2];
    auto incoming = next.topLeftCorner(layer.in, columns);
    const MatrixMap weights(x.data() + layer.offset, layer.out, layer.in);
    incoming.noalias() = weights.transpose() * outgoing;
    // ReLU's derivative: the input was a hidden layer's output, zero where it was cut.
    incoming = (input.array() > Scalar(0)).select(incoming, Scalar(0));
    delta = &next;
  }
}

template <typename Scalar>
ShardSums Mlp<Scalar>::shardSums(const Dataset<Scalar>& data, const ConstRef& x,
                                 VectorOf<Scalar>& /*scratch*/) const {
  reserve(std::min<Eigen::Index>(kEvaluationChunk, data.rows()));
  ShardSums sums;
  for (Eigen::Index first = 0; first < data.rows(); first += kEvaluationChunk) {
    const Eigen::Index columns = std::min(kEvaluationChunk, data.rows() - first);
    const std::span<std::uint32_t> chunk(chunkRows_.data(), static_cast<std::size_t>(columns));
    std::iota(chunk.begin(), chunk.end(), static_cast<std::uint32_t>(first));
    gather(data, chunk);
    forward(x, columns);
    const auto logits = activations_.back().leftCols(columns);
    for (Eigen::Index j = 0; j < columns; ++j) {
      Eigen::Index predicted = 0;
      (void)logits.col(j).maxCoeff(&predicted);  // the first largest: ties to the lower class
      sums.metric += predicted == classes_[static_cast<std::size_t>(j)] ? 1.0 : 0.0;
    }
    sums.loss += softmaxResidual(columns);
  }
  return sums;
}

template class Mlp<float>;
template class Mlp<double>;

}  // namespace memsgd
