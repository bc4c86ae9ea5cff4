#include "memsgd/compress/approx_top_k.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>

namespace memsgd {
namespace {

// From k = d/16 up the candidates are a sizeable part of d: exact top-k is sent instead. Below, the
// sampled threshold models the approximate selection of large systems (k' <= k pairs); it saves
// no time here, where exact top-k runs near read bandwidth (memsgd_selection_benchmark:
// approx_top_k takes 2-3x the time of top_k at d = 47236 and 1e6, 1.7x at 1e7).
constexpr std::size_t kMinDimPerPair = 16;

}  // namespace

template <typename Scalar>
ApproxTopK<Scalar>::ApproxTopK(std::size_t k, std::size_t sampleSize, Rng rng)
    : k_(k), sampleSize_(sampleSize), rng_(rng) {
  if (k_ == 0 || sampleSize_ == 0) {
    throw std::invalid_argument("ApproxTopK: k and sampleSize must be >= 1");
  }
}

template <typename Scalar>
bool ApproxTopK<Scalar>::usesExactTopK(std::size_t dim) const {
  return sampleSize_ >= dim || k_ * kMinDimPerPair > dim;
}

template <typename Scalar>
double ApproxTopK<Scalar>::estimateThreshold(const ConstVectorRefOf<Scalar>& v) {
  const auto d = static_cast<std::size_t>(v.size());
  // With replacement: O(1) per draw and no state; for sampleSize << d it is practically the same
  // as sampling without replacement.
  sample_.resize(sampleSize_);
  for (double& magnitude : sample_) {
    // fmax maps NaN to 0, keeping the order strict for nth_element; NaN never wins.
    magnitude = std::fmax(std::abs(v[static_cast<Eigen::Index>(rng_.below(d))]), 0.0);
  }
  // The sample's rank-th largest has about rank/sampleSize of all coordinates above it, i.e. k.
  // 1 <= rank <= sampleSize, since 1 <= k <= d / kMinDimPerPair.
  const std::size_t rank = (k_ * sampleSize_ + d - 1) / d;
  const auto nth = sample_.begin() + static_cast<std::ptrdiff_t>(rank - 1);
  std::nth_element(sample_.begin(), nth, sample_.end(), std::greater<>());
  return *nth;
}

template <typename Scalar>
void ApproxTopK<Scalar>::compress(const ConstVectorRefOf<Scalar>& v, SparseMessage& out) {
  const auto d = static_cast<std::size_t>(v.size());
  if (usesExactTopK(d)) {
    selectTopK<Scalar>(v, k_, out.indices, scratch_);
    gatherValues<Scalar>(v, out);
    lastPairs_ = k_;
    return;
  }
  // A zero estimate (v sparser than k/d) would make every zero a candidate; zeros need no sending,
  // and the nonzeros are still the exact top-k' of v.
  const double tau = std::max(estimateThreshold(v), std::numeric_limits<double>::denorm_min());
  candidateIndices_.clear();
  candidateValues_.clear();
  for (std::size_t j = 0; j < d; ++j) {
    const Scalar value = v[static_cast<Eigen::Index>(j)];
    if (std::abs(value) >= tau) {
      candidateIndices_.push_back(static_cast<std::uint32_t>(j));
      candidateValues_.push_back(value);
    }
  }
  // Candidates are in index order, so the kernel's positions (ascending, ties to the lower
  // position) map to ascending indices with ties to the lower index, as in exact top-k.
  lastPairs_ = std::min(k_, candidateIndices_.size());
  const Eigen::Map<const VectorOf<Scalar>> candidates(
      candidateValues_.data(), static_cast<Eigen::Index>(candidateValues_.size()));
  selectTopK<Scalar>(candidates, lastPairs_, chosen_, scratch_);
  out.resize(lastPairs_, d);
  for (std::size_t i = 0; i < lastPairs_; ++i) {
    out.indices[i] = candidateIndices_[chosen_[i]];
    out.values[i] = candidateValues_[chosen_[i]];
  }
}

template class ApproxTopK<float>;
template class ApproxTopK<double>;

}  // namespace memsgd
