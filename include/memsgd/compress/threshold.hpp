#pragma once

#include "memsgd/compress/compressor.hpp"

namespace memsgd {

// threshold: sends every coordinate with |v_j| >= tau, so the message size depends on v. What it
// sends is the exact top-k' of v for k' = the message size, hence the k'-contraction
// ||v - comp(v)||^2 <= (1 - k'/d) ||v||^2 holds for every v.
template <typename Scalar>
class Threshold final : public Compressor<Scalar> {
 public:
  // tau > 0: at tau = 0 every coordinate, zeros included, would be sent.
  explicit Threshold(double tau);
  void compress(const ConstVectorRefOf<Scalar>& v, SparseMessage& out) override;
  [[nodiscard]] std::string_view name() const override { return "threshold"; }
  [[nodiscard]] std::optional<std::size_t> fixedPairs() const override { return std::nullopt; }

 private:
  double tau_;
};

}  // namespace memsgd
