#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "memsgd/compress/sparse_message.hpp"
#include "memsgd/data/dataset.hpp"
#include "memsgd/util/random.hpp"

namespace memsgd {

// Reusable working memory of the selection kernels, so that steady-state steps never allocate.
struct SelectionScratch {
  std::vector<std::pair<double, std::uint32_t>> candidates;  // (|v_j|, j)
  std::vector<std::uint64_t> chosenBits;                     // bitmap over [0, d) for rand-k
};

// The k indices of largest |v_j|, ties broken by lower index, written to `indices` in ascending
// order. Small k: one pass keeping a heap of the best k; large k: introselect. NaN never wins.
void selectTopK(const ConstVectorRef& v, std::size_t k, std::vector<std::uint32_t>& indices,
                SelectionScratch& scratch);

// k distinct indices drawn uniformly without replacement from [0, dim), ascending (Floyd's
// algorithm with a bitmap: O(k) draws, no state carried between calls).
void selectRandomK(std::uint64_t dim, std::size_t k, Rng& rng, std::vector<std::uint32_t>& indices,
                   SelectionScratch& scratch);

// out.values[i] = v[out.indices[i]] for the indices already in `out`.
void gatherValues(const ConstVectorRef& v, SparseMessage& out);

}  // namespace memsgd
