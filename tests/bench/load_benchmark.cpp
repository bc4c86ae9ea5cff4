// Loading LIBSVM text on one rank (MPI singleton), in MB/s of file, each next to the time this
// process takes to read the same bytes with plain sequential reads (1 MiB std::ifstream::read
// calls, from the page cache; median of 5, measured once per file before any benchmark):
//   - load/<shape>/count: countLibsvmRows, the pass that finds n;
//   - load/<shape>/parse: readLibsvmRows of all rows, the pass that parses them;
//   - load/<shape>/source: LibsvmSource::readShard, both (what a rank of 1 does).
// Shapes, written once by the benchmark to $TMPDIR (removed at exit), 8 significant digits per
// value as LIBSVM tools write them:
//   - rcv1: 70 nonzeros per row in d = 47236, about 64 MB;
//   - epsilon: dense rows of d = 2000, about 64 MB.
// Counters: MBps (file bytes per second of the benchmark's time) and x_raw (time / raw read).
// Run from build/: tests/bench/memsgd_load_benchmark --benchmark_repetitions=5
//   --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <unistd.h>
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "memsgd/data/libsvm_reader.hpp"
#include "memsgd/data/libsvm_source.hpp"
#include "memsgd/mpi/communicator.hpp"
#include "memsgd/mpi/mpi_environment.hpp"
#include "memsgd/util/random.hpp"

namespace memsgd {
namespace {

constexpr std::uint64_t kSeed = 1;
constexpr std::uint64_t kTargetBytes = std::uint64_t{64} << 20;

struct Shape {
  const char* name;
  std::uint64_t dim;
  std::uint64_t nonZeros;  // per row; dim: dense
};

constexpr std::array kShapes{Shape{"rcv1", 47236, 70}, Shape{"epsilon", 2000, 2000}};

std::filesystem::path folder() {
  static const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                            ("memsgd_load_benchmark_" + std::to_string(::getpid()));
  return path;
}

// Rows of the shape until the file holds about kTargetBytes.
std::string writeFile(const Shape& shape) {
  std::filesystem::create_directories(folder());
  const std::string path = (folder() / (std::string(shape.name) + ".svm")).string();
  std::FILE* file = std::fopen(path.c_str(), "w");
  Rng rng(kSeed);
  std::uint64_t bytes = 0;
  const std::uint64_t stride = shape.dim / shape.nonZeros;
  while (bytes < kTargetBytes) {
    int written = std::fprintf(file, "%s", rng.below(2) == 0 ? "-1" : "+1");
    std::uint64_t index = 0;
    for (std::uint64_t f = 0; f < shape.nonZeros; ++f) {
      index += shape.nonZeros == shape.dim ? 1 : 1 + rng.below(2 * stride - 1) % stride;
      written += std::fprintf(file, " %llu:%.8g", static_cast<unsigned long long>(index),
                              (2.0 * rng.uniform() - 1.0) * 0.05);
    }
    written += std::fprintf(file, "\n");
    bytes += static_cast<std::uint64_t>(written);
  }
  std::fclose(file);
  return path;
}

const std::string& fileOf(const Shape& shape) {
  static std::array<std::string, kShapes.size()> paths;
  const auto i = static_cast<std::size_t>(&shape - kShapes.data());
  if (paths[i].empty()) paths[i] = writeFile(shape);
  return paths[i];
}

double secondsOf(auto&& call) {
  const auto start = std::chrono::steady_clock::now();
  call();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Seconds to read the file with 1 MiB reads, median of 5 (the first read, not timed, warms the
// page cache).
double rawReadSeconds(const std::string& path) {
  std::vector<char> buffer(std::size_t{1} << 20);
  const auto readAll = [&] {
    std::ifstream in(path, std::ios::binary);
    while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()))) {
    }
    benchmark::DoNotOptimize(buffer.data());
  };
  readAll();
  std::array<double, 5> seconds{};
  for (double& s : seconds) s = secondsOf(readAll);
  std::nth_element(seconds.begin(), seconds.begin() + 2, seconds.end());
  return seconds[2];
}

enum class Pass { kCount, kParse, kSource };

void load(benchmark::State& state, const Shape& shape, Pass pass) {
  const std::string& path = fileOf(shape);
  const double raw = rawReadSeconds(path);
  const Communicator comm;
  for (auto _ : state) {
    if (pass == Pass::kCount) {
      benchmark::DoNotOptimize(countLibsvmRows(path));
    } else if (pass == Pass::kParse) {
      benchmark::DoNotOptimize(
          readLibsvmRows(path, {0, std::numeric_limits<std::uint64_t>::max()}));
    } else {
      benchmark::DoNotOptimize(LibsvmSource(path).readShard(comm, {}));
    }
  }
  const auto bytes = static_cast<double>(std::filesystem::file_size(path));
  state.counters["MBps"] =
      benchmark::Counter(bytes / 1e6, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["x_raw"] = benchmark::Counter(
      raw, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

}  // namespace

void registerLoadBenchmarks() {
  for (const Shape& shape : kShapes) {
    const std::string name = std::string("load/") + shape.name;
    for (const auto& [label, pass] :
         {std::pair{"count", Pass::kCount}, {"parse", Pass::kParse}, {"source", Pass::kSource}}) {
      benchmark::RegisterBenchmark((name + "/" + label).c_str(), load, std::cref(shape), pass)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  }
}

}  // namespace memsgd

// Custom main: MPI (one rank, singleton init) must be up before any Communicator exists.
int main(int argc, char** argv) {
  const memsgd::MpiEnvironment mpi(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  memsgd::registerLoadBenchmarks();
  benchmark::AddCustomContext("x_raw", "time / the same file read with 1 MiB sequential reads");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::filesystem::remove_all(memsgd::folder());
  return 0;
}
