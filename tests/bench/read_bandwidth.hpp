// The memory bound the benchmarks divide by: how long this process takes to read an array of
// doubles, measured with a vectorised sum.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <ctime>
#include <numeric>
#include <span>

namespace memsgd {

// Independent partial sums keep several vector adds in flight, so the loop waits on memory, not on
// one chain of additions.
inline double streamSum(std::span<const double> values) {
  constexpr std::size_t kLanes = 16;
  std::array<double, kLanes> partial{};
  const std::size_t whole = values.size() - values.size() % kLanes;
  for (std::size_t i = 0; i < whole; i += kLanes) {
    for (std::size_t j = 0; j < kLanes; ++j) partial[j] += values[i + j];
  }
  for (std::size_t i = whole; i < values.size(); ++i) partial[0] += values[i];
  return std::accumulate(partial.begin(), partial.end(), 0.0);
}

// CPU seconds per read of `values`: the median of 5 timings, each over enough back-to-back reads
// (at least 4 Mi elements) that the clock's resolution does not matter. CPU time, like the
// benchmarks' own times, so that waiting for a core on a loaded machine counts in neither. The
// first read is not timed, so an array that fits in cache is read from cache, as a benchmark loop
// over it reads it.
inline double readSeconds(std::span<const double> values) {
  constexpr std::size_t kMinElementsPerTiming = std::size_t{4} << 20;
  constexpr int kTimings = 5;
  const std::size_t reads = std::max<std::size_t>(1, kMinElementsPerTiming / values.size());
  benchmark::DoNotOptimize(streamSum(values));
  std::array<double, kTimings> seconds{};
  for (double& elapsed : seconds) {
    const std::clock_t start = std::clock();
    for (std::size_t r = 0; r < reads; ++r) {
      benchmark::DoNotOptimize(streamSum(values));
    }
    elapsed =
        static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC / static_cast<double>(reads);
  }
  std::nth_element(seconds.begin(), seconds.begin() + kTimings / 2, seconds.end());
  return seconds[kTimings / 2];
}

}  // namespace memsgd
