#pragma once

#include <cstdint>

#include "memsgd/compress/compressor.hpp"
#include "memsgd/compress/wire_scale.hpp"
#include "memsgd/util/random.hpp"

namespace memsgd {

// The value of a coordinate quantised to `level` of `levels`: ||v|| sign(v_j) l_j / s. One
// expression shared by the compressor and its codec, so that a level always maps to the same
// double on the sender and on every receiver.
inline double qsgdValue(double scale, std::uint32_t level, bool negative, std::uint32_t levels) {
  return withSign(scale * static_cast<double>(level) / static_cast<double>(levels), negative);
}

// qsgd: the stochastic quantiser Q_s of Alistarh et al., "QSGD", NIPS 2017 (Section 3.1). With
// r_j = |v_j| s / ||v||_2, the level l_j is ceil(r_j) with probability r_j - floor(r_j), else
// floor(r_j), so E[Q_s(v)] = v (Lemma 3.1 (i)) and E||Q_s(v) - v||^2 <= min(d/s^2, sqrt(d)/s)
// ||v||^2 (Lemma 3.1 (ii)). The message holds the coordinates with l_j > 0, values
// qsgdValue(||v||, l_j, v_j < 0, s), and scale = ||v||_2; v = 0 gives an empty message.
template <typename Scalar>
class Qsgd final : public Compressor<Scalar> {
 public:
  // levels = s >= 1; throws std::invalid_argument otherwise.
  Qsgd(std::uint32_t levels, Rng rng);
  // Throws std::domain_error when ||v|| is not finite (a diverged run), as no level is defined.
  void compress(const ConstVectorRefOf<Scalar>& v, SparseMessage& out) override;
  [[nodiscard]] std::string_view name() const override { return "qsgd"; }
  [[nodiscard]] std::optional<std::size_t> fixedPairs() const override { return std::nullopt; }
  [[nodiscard]] Rng* randomSource() override { return &rng_; }

  [[nodiscard]] std::uint32_t levels() const { return levels_; }

 private:
  std::uint32_t levels_;
  Rng rng_;
};

}  // namespace memsgd
