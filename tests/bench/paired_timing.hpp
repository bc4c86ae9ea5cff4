// Timing a call next to its bound in the same iterations, for benchmarks run on several ranks:
// both meet the same load, and medians leave out the iterations that the machine's other jobs
// deschedule.
#pragma once

#include <benchmark/benchmark.h>
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "memsgd/mpi/communicator.hpp"
#include "memsgd/mpi/mpi_check.hpp"

namespace memsgd {

inline double median(std::vector<double>& values) {
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

// Wall-clock medians over the iterations, in seconds.
struct PairedMedians {
  double measured;
  double bound;
};

// The benchmark loop: each iteration times one `measured` call (the benchmark's time, manual) and
// one `bound` call, alternating which goes first, which cancels what following the other call
// does to one. Both are called once before timing (buffers grown, as in a run after its first
// step), then all ranks meet in a barrier. Collective when the calls are.
template <typename Measured, typename Bound>
PairedMedians timePaired(benchmark::State& state, const Communicator& comm, Measured measured,
                         Bound bound) {
  const auto seconds = [](auto& call) {
    const auto start = std::chrono::steady_clock::now();
    call();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  std::vector<double> measuredSeconds;
  std::vector<double> boundSeconds;
  measuredSeconds.reserve(static_cast<std::size_t>(state.max_iterations));
  boundSeconds.reserve(static_cast<std::size_t>(state.max_iterations));
  measured();
  bound();
  MEMSGD_MPI_CHECK(MPI_Barrier(comm.raw()));
  for (auto _ : state) {
    if (measuredSeconds.size() % 2 == 0) {
      measuredSeconds.push_back(seconds(measured));
      boundSeconds.push_back(seconds(bound));
    } else {
      boundSeconds.push_back(seconds(bound));
      measuredSeconds.push_back(seconds(measured));
    }
    state.SetIterationTime(measuredSeconds.back());
  }
  return {median(measuredSeconds), median(boundSeconds)};
}

}  // namespace memsgd
