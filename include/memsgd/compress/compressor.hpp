#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "memsgd/compress/sparse_message.hpp"
#include "memsgd/core/vector.hpp"
#include "memsgd/util/random.hpp"

namespace memsgd {

// comp_k of the paper: maps v to a sparse message. Implementations keep their hyper-parameters
// and reusable scratch; the selection kernels themselves are free functions (selection.hpp).
// Scalar is the precision of v (float or double); messages carry double values either way, which
// the codec then rounds to the wire's value type. Implementations are explicitly instantiated.
template <typename Scalar>
class Compressor {
 public:
  Compressor() = default;
  virtual ~Compressor() = default;
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;
  Compressor(Compressor&&) = delete;
  Compressor& operator=(Compressor&&) = delete;

  // Writes comp(v) into `out` (indices ascending, out.dim = v.size()).
  virtual void compress(const ConstVectorRefOf<Scalar>& v, SparseMessage& out) = 0;
  // v += scale * x, then compress(v, out): the trainer adds the regulariser's gradient through
  // this, so compressors that can select while updating (top_k) pass over v only once.
  virtual void addScaledAndCompress(VectorRefOf<Scalar> v, const ConstVectorRefOf<Scalar>& x,
                                    double scale, SparseMessage& out);
  [[nodiscard]] virtual std::string_view name() const = 0;
  // The number of pairs of every message, when it does not depend on v; lets the exchange skip
  // the round that tells ranks each other's message sizes.
  [[nodiscard]] virtual std::optional<std::size_t> fixedPairs() const = 0;
  // True for the identity: its messages are exchanged as dense vectors with MPI_Allreduce.
  [[nodiscard]] virtual bool isDense() const { return false; }
  // The generator of randomised compressors (nullptr for deterministic ones), so checkpoints can
  // save and restore where its stream stands.
  [[nodiscard]] virtual Rng* randomSource() { return nullptr; }
};

}  // namespace memsgd
