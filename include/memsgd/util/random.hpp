#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace memsgd {

// xoshiro256** (Blackman & Vigna): fast, small state, and identical on every platform, unlike
// std:: distributions whose output is implementation-defined. Seeded through splitmix64.
class Rng {
 public:
  using State = std::array<std::uint64_t, 4>;

  explicit Rng(std::uint64_t seed);
  // An independent stream per (seed, rank, purpose), so ranks and components never share draws.
  Rng(std::uint64_t seed, std::uint64_t rank, std::uint64_t purpose);

  std::uint64_t next();
  // Uniform in [0, bound), bound >= 1, without modulo bias (Lemire's multiply-shift rejection).
  std::uint64_t below(std::uint64_t bound);
  // Uniform in [0, 1) with 53 random bits.
  double uniform();
  // Standard normal (Box-Muller from two uniforms, the sine half dropped: simple and the same
  // on every rank; drawn once per parameter at initialisation, never per step).
  double normal();

  [[nodiscard]] const State& state() const { return state_; }
  void setState(const State& state) { state_ = state; }

 private:
  State state_{};
};

// Streams used by the trainer and the models' initialisation; fixed numbers so a seed means the
// same run forever.
enum class RngPurpose : std::uint64_t { kSampling = 1, kCompression = 2, kInitialization = 3 };

// Random permutation of `items` in place (Fisher-Yates with Rng::below).
void shuffle(std::span<std::uint32_t> items, Rng& rng);

}  // namespace memsgd
