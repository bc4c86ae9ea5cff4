#pragma once

#include <vector>

#include "memsgd/compress/compressor.hpp"
#include "memsgd/compress/selection.hpp"
#include "memsgd/util/random.hpp"

namespace memsgd {

// approx_top_k: top-k for large d without selecting over all d magnitudes. A random sample of
// `sampleSize` magnitudes (drawn with replacement) estimates the k-th largest |v_j| as the
// sample's ceil(k * sampleSize / d)-th largest; one pass collects every nonzero |v_j| >= that
// threshold, and the exact top-k of those is kept. The message is therefore the exact top-k' of v
// for some k' <= k (k' < k when the estimate overshoots), so ||v - comp(v)||^2 <= (1 -
// k'/d)||v||^2. The estimate is noisy when that rank is small: at d = 1e5, k = 100, sampleSize =
// 2000 (rank 2) k' averages about 0.72 k; a larger sample brings k' closer to k. Falls back to
// exact top-k when sampleSize >= d or k > d/16, where sampling saves little.
template <typename Scalar>
class ApproxTopK final : public Compressor<Scalar> {
 public:
  // k >= 1, sampleSize >= 1.
  ApproxTopK(std::size_t k, std::size_t sampleSize, Rng rng);
  void compress(const ConstVectorRefOf<Scalar>& v, SparseMessage& out) override;
  [[nodiscard]] std::string_view name() const override { return "approx_top_k"; }
  [[nodiscard]] std::optional<std::size_t> fixedPairs() const override { return std::nullopt; }
  [[nodiscard]] Rng* randomSource() override { return &rng_; }
  // k' of the last message, for logging how far the estimate fell short of k.
  [[nodiscard]] std::size_t lastPairs() const { return lastPairs_; }

 private:
  [[nodiscard]] bool usesExactTopK(std::size_t dim) const;
  double estimateThreshold(const ConstVectorRefOf<Scalar>& v);

  std::size_t k_;
  std::size_t sampleSize_;
  Rng rng_;
  std::size_t lastPairs_ = 0;
  // Scratch reused by every call, so steady-state steps never allocate.
  std::vector<double> sample_;
  std::vector<std::uint32_t> candidateIndices_;
  std::vector<Scalar> candidateValues_;
  std::vector<std::uint32_t> chosen_;  // positions in the candidate arrays
  SelectionScratch scratch_;
};

}  // namespace memsgd
