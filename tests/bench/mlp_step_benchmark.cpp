// Microseconds per MLP step (Trainer::step: forward, backward, compression and exchange) on 1 or
// more ranks, each next to a compute bound timed in the same iterations: the step's five matrix
// products (W1 X, W2 H, D2 H^T, W2^T D2, D1 X^T) alone, on matrices of the same shapes. The MLP is
// configs/fashion_mnist/'s: 784-256-10, batch 32 per rank, the last iterate (no averaging), on
// random dense rows of Fashion-MNIST's shape, pixels in [0, 1).
//   - mlp/npP/<precision>/<method>: the step with compression.method = none (dense SGD) or top-k
//     at 1% of p over the flat vector or per layer (compression.scope = layer), with memory;
//   - mlp/npP/<precision>/gradient: the model's forward and backward pass alone
//     (Mlp::addScaledDataGradient), which splits a step's overhead into the model's and the rest.
// What a step adds to the bound: gathering the rows, bias, ReLU, softmax, the regulariser, the
// memory and compression passes over p = 203,530 values, the exchange.
// Counters: median_us and gemm_us (medians over the iterations, wall clock: ranks spin while they
// wait) and x_gemm = median_us / gemm_us. Every rank runs every benchmark with a fixed iteration
// count (the steps are collective); only rank 0 reports.
// Run from build/: launch/mpirun.sh -np 2 tests/bench/memsgd_mlp_step_benchmark
//   --benchmark_repetitions=5 --benchmark_report_aggregates_only=true     (and with -np 1)
#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cstdint>
#include <numeric>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "memsgd/config/run_config.hpp"
#include "memsgd/data/dataset.hpp"
#include "memsgd/model/model_factory.hpp"
#include "memsgd/mpi/communicator.hpp"
#include "memsgd/optim/trainer.hpp"
#include "memsgd/util/random.hpp"
#include "paired_timing.hpp"
#include "rank_zero_reporting.hpp"

namespace memsgd {
namespace {

constexpr std::uint64_t kSeed = 1;
constexpr Eigen::Index kPixels = 784;
constexpr Eigen::Index kHidden = 256;
constexpr std::uint64_t kClasses = 10;
constexpr std::uint32_t kBatch = 32;
constexpr std::uint64_t kRows = 10000;  // per rank
constexpr benchmark::IterationCount kIterations = 200;

template <typename Scalar>
Dataset<Scalar> makeImageRows(int rank) {
  Rng rng(kSeed, static_cast<std::uint64_t>(rank), 0);
  typename Dataset<double>::DenseRows rows(static_cast<Eigen::Index>(kRows), kPixels);
  std::generate_n(rows.data(), rows.size(), [&rng] { return rng.uniform(); });
  Vector labels(static_cast<Eigen::Index>(kRows));
  for (double& label : labels) label = static_cast<double>(rng.below(kClasses));
  Dataset<double> inDouble =
      Dataset<double>::fromDense(std::move(rows), std::move(labels), kRows, {0, kRows});
  if constexpr (std::is_same_v<Scalar, float>) {
    return inDouble.cast<float>();
  } else {
    return inDouble;
  }
}

// This rank's rows, made once per precision (a process is one rank).
template <typename Scalar>
const Dataset<Scalar>& imageRows(int rank) {
  static const Dataset<Scalar> data = makeImageRows<Scalar>(rank);
  return data;
}

// The five products of one step on matrices of its shapes: the bound (see the top of the file).
template <typename Scalar>
class GemmBound {
 public:
  GemmBound()
      : w1_(Matrix::Random(kHidden, kPixels)),
        w2_(Matrix::Random(kClasses, kHidden)),
        input_(Matrix::Random(kPixels, kBatch)),
        hidden_(kHidden, kBatch),
        logits_(kClasses, kBatch),
        back_(kHidden, kBatch),
        g1_(Matrix::Zero(kHidden, kPixels)),
        g2_(Matrix::Zero(kClasses, kHidden)) {}

