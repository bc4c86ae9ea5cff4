#pragma once

#include "memsgd/compress/compressor.hpp"
#include "memsgd/compress/selection.hpp"
#include "memsgd/util/random.hpp"

namespace memsgd {

// rand_k: k distinct uniformly random coordinates, NOT rescaled by d/k. This is the biased
// operator the paper analyses with memory (its contraction is 1 - k/d in expectation).
template <typename Scalar>
class RandK final : public Compressor<Scalar> {
 public:
  RandK(std::size_t k, Rng rng) : k_(k), rng_(rng) {}
  void compress(const ConstVectorRefOf<Scalar>& v, SparseMessage& out) override;
  [[nodiscard]] std::string_view name() const override { return "rand_k"; }
  [[nodiscard]] std::optional<std::size_t> fixedPairs() const override { return k_; }
  [[nodiscard]] Rng* randomSource() override { return &rng_; }

 private:
  std::size_t k_;
  Rng rng_;
  SelectionScratch scratch_;
};

}  // namespace memsgd
