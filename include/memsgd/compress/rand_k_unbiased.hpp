#pragma once

#include "memsgd/compress/compressor.hpp"
#include "memsgd/compress/selection.hpp"
#include "memsgd/util/random.hpp"

namespace memsgd {

// rand_k_unbiased: k distinct uniformly random coordinates with values scaled by d/k, so that
// E[comp(v)] = v. Its variance grows with d/k and it is not a contraction, so it is meant to run
// without error memory (the unbiased baseline the paper compares against).
template <typename Scalar>
class RandKUnbiased final : public Compressor<Scalar> {
 public:
  // k >= 1.
  RandKUnbiased(std::size_t k, Rng rng);
  void compress(const ConstVectorRefOf<Scalar>& v, SparseMessage& out) override;
  [[nodiscard]] std::string_view name() const override { return "rand_k_unbiased"; }
  [[nodiscard]] std::optional<std::size_t> fixedPairs() const override { return k_; }
  [[nodiscard]] Rng* randomSource() override { return &rng_; }

 private:
  std::size_t k_;
  Rng rng_;
  SelectionScratch scratch_;
};

}  // namespace memsgd
