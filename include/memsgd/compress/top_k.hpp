#pragma once

#include "memsgd/compress/compressor.hpp"
#include "memsgd/compress/selection.hpp"

namespace memsgd {

// top_k: keeps the k entries of largest magnitude (ties by lower index), unscaled.
template <typename Scalar>
class TopK final : public Compressor<Scalar> {
 public:
  explicit TopK(std::size_t k) : k_(k) {}
  void compress(const ConstVectorRefOf<Scalar>& v, SparseMessage& out) override;
  void addScaledAndCompress(VectorRefOf<Scalar> v, const ConstVectorRefOf<Scalar>& x, double scale,
                            SparseMessage& out) override;
  [[nodiscard]] std::string_view name() const override { return "top_k"; }
  [[nodiscard]] std::optional<std::size_t> fixedPairs() const override { return k_; }

 private:
  std::size_t k_;
  SelectionScratch scratch_;
};

}  // namespace memsgd
