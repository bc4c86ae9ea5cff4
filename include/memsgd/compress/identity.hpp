#pragma once

#include "memsgd/compress/compressor.hpp"

namespace memsgd {

// "none": no compression, plain (mini-batch) SGD. Exchanged densely with MPI_Allreduce; compress()
// still yields the full message so generic code and tests can treat it like any compressor.
template <typename Scalar>
class Identity final : public Compressor<Scalar> {
 public:
  explicit Identity(std::size_t dim) : dim_(dim) {}
  void compress(const ConstVectorRefOf<Scalar>& v, SparseMessage& out) override;
  [[nodiscard]] std::string_view name() const override { return "none"; }
  // All d coordinates, always.
  [[nodiscard]] std::optional<std::size_t> fixedPairs() const override { return dim_; }
  [[nodiscard]] bool isDense() const override { return true; }

 private:
  std::size_t dim_;
};

}  // namespace memsgd
