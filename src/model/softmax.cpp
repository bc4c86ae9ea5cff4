#include "memsgd/model/softmax.hpp"

#include <cmath>
#include <stdexcept>

namespace memsgd {
namespace {

// f(j, a_j) for every nonzero of a row, sparse or dense.
template <typename Scalar, typename F>
void forEachEntry(const Dataset<Scalar>& data, Eigen::Index row, F&& f) {
  if (data.isDense()) {
    const auto values = data.denseRows().row(row);
    for (Eigen::Index j = 0; j < values.size(); ++j) {
      if (values[j] != Scalar{0}) f(j, values[j]);
    }
    return;
  }
  const auto& sparse = data.sparseRows();
  const std::int32_t* outer = sparse.outerIndexPtr();
  const std::int32_t* indices = sparse.innerIndexPtr();
  const Scalar* values = sparse.valuePtr();
  for (std::int32_t k = outer[row]; k < outer[row + 1]; ++k) f(indices[k], values[k]);
}

// scores = V a: the C values of a row's product with the feature-major matrix of `v`.
template <typename Scalar>
void rowScores(const Dataset<Scalar>& data, Eigen::Index row, const ConstVectorRefOf<Scalar>& v,
               Eigen::Index classes, Eigen::Ref<Eigen::ArrayXd> scores) {
  scores.setZero();
  forEachEntry(data, row, [&](Eigen::Index j, Scalar a) {
    scores +=
        static_cast<double>(a) * v.segment(j * classes, classes).array().template cast<double>();
  });
}

// Turns scores z into probabilities in place and returns the loss of class y, log sum exp(z) -
// z_y, as (max z - z_y) + log sum exp(z - max z): no exponent is positive, and the large max z
// cancels exactly instead of in a rounded sum (a class with score 1000 of two equal ones loses
// log 2, not log 2 +- 1e-13).
double toProbabilities(Eigen::Ref<Eigen::ArrayXd> scores, Eigen::Index y) {
  const double largest = scores.maxCoeff();
  const double loss = largest - scores[y];
  scores = (scores - largest).exp();
  const double sum = scores.sum();
  scores /= sum;
  return loss + std::log(sum);
}

// out (feature-major) += a g^T: the row's outer product with C coefficients `g`.
template <typename Scalar>
void addRowTimes(const Dataset<Scalar>& data, Eigen::Index row, const Eigen::ArrayXd& g,
                 double scale, VectorRefOf<Scalar> out) {
  const auto classes = g.size();
  forEachEntry(data, row, [&](Eigen::Index j, Scalar a) {
    out.segment(j * classes, classes).array() +=
        ((scale * static_cast<double>(a)) * g).template cast<Scalar>();
  });
}

// The class with the largest score, the lowest one among equals.
Eigen::Index argmax(const Eigen::ArrayXd& scores) {
  Eigen::Index best = 0;
  for (Eigen::Index c = 1; c < scores.size(); ++c) {
    if (scores[c] > scores[best]) best = c;
  }
  return best;
}

Eigen::Index classOf(double label) { return static_cast<Eigen::Index>(label); }

}  // namespace

double SoftmaxObjective::addShardLossAndGradient(const Dataset<double>& data,
                                                 const ConstVectorRef& x,
                                                 VectorRef gradientSum) const {
  const auto classes = static_cast<Eigen::Index>(classes_);
  Eigen::ArrayXd scores(classes);
  double lossSum = 0.0;
  for (Eigen::Index row = 0; row < data.rows(); ++row) {
    const Eigen::Index y = classOf(data.label(row));
    rowScores(data, row, x, classes, scores);
    lossSum += toProbabilities(scores, y);
    scores[y] -= 1.0;
    addRowTimes(data, row, scores, 1.0, gradientSum);
  }
  return lossSum;
}

Vector SoftmaxObjective::curvature(const Dataset<double>& data, const ConstVectorRef& x) const {
  const auto classes = static_cast<Eigen::Index>(classes_);
  Vector probabilities(data.rows() * classes);
  for (Eigen::Index row = 0; row < data.rows(); ++row) {
    auto s = probabilities.segment(row * classes, classes).array();
    rowScores(data, row, x, classes, s);
    (void)toProbabilities(s, 0);
  }
  return probabilities;
}

void SoftmaxObjective::addShardHessianTimes(const Dataset<double>& data, const Vector& curvature,
                                            const ConstVectorRef& v, VectorRef out) const {
  const auto classes = static_cast<Eigen::Index>(classes_);
  Eigen::ArrayXd u(classes);
  for (Eigen::Index row = 0; row < data.rows(); ++row) {
    const auto s = curvature.segment(row * classes, classes).array();
    rowScores(data, row, v, classes, u);
    u = s * u - s * (s * u).sum();
    addRowTimes(data, row, u, 1.0, out);
  }
}

Eigen::MatrixXd SoftmaxObjective::shardHessian(const Dataset<double>& data,
                                               const ConstVectorRef& x) const {
  const auto classes = static_cast<Eigen::Index>(classes_);
  const auto p = static_cast<Eigen::Index>(classes_ * dim_);
  const Vector probabilities = curvature(data, x);
  Eigen::MatrixXd hessian = Eigen::MatrixXd::Zero(p, p);
  Eigen::MatrixXd block(classes, classes);
  for (Eigen::Index row = 0; row < data.rows(); ++row) {
    const auto s = probabilities.segment(row * classes, classes);
    block = -s * s.transpose();
    block.diagonal() += s;
    // Block (j, k) of (a a^T) kron S is a_j a_k S.
    forEachEntry(data, row, [&](Eigen::Index j, double aj) {
      forEachEntry(data, row, [&](Eigen::Index k, double ak) {
        hessian.block(j * classes, k * classes, classes, classes) += (aj * ak) * block;
      });
    });
  }
  return hessian;
}

template <typename Scalar>
Softmax<Scalar>::Softmax(const ModelSpec& spec)
    : Model<Scalar>(spec.lambda),
      classes_(spec.classes),
      dim_(spec.dim),
      objective_(spec.classes, spec.dim),
      scores_(static_cast<Eigen::Index>(spec.classes)) {
  if (classes_ < 2) {
    throw std::invalid_argument("softmax needs at least 2 classes, got " +
                                std::to_string(classes_));
  }
}

template <typename Scalar>
void Softmax<Scalar>::initialize(std::uint64_t /*seed*/, VectorRefOf<Scalar> x) const {
  x.setZero();  // convex: any start reaches the one minimum
}

template <typename Scalar>
void Softmax<Scalar>::addScaledDataGradient(const Dataset<Scalar>& data, const ConstRef& x,
                                            std::span<const std::uint32_t> rows, double scale,
                                            VectorRefOf<Scalar> out) const {
  const auto classes = static_cast<Eigen::Index>(classes_);
  const double perRow = scale / static_cast<double>(rows.size());
  for (const std::uint32_t row : rows) {
    const Eigen::Index y = classOf(data.label(row));
    rowScores(data, row, x, classes, scores_);
    (void)toProbabilities(scores_, y);
    scores_[y] -= 1.0;  // d loss / d z = s - e_y
    addRowTimes(data, row, scores_, perRow, out);
  }
}

template <typename Scalar>
ShardSums Softmax<Scalar>::shardSums(const Dataset<Scalar>& data, const ConstRef& x,
                                     VectorOf<Scalar>& /*scratch*/) const {
  const auto classes = static_cast<Eigen::Index>(classes_);
  ShardSums sums;
  std::uint64_t correct = 0;
  for (Eigen::Index row = 0; row < data.rows(); ++row) {
    const Eigen::Index y = classOf(data.label(row));
    rowScores(data, row, x, classes, scores_);
    correct += argmax(scores_) == y ? 1 : 0;
    sums.loss += toProbabilities(scores_, y);
  }
  sums.metric = static_cast<double>(correct);
  return sums;
}

template class Softmax<float>;
template class Softmax<double>;

}  // namespace memsgd
