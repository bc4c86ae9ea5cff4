#pragma once

#include "memsgd/compress/compressor.hpp"
#include "memsgd/compress/sparse_message.hpp"
#include "memsgd/core/vector.hpp"

namespace memsgd {

// The error memory m_r of Mem-SGD (Algorithm 1 of the paper): the part of eta-scaled gradients
// not yet sent. Each step the trainer adds eta*grad into accumulator(), forming v = m + eta*grad;
// a compressor picks c = comp(v) from it, and retain() keeps m = v - c. Disabled, it is the
// "no memory" ablation: m returns to 0 after every step. Stored as Scalar (float or double).
template <typename Scalar>
class ErrorMemory {
 public:
  ErrorMemory(Eigen::Index dim, bool enabled)
      : values_(VectorOf<Scalar>::Zero(dim)), enabled_(enabled) {}

  // m before the gradient is added, v after: one buffer, so no copy of d values per step.
  [[nodiscard]] VectorRefOf<Scalar> accumulator() { return values_; }
  [[nodiscard]] const VectorOf<Scalar>& values() const { return values_; }
  [[nodiscard]] bool enabled() const { return enabled_; }

  // m = v - c for the message `sent` (its values already in wire precision, so m keeps exactly
  // what the peers will not see, up to one rounding to Scalar), or m = 0 without memory.
  void retain(const SparseMessage& sent);

 private:
  VectorOf<Scalar> values_;
  bool enabled_;
};

}  // namespace memsgd
