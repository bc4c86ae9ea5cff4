// Top-k selection time per element, next to the time this process takes to read the same d doubles
// (read_bandwidth.hpp), measured in the same run on the same vector: x_read = top-k time / read
// time. Each benchmark reads its vector before timing, so a vector that fits in cache (d = 2000:
// 16 KiB in L1; d = 47236: 370 KiB in L2; d = 1e6: 8 MB in L3) is read from cache, by the kernel as
// by the bound; d = 1e7 (80 MB) streams from DRAM.
//
// Values are uniform in [-1, 1). top_k times selectTopK. add_then_top_k and fused_top_k time
// Mem-SGD's v += scale * x followed by top-k, as addScaled then selectTopK and as
// addScaledAndSelectTopK: they move three arrays (v read and written, x read), so their x_read is
// at least about 3 for DRAM sizes. approx_top_k times the approx_top_k compressor (threshold
// estimated from 1000 sampled magnitudes, then exact top-k among the candidates above it), from
// k = d/100 up to k = d/16, the largest k it does not hand to exact top-k.
// ns_per_elem and x_read divide CPU time; the console prints them with an "s" suffix (the unit of
// inverted rates), but they are a time in ns and a ratio.
//
// Run from build/: tests/bench/memsgd_selection_benchmark
//   --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "memsgd/compress/approx_top_k.hpp"
#include "memsgd/compress/selection.hpp"
#include "memsgd/config/run_config.hpp"
#include "memsgd/data/dataset.hpp"
#include "memsgd/util/random.hpp"
#include "read_bandwidth.hpp"

namespace memsgd {
namespace {

constexpr std::array<Eigen::Index, 4> kDims{2000, 47236, 1000000, 10000000};
// Small enough that v barely drifts over a benchmark's iterations.
constexpr double kScale = 1e-9;

Vector uniformVector(Eigen::Index d, std::uint64_t seed) {
  Rng rng(seed);
  Vector v(d);
  for (double& value : v) value = 2.0 * rng.uniform() - 1.0;
  return v;
}

void setCounters(benchmark::State& state, Eigen::Index d, double readSeconds) {
  // value * iterations / time, inverted: time per iteration / value.
  const auto perIteration =
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert;
  state.counters["ns_per_elem"] = benchmark::Counter(static_cast<double>(d) * 1e-9, perIteration);
  state.counters["read_ns_per_elem"] = readSeconds * 1e9 / static_cast<double>(d);
  state.counters["x_read"] = benchmark::Counter(readSeconds, perIteration);
}

void topK(benchmark::State& state, Eigen::Index d, std::size_t k) {
  const Vector v = uniformVector(d, 1);
  SelectionScratch scratch;
  std::vector<std::uint32_t> indices;
  selectTopK<double>(v, k, indices,
                     scratch);  // sizes the scratch, as in a training run's steady state
  const double seconds = readSeconds({v.data(), static_cast<std::size_t>(d)});
  for (auto _ : state) {
    selectTopK<double>(v, k, indices, scratch);
    benchmark::DoNotOptimize(indices.data());
    benchmark::ClobberMemory();
  }
  setCounters(state, d, seconds);
}

// Mem-SGD's v += scale * x then top-k, as two calls (fused = false) or as one.
void addThenTopK(benchmark::State& state, Eigen::Index d, std::size_t k, bool fused) {
  Vector v = uniformVector(d, 1);
  const Vector x = uniformVector(d, 2);
  SelectionScratch scratch;
  std::vector<std::uint32_t> indices;
  selectTopK<double>(v, k, indices, scratch);
  const double seconds = readSeconds({v.data(), static_cast<std::size_t>(d)});
  for (auto _ : state) {
    if (fused) {
      addScaledAndSelectTopK<double>(v, x, kScale, k, indices, scratch);
    } else {
      addScaled<double>(v, x, kScale);
      selectTopK<double>(v, k, indices, scratch);
    }
    benchmark::DoNotOptimize(indices.data());
    benchmark::ClobberMemory();
  }
  setCounters(state, d, seconds);
}

void approxTopK(benchmark::State& state, Eigen::Index d, std::size_t k) {
  const Vector v = uniformVector(d, 1);
  ApproxTopK<double> compressor(k, RunConfig{}.compression.sampleSize, Rng(3));
  SparseMessage message;
  compressor.compress(v, message);
  const double seconds = readSeconds({v.data(), static_cast<std::size_t>(d)});
  for (auto _ : state) {
    compressor.compress(v, message);
    benchmark::DoNotOptimize(message.values.data());
    benchmark::ClobberMemory();
  }
  setCounters(state, d, seconds);
}

// kernel/d/k
std::string benchmarkName(std::string kernel, Eigen::Index d, std::size_t k) {
  return kernel.append("/").append(std::to_string(d)).append("/").append(std::to_string(k));
}

}  // namespace

void registerSelectionBenchmarks() {
  for (const Eigen::Index d : kDims) {
    const auto size = static_cast<std::size_t>(d);
    for (const std::size_t k : {std::size_t{1}, std::size_t{10}, size / 100, size / 10}) {
      const auto name = [d, k](const char* kernel) { return benchmarkName(kernel, d, k); };
      benchmark::RegisterBenchmark(name("top_k").c_str(), topK, d, k)
          ->Unit(benchmark::kMicrosecond);
      if (k == 10 || k == size / 100) {
        benchmark::RegisterBenchmark(name("add_then_top_k").c_str(), addThenTopK, d, k, false)
            ->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark(name("fused_top_k").c_str(), addThenTopK, d, k, true)
            ->Unit(benchmark::kMicrosecond);
      }
    }
    if (d >= 47236) {
      for (const std::size_t k : {size / 100, size / 16}) {
        benchmark::RegisterBenchmark(benchmarkName("approx_top_k", d, k).c_str(), approxTopK, d, k)
            ->Unit(benchmark::kMicrosecond);
        if (k == size / 16) {
          benchmark::RegisterBenchmark(benchmarkName("top_k", d, k).c_str(), topK, d, k)
              ->Unit(benchmark::kMicrosecond);
        }
      }
    }
  }
}

}  // namespace memsgd

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  memsgd::registerSelectionBenchmarks();
  // Names the bound of each ratio counter, for summaries made from the JSON output.
  benchmark::AddCustomContext("x_read",
                              "time / time to read the same d doubles (read_ns_per_elem)");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
