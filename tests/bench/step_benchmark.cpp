// Microseconds per Mem-SGD step on one rank (Trainer::step, MPI singleton), each next to a memory
// bound measured in the same process, so that figures from different machines compare.
//
// The bound is the time to read the bytes a step must touch at least, at the read bandwidth of this
// process: the median of 5 sums of a 256 MiB double array, in CPU time (read_bandwidth.hpp),
// measured once at start-up, before any step runs. Bytes per step, with s = sizeof(Scalar) (8 for
// model.precision = double, 4 for float):
//   - the sampled row: s bytes per value (dense) or s + 4 per nonzero (value + int32 index);
//   - 3 passes of p values (p = d, or C d for softmax over C classes): x read, memory m read and
//     written, because the regulariser's gradient lambda*x makes v = m + eta*grad dense whatever
//     the data (softmax's C nnz reads of x for the scores fall within the pass over x);
//   - top-k: 1 more pass, selection reads all of v (rand-k touches only its k entries);
//   - dense SGD: 1 more pass, every coordinate of x is written;
//   - optimizer.momentum (top_k with memory: momentum correction): 2 more, the velocity u read and
//     written.
// The softmax cases ("sparse_softmax10") train C = 10 classes on the sparse rows (p = 472360).
// The byte count is a lower bound; the time is not quite one: x and m stay in cache (16 KiB dense,
// 370 KiB sparse, in double), which beats DRAM bandwidth, so x_bound (time / bound) < 1 is
// possible. x_bound reads as "the step costs this many streaming passes over its minimal data". It
// divides the CPU time (the time Google Benchmark gives counters), so other load on the machine
// does not inflate it; the console prints it with an "s" suffix (the unit of inverted rates), but
// it is a ratio.
//
// The MLP's step has a compute bound instead: mlp_step_benchmark.cpp.
//
// Run from build/ (one rank, no mpirun): tests/bench/memsgd_step_benchmark
//   --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "memsgd/compress/selection.hpp"
#include "memsgd/config/run_config.hpp"
#include "memsgd/data/dataset.hpp"
#include "memsgd/model/model_factory.hpp"
#include "memsgd/mpi/communicator.hpp"
#include "memsgd/mpi/mpi_environment.hpp"
#include "memsgd/optim/trainer.hpp"
#include "memsgd/util/random.hpp"
#include "read_bandwidth.hpp"

