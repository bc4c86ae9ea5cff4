#pragma once

#include <cstdint>
#include <span>

#include "memsgd/config/run_config.hpp"
#include "memsgd/core/vector.hpp"

namespace memsgd {

// The averaged iterate x_bar = sum_s w_s x_{s+1} / sum_s w_s, with w_s = (t_s + a)^2 (weighted,
// the paper's choice), 1 (uniform), or only the last iterate.
//
// Kept lazily in O(changed coordinates) per step: x_j is constant between its updates, so
// sum_s w_s x_j is folded in only when x_j is about to change: S_j += x_j * (W - W_j), where W is
// the total weight so far and W_j the total when coordinate j was last folded.
//
// x and x_bar are Scalar (float or double); the sums and weights are double whatever Scalar is, as
// (t + a)^2 grows far beyond float's 24 bits.
template <typename Scalar>
class Averager {
 public:
  Averager(Averaging kind, Eigen::Index dim, double offset);

  // Call before x changes at `indices` (repeats are harmless) / at every coordinate.
  void beforeSparseUpdate(std::span<const std::uint32_t> indices,
                          const ConstVectorRefOf<Scalar>& x);
  void beforeDenseUpdate(const ConstVectorRefOf<Scalar>& x);
  // Call after x_{s+1} is in place; t is the global sample count before step s.
  void afterStep(double t);

  // x_bar for the current x (x itself before the first step or for kLast).
  void average(const ConstVectorRefOf<Scalar>& x, VectorOf<Scalar>& out) const;

  // The lazily kept sums, for checkpoints (empty vectors for kLast).
  struct State {
    Vector weightedSum;
    Vector foldedWeight;
    double totalWeight = 0.0;
  };
  [[nodiscard]] State state() const { return {weightedSum_, foldedWeight_, totalWeight_}; }
  // Throws std::invalid_argument if `state` has another dimension.
  void restore(const State& state);

 private:
  [[nodiscard]] double weight(double t) const;
  Averaging kind_;
  double offset_;
  Vector weightedSum_;   // S
  Vector foldedWeight_;  // W_j
  double totalWeight_ = 0.0;
};

}  // namespace memsgd
