#include "memsgd/compress/selection.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace memsgd {
namespace {

using Candidate = std::pair<double, std::uint32_t>;

// "a ranks before b": larger magnitude first, then lower index. Total order, so results are
// deterministic whatever algorithm produced them.
bool ranksBefore(const Candidate& a, const Candidate& b) {
  return a.first > b.first || (a.first == b.first && a.second < b.second);
}

// Beyond this k a heap costs more than selecting over all candidates.
constexpr std::size_t kHeapLimit = 64;

std::uint32_t argMaxAbs(const ConstVectorRef& v) {
  std::uint32_t best = 0;
  double bestMagnitude = -1.0;
  for (Eigen::Index j = 0; j < v.size(); ++j) {
    const double magnitude = std::abs(v[j]);
    if (magnitude > bestMagnitude) {  // strict: an equal magnitude at a higher index loses
      bestMagnitude = magnitude;
      best = static_cast<std::uint32_t>(j);
    }
  }
  return best;
}

// One pass; the heap's top is the weakest of the current best k, so most entries fail a single
// comparison against its magnitude.
void topKByHeap(const ConstVectorRef& v, std::size_t k, std::vector<Candidate>& heap) {
  heap.clear();
  const auto d = static_cast<std::size_t>(v.size());
  for (std::size_t j = 0; j < k; ++j) {
    heap.emplace_back(std::abs(v[static_cast<Eigen::Index>(j)]), static_cast<std::uint32_t>(j));
  }
  std::make_heap(heap.begin(), heap.end(), ranksBefore);
  double threshold = heap.front().first;
  for (std::size_t j = k; j < d; ++j) {
    const double magnitude = std::abs(v[static_cast<Eigen::Index>(j)]);
    if (magnitude > threshold) {  // later index: must be strictly larger to rank before
      std::pop_heap(heap.begin(), heap.end(), ranksBefore);
      heap.back() = {magnitude, static_cast<std::uint32_t>(j)};
      std::push_heap(heap.begin(), heap.end(), ranksBefore);
      threshold = heap.front().first;
    }
  }
}

void topKBySelect(const ConstVectorRef& v, std::size_t k, std::vector<Candidate>& candidates) {
  const auto d = static_cast<std::size_t>(v.size());
  candidates.resize(d);
  for (std::size_t j = 0; j < d; ++j) {
    candidates[j] = {std::abs(v[static_cast<Eigen::Index>(j)]), static_cast<std::uint32_t>(j)};
  }
  std::nth_element(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(k - 1),
                   candidates.end(), ranksBefore);
  candidates.resize(k);
}

}  // namespace

void selectTopK(const ConstVectorRef& v, std::size_t k, std::vector<std::uint32_t>& indices,
                SelectionScratch& scratch) {
  const auto d = static_cast<std::size_t>(v.size());
  if (k > d) {
    throw std::invalid_argument("selectTopK: k exceeds the dimension");
  }
  indices.resize(k);
  if (k == 0) {
    return;
  }
  if (k == 1) {
    indices[0] = argMaxAbs(v);
    return;
  }
  auto& candidates = scratch.candidates;
  if (k <= kHeapLimit) {
    topKByHeap(v, k, candidates);
  } else {
    topKBySelect(v, k, candidates);
  }
  std::transform(candidates.begin(), candidates.end(), indices.begin(),
                 [](const Candidate& c) { return c.second; });
  std::sort(indices.begin(), indices.end());
}

void selectRandomK(std::uint64_t dim, std::size_t k, Rng& rng, std::vector<std::uint32_t>& indices,
                   SelectionScratch& scratch) {
  if (k > dim) {
    throw std::invalid_argument("selectRandomK: k exceeds the dimension");
  }
  auto& bits = scratch.chosenBits;
  bits.resize((dim + 63) / 64);
  indices.clear();
  // Floyd: for j in [d-k, d), draw t in [0, j]; take t unless already taken, then take j.
  for (std::uint64_t j = dim - k; j < dim; ++j) {
    std::uint64_t pick = rng.below(j + 1);
    if ((bits[pick / 64] >> (pick % 64) & 1U) != 0) {
      pick = j;
    }
    bits[pick / 64] |= std::uint64_t{1} << (pick % 64);
    indices.push_back(static_cast<std::uint32_t>(pick));
  }
  for (const std::uint32_t index : indices) {
    bits[index / 64] = 0;  // leave the bitmap clear for the next call in O(k)
  }
  std::sort(indices.begin(), indices.end());
}

void gatherValues(const ConstVectorRef& v, SparseMessage& out) {
  out.values.resize(out.indices.size());
  for (std::size_t i = 0; i < out.indices.size(); ++i) {
    out.values[i] = v[out.indices[i]];
  }
  out.dim = static_cast<std::uint64_t>(v.size());
}

}  // namespace memsgd
