#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "memsgd/data/dataset.hpp"

namespace memsgd {

// model.lambda as configured, else 1/n for n training rows in all (the paper's choice).
double resolveLambda(std::optional<double> configured, std::uint64_t globalRows);

// log(1 + exp(-z)) without overflow or cancellation for any finite margin z.
double logisticLoss(double margin);
// d/dz log(1 + exp(-z)) = -1 / (1 + exp(z)), stable for any finite z.
double logisticLossDerivative(double margin);

// L2-regularised logistic regression over one rank's shard:
//   f(x) = (1/n) sum_i log(1 + exp(-y_i a_i.x)) + (lambda/2) ||x||^2,
// separable over rows, so ranks evaluate their shards and sum the results. x and the data are
// Scalar (float or double); sums over rows and the regulariser are accumulated in double.
template <typename Scalar>
class LogisticRegression {
 public:
  using ConstRef = ConstVectorRefOf<Scalar>;

  LogisticRegression(const Dataset<Scalar>& data, double lambda) : data_(data), lambda_(lambda) {}

  [[nodiscard]] double lambda() const { return lambda_; }
  [[nodiscard]] const Dataset<Scalar>& data() const { return data_; }

  struct ShardSums {
    double loss = 0.0;          // sum of log(1 + exp(-y_i a_i.x)), without regulariser or 1/n
    std::uint64_t correct = 0;  // rows that sign(a_i.x) classifies correctly (0 counts as +1)
  };
  // Both sums over the shard's rows in one pass over the data: A x by a matrix-vector product
  // into `products` (scratch, reused across calls), then vectorised losses in double.
  [[nodiscard]] ShardSums shardSums(const ConstRef& x, VectorOf<Scalar>& products) const;
  // The regulariser (lambda/2) ||x||^2.
  [[nodiscard]] double regularizer(const ConstRef& x) const;

  // out += scale * (mean over `rows` of the data-term gradient), touching only the rows' nonzeros.
  // The regulariser's gradient lambda*x is the caller's (dense): the trainer adds it in the
  // compressor's pass over v (Compressor::addScaledAndCompress) or in one pass of its own.
  void addScaledDataGradient(const ConstRef& x, std::span<const std::uint32_t> rows, double scale,
                             VectorRefOf<Scalar> out) const;
  // out += scale * lambda * x: the regulariser's gradient alone, where no pass over v is shared
  // (the trainer fuses it into the compressor's pass instead).
  void addScaledRegularizerGradient(const ConstRef& x, double scale, VectorRefOf<Scalar> out) const;

 private:
  const Dataset<Scalar>& data_;
  double lambda_;
};

}  // namespace memsgd