namespace memsgd {
namespace {

constexpr std::uint64_t kSeed = 1;
constexpr std::uint64_t kRows = 20000;
constexpr Eigen::Index kDenseDim = 2000;
constexpr std::uint64_t kSparseDim = 47236;  // rcv1's dimension
constexpr std::size_t kRowNonZeros = 70;     // about rcv1's mean
constexpr std::size_t kStreamBytes = std::size_t{256} << 20;
constexpr std::uint64_t kClasses = 10;  // softmax's C

// Bytes per second, measured on first use; main calls it before any benchmark so that the
// measurement never competes with a step.
double readBandwidth() {
  static const double bandwidth = [] {
    const std::vector<double> data(kStreamBytes / sizeof(double), 1.0);  // mapped before timing
    return static_cast<double>(kStreamBytes) / readSeconds(data);
  }();
  return bandwidth;
}

double randomLabel(Rng& rng) { return rng.below(2) == 0 ? -1.0 : 1.0; }
double randomClass(Rng& rng) { return static_cast<double>(rng.below(kClasses)); }

const Dataset<double>& denseProblem() {
  static const Dataset<double> data = [] {
    Rng rng(kSeed);
    Dataset<double>::DenseRows rows(static_cast<Eigen::Index>(kRows), kDenseDim);
    std::generate_n(rows.data(), rows.size(), [&rng] { return 2.0 * rng.uniform() - 1.0; });
    Vector labels(static_cast<Eigen::Index>(kRows));
    for (double& label : labels) label = randomLabel(rng);
    Dataset<double> dataset =
        Dataset<double>::fromDense(std::move(rows), std::move(labels), kRows, {0, kRows});
    dataset.normalizeRows();
    return dataset;
  }();
  return data;
}

// kRows rows of `nonZeros` random features of `dim` each, labels from `label`, unit norm, CSR.
Dataset<double> sparseRows(std::uint64_t dim, std::size_t nonZeros, double (*label)(Rng&)) {
  Rng rng(kSeed);
  RowBlock rows;
  SelectionScratch scratch;
  std::vector<std::uint32_t> columns;
  for (std::uint64_t i = 0; i < kRows; ++i) {
    // Distinct and ascending, as a LIBSVM row is.
    selectRandomK(dim, nonZeros, rng, columns, scratch);
    rows.indices.insert(rows.indices.end(), columns.begin(), columns.end());
    // In (0, 1]: no explicit zeros, which the reader would have dropped.
    std::generate_n(std::back_inserter(rows.values), nonZeros,
                    [&rng] { return 1.0 - rng.uniform(); });
    rows.rowOffsets.push_back(static_cast<std::int64_t>(rows.indices.size()));
    rows.labels.push_back(label(rng));
    rows.maxIndex = std::max<std::uint64_t>(rows.maxIndex, columns.back() + 1U);
  }
  Dataset<double> dataset = Dataset<double>::fromRows(std::move(rows), dim, kRows, {0, kRows});
  dataset.normalizeRows();
  return dataset;
}

const Dataset<double>& sparseProblem() {
  static const Dataset<double> data = sparseRows(kSparseDim, kRowNonZeros, randomLabel);
  return data;
}

const Dataset<double>& sparseClassProblem() {
  static const Dataset<double> data = sparseRows(kSparseDim, kRowNonZeros, randomClass);
  return data;
}

// The float variants are the same values rounded.
const Dataset<float>& denseProblemInFloat() {
  static const Dataset<float> data = denseProblem().cast<float>();
  return data;
}

const Dataset<float>& sparseProblemInFloat() {
  static const Dataset<float> data = sparseProblem().cast<float>();
  return data;
}

const Dataset<float>& sparseClassProblemInFloat() {
  static const Dataset<float> data = sparseClassProblem().cast<float>();
  return data;
}

// The bytes a step over p parameters must touch at least (see the top of the file).
template <typename Scalar>
double boundBytes(const Dataset<Scalar>& data, std::uint64_t parameters, std::string_view method,
                  bool momentum) {
  const auto p = static_cast<double>(parameters);
  const double bytesPerValue =
      data.isDense() ? sizeof(Scalar) : sizeof(Scalar) + sizeof(std::int32_t);
  const double rowBytes =
      bytesPerValue * static_cast<double>(data.nonZeros()) / static_cast<double>(data.rows());
  const double passes =
      (method == "top_k" || method == "none" ? 4.0 : 3.0) + (momentum ? 2.0 : 0.0);
  return rowBytes + passes * sizeof(Scalar) * p;
}

struct Problem {
  const char* name;
  const Dataset<double>& (*data)();
  const Dataset<float>& (*dataInFloat)();
  const char* model = "logistic";  // model.type
  std::uint64_t classes = 0;       // C, for softmax
};

struct Method {
  const char* label;
  const char* name;  // compression.method
  std::uint64_t k;   // 0: 1% of d
  double momentum = 0.0;
};

constexpr std::array kProblems{Problem{"dense", denseProblem, denseProblemInFloat},
                               Problem{"sparse", sparseProblem, sparseProblemInFloat},
                               Problem{"sparse_softmax10", sparseClassProblem,
                                       sparseClassProblemInFloat, "softmax", kClasses}};
constexpr std::array kMethods{
    Method{"sgd", "none", 1},          Method{"top_k_1", "top_k", 1},
    Method{"top_k_10", "top_k", 10},   Method{"top_k_1pct", "top_k", 0},
    Method{"rand_k_10", "rand_k", 10}, Method{"top_k_1pct_momentum", "top_k", 0, 0.9}};

template <typename Scalar>
void step(benchmark::State& state, Problem problem, Method method) {
  // Built on first use, so a filter skips unused problems.
  const Dataset<Scalar>& data = [&problem]() -> const Dataset<Scalar>& {
    if constexpr (std::is_same_v<Scalar, float>) {
      return problem.dataInFloat();
    } else {
      return problem.data();
    }
  }();
  RunConfig config;  // optimizer defaults: decay schedule, gamma 2, weighted averaging, lambda 1/n
  config.optimizer.seed = kSeed;
  config.model.type = problem.model;
  config.compression.method = method.name;
  config.optimizer.momentum = method.momentum;
  const Communicator comm;
  const auto model = makeModel(config.model, data, problem.classes);
  const std::uint64_t p = model->parameterCount();
  config.compression.k = method.k > 0 ? method.k : p / 100;
  Trainer<Scalar> trainer(config, comm, *model, data);
  for (auto _ : state) {
    trainer.step();
  }
  const double boundSeconds =
      boundBytes(data, p, method.name, method.momentum > 0.0) / readBandwidth();
  state.counters["bound_us"] = boundSeconds * 1e6;
  // value * iterations / time, inverted: (time per step) / bound.
  state.counters["x_bound"] = benchmark::Counter(
      boundSeconds, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// The same rows of d = 2000 at a density, in CSR or in dense storage (data.layout): top-1 steps,
// whose time is mostly the row's gradient, to find the density from which dense storage wins.
// Built as a file's rows are (RowBlock, then Dataset::storeDense), so density:100/dense is the
// step on epsilon-shaped rows read from LIBSVM, next to step/double/dense/top_k_1's generated ones.
void layoutStep(benchmark::State& state, int percent, bool dense) {
  const auto nonZeros = static_cast<std::size_t>(kDenseDim * percent / 100);
  Dataset<double> data = sparseRows(kDenseDim, nonZeros, randomLabel);
  if (dense) data.storeDense();
  RunConfig config;
  config.optimizer.seed = kSeed;
  config.compression.method = "top_k";
  config.compression.k = 1;
  const Communicator comm;
  const auto model = makeModel(config.model, data, 0);
  Trainer<double> trainer(config, comm, *model, data);
  for (auto _ : state) {
    trainer.step();
  }
}

constexpr std::array kLayoutPercents{1, 5, 10, 20, 25, 30, 35, 50, 75, 100};

}  // namespace

void registerStepBenchmarks() {
  for (const int percent : kLayoutPercents) {
    for (const bool dense : {false, true}) {
      const std::string name =
          "layout/double/density:" + std::to_string(percent) + "/" + (dense ? "dense" : "sparse");
      benchmark::RegisterBenchmark(name.c_str(), layoutStep, percent, dense)
          ->Unit(benchmark::kMicrosecond);
    }
  }
  for (const Problem& problem : kProblems) {
    for (const Method& method : kMethods) {
      const std::string name = std::string("/") + problem.name + "/" + method.label;
      benchmark::RegisterBenchmark(("step/double" + name).c_str(), step<double>, problem, method)
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("step/float" + name).c_str(), step<float>, problem, method)
          ->Unit(benchmark::kMicrosecond);
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
  memsgd::registerStepBenchmarks();
  benchmark::AddCustomContext("read_bandwidth_GBps", std::to_string(memsgd::readBandwidth() / 1e9));
  // Names the bound of each ratio counter, for summaries made from the JSON output.
  benchmark::AddCustomContext("x_bound",
                              "time / bound_us, reading the bytes a step must touch at least");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
