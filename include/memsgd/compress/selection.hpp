#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "memsgd/compress/sparse_message.hpp"
#include "memsgd/core/vector.hpp"
#include "memsgd/util/random.hpp"

namespace memsgd {

// Reusable working memory of the selection kernels, so that steady-state steps never allocate.
struct SelectionScratch {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> heap;  // (key of |v_j|, j), small k
  // Large k: sampled keys; (j, key) above the sampled lower bound; j tied at it; radix buckets.
  std::vector<std::uint64_t> keys;
  std::vector<std::uint32_t> candidateIndices;
  std::vector<std::uint64_t> candidateKeys;
  std::vector<std::uint32_t> tiedIndices;
  std::vector<std::uint64_t> rankBucket;
  std::vector<std::uint64_t> chosenBits;  // bitmap over [0, d) for rand-k
};

// The k indices of largest |v_j|, ties broken by lower index, written to `indices` in ascending
// order: the first k of a full sort by (|v_j| descending, j ascending). -0 ties with +0. NaN ranks
// below every number, NaNs tie with each other, so NaN is chosen only when k exceeds the number of
// non-NaN entries. One pass over v, on integer keys (the bits of |v_j|). Small k: a heap of the
// best k so far, skipping blocks whose largest key cannot enter it. Large k: a strided sample
// gives a lower bound of the k-th largest key, the pass keeps the few entries above it and the
// first k ties at it, and a radix select among those finishes. When the sample misled (rare), an
// exact bound from all keys and a second pass replace it.
//
// Every kernel below takes float or double vectors (explicitly instantiated for both).
template <typename Scalar>
void selectTopK(const ConstVectorRefOf<Scalar>& v, std::size_t k,
                std::vector<std::uint32_t>& indices, SelectionScratch& scratch);

// v += scale * x, then selectTopK(v, k, indices, scratch), in one pass over memory: each block of
// v is selected from while it is still in cache. The results are those of addScaled(v, x, scale)
// followed by selectTopK, bitwise.
template <typename Scalar>
void addScaledAndSelectTopK(VectorRefOf<Scalar> v, const ConstVectorRefOf<Scalar>& x, double scale,
                            std::size_t k, std::vector<std::uint32_t>& indices,
                            SelectionScratch& scratch);

// v += scale * x as addScaledAndSelectTopK updates v: rounded once where the target has fused
// multiply-add (as GCC also rounds Eigen's v += scale * x at -O2 and above, by contraction), twice
// elsewhere. For updates that select nothing, so that they agree bitwise with fused ones.
template <typename Scalar>
void addScaled(VectorRefOf<Scalar> v, const ConstVectorRefOf<Scalar>& x, double scale);

// k distinct indices drawn uniformly without replacement from [0, dim), ascending (Floyd's
// algorithm with a bitmap: O(k) draws, no state carried between calls).
void selectRandomK(std::uint64_t dim, std::size_t k, Rng& rng, std::vector<std::uint32_t>& indices,
                   SelectionScratch& scratch);

// out.values[i] = v[out.indices[i]] for the indices already in `out`.
template <typename Scalar>
void gatherValues(const ConstVectorRefOf<Scalar>& v, SparseMessage& out);

}  // namespace memsgd
