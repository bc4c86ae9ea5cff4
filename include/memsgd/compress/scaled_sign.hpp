#pragma once

#include <cstddef>

#include "memsgd/compress/compressor.hpp"

namespace memsgd {

// scaled_sign: the compressor of EF-signSGD (Karimireddy et al., "Error Feedback Fixes SignSGD",
// ICML 2019, Algorithm 1): c = (||v||_1 / d) sign(v), with sign(0) = +1 so every coordinate
// carries one bit (the choice costs nothing: <v, c> = ||v||_1^2 / d either way). It is the
// delta-approximate compressor of their analysis with delta = ||v||_1^2 / (d ||v||_2^2), and with
// equality: ||v - c||^2 = (1 - delta) ||v||_2^2.
// The message holds all d indices in order, values +-scale, and scale = ||v||_1 / d.
template <typename Scalar>
class ScaledSign final : public Compressor<Scalar> {
 public:
  explicit ScaledSign(std::size_t dim) : dim_(dim) {}
  // Throws std::invalid_argument when v.size() != dim, std::domain_error when ||v||_1 is not
  // finite (a diverged run).
  void compress(const ConstVectorRefOf<Scalar>& v, SparseMessage& out) override;
  [[nodiscard]] std::string_view name() const override { return "scaled_sign"; }
  [[nodiscard]] std::optional<std::size_t> fixedPairs() const override { return dim_; }

 private:
  std::size_t dim_;
};

}  // namespace memsgd
