#include "memsgd/util/random.hpp"

#include <bit>
#include <cmath>
#include <numbers>
#include <utility>

namespace memsgd {
namespace {

// GCC/Clang's 128-bit integer: one multiply gives Lemire's 64x64 -> 128 bit product.
__extension__ using Uint128 = unsigned __int128;

std::uint64_t splitMix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31U);
}

}  // namespace

Rng::Rng(std::uint64_t seed) {
  for (auto& word : state_) {
    word = splitMix64(seed);
  }
}

Rng::Rng(std::uint64_t seed, std::uint64_t rank, std::uint64_t purpose)
    : Rng(seed ^ (0x632be59bd9b4e019ULL * (rank + 1)) ^ (0x8cb92ba72f3d8dd7ULL * purpose)) {}

std::uint64_t Rng::next() {
  const std::uint64_t result = std::rotl(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17U;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = std::rotl(state_[3], 45);
  return result;
}

std::uint64_t Rng::below(std::uint64_t bound) {
  Uint128 product = static_cast<Uint128>(next()) * bound;
  auto low = static_cast<std::uint64_t>(product);
  if (low < bound) {
    const std::uint64_t threshold = -bound % bound;
    while (low < threshold) {
      product = static_cast<Uint128>(next()) * bound;
      low = static_cast<std::uint64_t>(product);
    }
  }
  return static_cast<std::uint64_t>(product >> 64U);
}

double Rng::uniform() { return static_cast<double>(next() >> 11U) * 0x1.0p-53; }

double Rng::normal() {
  const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));  // 1 - u in (0, 1]
  return radius * std::cos(2.0 * std::numbers::pi * uniform());
}

void shuffle(std::span<std::uint32_t> items, Rng& rng) {
  for (std::size_t i = items.size(); i > 1; --i) {
    std::swap(items[i - 1], items[rng.below(i)]);
  }
}

}  // namespace memsgd