  void operator()() {
    hidden_.noalias() = w1_ * input_;
    logits_.noalias() = w2_ * hidden_;
    g2_.noalias() += Scalar(1e-3) * (logits_ * hidden_.transpose());
    back_.noalias() = w2_.transpose() * logits_;
    g1_.noalias() += Scalar(1e-3) * (back_ * input_.transpose());
    benchmark::DoNotOptimize(g1_.data());
    benchmark::DoNotOptimize(g2_.data());
  }

 private:
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  Matrix w1_, w2_, input_, hidden_, logits_, back_, g1_, g2_;
};

ModelSpec mlpSpec() {
  return {.dim = kPixels, .lambda = 1e-4, .classes = kClasses, .hidden = {kHidden}};
}

void reportAgainstGemm(benchmark::State& state, const PairedMedians& medians) {
  state.counters["median_us"] = medians.measured * 1e6;
  state.counters["gemm_us"] = medians.bound * 1e6;
  state.counters["x_gemm"] = medians.measured / medians.bound;
}

// compression.scope = layer is the MLP's own variant of top-k.
struct Method {
  const char* label;
  const char* name;  // compression.method
  CompressionScope scope;
};

constexpr std::array kMethods{Method{"sgd", "none", CompressionScope::kGlobal},
                              Method{"top_k_1pct", "top_k", CompressionScope::kGlobal},
                              Method{"top_k_1pct_layer", "top_k", CompressionScope::kLayer}};

template <typename Scalar>
void step(benchmark::State& state, const Communicator& comm, Method method) {
  const Dataset<Scalar>& data = imageRows<Scalar>(comm.rank());
  RunConfig config;  // configs/fashion_mnist/'s optimizer, at its first (constant) rate
  config.optimizer.seed = kSeed;
  config.optimizer.batchSize = kBatch;
  config.optimizer.schedule = Schedule::kConstant;
  config.optimizer.constantRate = 0.1;
  config.optimizer.averaging = Averaging::kLast;
  config.compression.method = method.name;
  config.compression.kPercent = 1.0;
  config.compression.scope = method.scope;
  config.compression.memory = true;
  const auto model = makeModel<Scalar>("mlp", mlpSpec());
  Trainer<Scalar> trainer(config, comm, *model, data);
  GemmBound<Scalar> bound;
  reportAgainstGemm(state, timePaired(
                               state, comm, [&] { trainer.step(); }, bound));
}

template <typename Scalar>
void gradient(benchmark::State& state, const Communicator& comm) {
  const Dataset<Scalar>& data = imageRows<Scalar>(comm.rank());
  const auto model = makeModel<Scalar>("mlp", mlpSpec());
  VectorOf<Scalar> x(static_cast<Eigen::Index>(model->parameterCount()));
  model->initialize(kSeed, x);
  VectorOf<Scalar> out = VectorOf<Scalar>::Zero(x.size());
  std::vector<std::uint32_t> rows(kBatch);
  std::iota(rows.begin(), rows.end(), 0U);
  GemmBound<Scalar> bound;
  const auto pass = [&] { model->addScaledDataGradient(data, x, rows, 1e-3, out); };
  reportAgainstGemm(state, timePaired(state, comm, pass, bound));
}

}  // namespace

void registerMlpBenchmarks(const Communicator& comm) {
  const std::string ranks = "mlp/np" + std::to_string(comm.size());
  const auto add = [](const std::string& name, auto function, auto... arguments) {
    benchmark::RegisterBenchmark(name.c_str(), function, arguments...)
        ->Iterations(kIterations)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  };
  for (const Method& method : kMethods) {
    add(ranks + "/double/" + method.label, step<double>, std::cref(comm), method);
    add(ranks + "/float/" + method.label, step<float>, std::cref(comm), method);
  }
  add(ranks + "/double/gradient", gradient<double>, std::cref(comm));
  add(ranks + "/float/gradient", gradient<float>, std::cref(comm));
}

}  // namespace memsgd

// Only rank 0 reports; every rank runs every benchmark (rank_zero_reporting.hpp).
int main(int argc, char** argv) {
  return memsgd::runOnEveryRank(argc, argv, memsgd::registerMlpBenchmarks, "x_gemm",
                                "median_us / gemm_us: the step's five matrix products alone, timed "
                                "in the same iterations");
}
