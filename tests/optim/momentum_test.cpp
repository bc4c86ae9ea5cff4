// optimizer.momentum and compression.warmup_steps against a dense reference written here from the
// formulas of the Trainer's comment: heavy ball on the exchanged update (dense SGD, top-k without
// memory), Deep Gradient Compression's momentum correction (top-k with memory, sent coordinates
// masked in the velocity), dense warm-up steps, and without momentum today's Mem-SGD, bitwise.
// The reference replays each rank's sampler from the seed and sums the ranks' messages with a
// dense MPI_Allreduce; the wire is fp64, so nothing is rounded on the way.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "memsgd/compress/selection.hpp"
#include "memsgd/model/model_factory.hpp"
#include "memsgd/optim/trainer.hpp"
#include "random_data.hpp"

namespace memsgd {
namespace {

constexpr std::uint32_t kRows = 40;
constexpr std::int32_t kDim = 30;
constexpr std::uint64_t kK = 3;
constexpr int kSteps = 30;
constexpr double kTolerance = 1e-12;

struct Case {
  const char* name;
  const char* method;  // none or top_k
  bool memory;
  double momentum;
  Aggregation aggregation;
  std::uint64_t warmupSteps;
};

void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }

RunConfig configOf(const Case& c) {
  RunConfig config;
  config.compression.method = c.method;
  config.compression.k = kK;
  config.compression.memory = c.memory;
  config.compression.warmupSteps = c.warmupSteps;
  config.communication.valueType = ValueType::kFloat64;
  config.communication.aggregation = c.aggregation;
  config.optimizer.batchSize = 2;
  // A rate that changes during the run: eta sits inside the velocity.
  config.optimizer.schedule = Schedule::kStep;
  config.optimizer.constantRate = 0.5;
  config.optimizer.rateDecay = 0.5;
  config.optimizer.rateEvery = 0.5;
  config.optimizer.momentum = c.momentum;
  return config;
}

// The k largest |v_j|, ties to the lower index; ascending.
std::vector<std::uint32_t> largestK(const Vector& v, std::size_t k) {
  std::vector<std::uint32_t> order(static_cast<std::size_t>(v.size()));
  std::iota(order.begin(), order.end(), 0U);
  std::stable_sort(order.begin(), order.end(), [&v](std::uint32_t a, std::uint32_t b) {
    return std::abs(v[a]) > std::abs(v[b]);
  });
  order.resize(k);
  std::sort(order.begin(), order.end());
  return order;
}

Vector sumOverRanks(Vector c, const Communicator& comm) {
  MPI_Allreduce(MPI_IN_PLACE, c.data(), static_cast<int>(c.size()), MPI_DOUBLE, MPI_SUM,
                comm.raw());
  return c;
}

// One rank's Mem-SGD with momentum, step by step from the formulas.
class Reference {
 public:
  Reference(const RunConfig& config, const Communicator& comm, const Model<double>& model,
            const Dataset<double>& data)
      : config_(config),
        comm_(comm),
        model_(model),
        data_(data),
        sampler_(static_cast<std::uint32_t>(data.rows()),
                 Rng(config.optimizer.seed, static_cast<std::uint64_t>(comm.rank()),
                     static_cast<std::uint64_t>(RngPurpose::kSampling))),
        x_(Vector::Zero(kDim)),
        m_(Vector::Zero(kDim)),
        u_(Vector::Zero(kDim)) {}

  // `eta` is the trainer's rate for this step (the schedule is tested on its own).
  void step(double eta) {
    const bool dense = config_.compression.method == std::string("none") ||
                       steps_ < config_.compression.warmupSteps;
    const double beta = config_.optimizer.momentum;
    const double scale = config_.communication.aggregation == Aggregation::kMean
                             ? 1.0 / static_cast<double>(comm_.size())
                             : 1.0;
    // g = grad f_i(x) over the batch, the regulariser included.
    Vector g = Vector::Zero(kDim);
    model_.addScaledDataGradient(data_, x_, sampler_.next(config_.optimizer.batchSize), 1.0, g);
    g += model_.lambda() * x_;
    const bool corrected = beta > 0.0 && config_.compression.memory && !dense;
    const bool correctedWarmup = beta > 0.0 && config_.compression.memory && dense &&
                                 config_.compression.method != std::string("none");
    Vector v;
    if (corrected || correctedWarmup) {
      u_ = beta * u_ + eta * g;  // DGC: u_t = beta u_{t-1} + eta g_t; v_t = v_{t-1} + u_t
      v = m_ + u_;
    } else {
      v = m_ + eta * g;
    }
    sent_ = dense ? std::vector<std::uint32_t>() : largestK(v, kK);
    Vector c = dense ? v : Vector::Zero(kDim);
    for (const std::uint32_t j : sent_) c[j] = v[j];
    m_ = config_.compression.memory ? Vector(v - c) : Vector::Zero(kDim);
    for (const std::uint32_t j : sent_) {
      if (corrected) u_[j] = 0.0;  // momentum factor masking
    }
    const Vector applied = scale * sumOverRanks(c, comm_);
    if (beta > 0.0 && !(corrected || correctedWarmup)) {
      u_ = beta * u_ + applied;  // heavy ball on the exchanged update
      x_ -= u_;
    } else {
      x_ -= applied;
    }
    ++steps_;
  }

  [[nodiscard]] const Vector& x() const { return x_; }
  [[nodiscard]] const Vector& memory() const { return m_; }
  [[nodiscard]] const Vector& velocity() const { return u_; }
  [[nodiscard]] const std::vector<std::uint32_t>& sent() const { return sent_; }

 private:
  const RunConfig& config_;
  const Communicator& comm_;
  const Model<double>& model_;
  const Dataset<double>& data_;
  ShardSampler sampler_;
  Vector x_;
  Vector m_;
  Vector u_;
  std::vector<std::uint32_t> sent_;
  std::uint64_t steps_ = 0;
};

double distance(const Vector& a, const Vector& b) {
  return (a - b).lpNorm<Eigen::Infinity>() / (1.0 + b.lpNorm<Eigen::Infinity>());
}

class MomentumTest : public ::testing::TestWithParam<Case> {};

TEST_P(MomentumTest, FollowsTheDenseReferenceAndCountsEveryDenseStep) {
  const Case& c = GetParam();
  const Communicator comm;
  const Dataset<double> shard =
      test::randomSparseData<double>(kRows, kDim, 100 + static_cast<std::uint64_t>(comm.rank()));
  const RunConfig config = configOf(c);
  const auto model = makeModel(config.model, shard);
  Trainer<double> trainer(config, comm, *model, shard);
  Reference reference(config, comm, *model, shard);
  double worst = 0.0;
  for (int step = 0; step < kSteps; ++step) {
    reference.step(trainer.learningRate());
    trainer.step();
    const TrainerState<double> state = trainer.state();
    worst = std::max(
        {worst, distance(state.x, reference.x()), distance(state.memory, reference.memory())});
    if (c.momentum > 0.0 && state.velocity.size() != kDim) {
      ADD_FAILURE() << "a velocity of " << state.velocity.size() << " values";
    } else if (c.momentum > 0.0) {
      worst = std::max(worst, distance(state.velocity, reference.velocity()));
      if (c.memory) {
        for (const std::uint32_t j : reference.sent()) {
          EXPECT_EQ(state.velocity[j], 0.0) << "step " << step << ", coordinate " << j;
        }
      }
    } else {
      EXPECT_EQ(state.velocity.size(), 0);
    }
  }
  EXPECT_LE(worst, kTolerance);
  EXPECT_GT(trainer.x().norm(), 0.0);
  EXPECT_GT(trainer.learningRate(), 0.0);
  // The rate decayed on the way, so eta's place in the velocity mattered.
  EXPECT_LT(trainer.learningRate(), config.optimizer.constantRate);

  // Every step to each of the P - 1 peers: p fp64 values when dense (warm-up or dense SGD),
  // k (uint32, fp64) pairs otherwise.
  const bool denseMethod = std::string(c.method) == "none";
  const std::uint64_t denseSteps =
      denseMethod ? kSteps : std::min<std::uint64_t>(c.warmupSteps, kSteps);
  const std::uint64_t sparseSteps = kSteps - denseSteps;
  const auto peers = static_cast<std::uint64_t>(comm.size() - 1);
  const std::uint64_t p = kDim;
  const CommCounters& counters = trainer.counters();
  EXPECT_EQ(counters.sent.value, (denseSteps * p + sparseSteps * kK) * 8 * peers);
  EXPECT_EQ(counters.sent.index, sparseSteps * kK * 4 * peers);
  EXPECT_EQ(counters.sent.header, 0U);
  EXPECT_EQ(counters.received.total(), counters.sent.total());
  EXPECT_EQ(counters.paperBits, 64 * (denseSteps * p + sparseSteps * kK));
  EXPECT_EQ(counters.pairs, denseSteps * p + sparseSteps * kK);
}

INSTANTIATE_TEST_SUITE_P(
    Forms, MomentumTest,
    ::testing::Values(
        Case{"dense_sgd_heavy_ball", "none", false, 0.9, Aggregation::kMean, 0},
        Case{"dense_sgd_with_memory_heavy_ball", "none", true, 0.5, Aggregation::kSum, 0},
        Case{"top_k_without_memory_heavy_ball", "top_k", false, 0.9, Aggregation::kSum, 0},
        Case{"top_k_corrected", "top_k", true, 0.9, Aggregation::kSum, 0},
        Case{"top_k_corrected_mean", "top_k", true, 0.5, Aggregation::kMean, 0},
        Case{"top_k_corrected_after_warmup", "top_k", true, 0.9, Aggregation::kSum, 6},
        Case{"top_k_heavy_ball_after_warmup", "top_k", false, 0.9, Aggregation::kMean, 6},
        Case{"top_k_after_warmup", "top_k", true, 0.0, Aggregation::kSum, 6},
        Case{"top_k_warmup_only", "top_k", true, 0.9, Aggregation::kSum, kSteps + 5}),
    [](const auto& info) { return std::string(info.param.name); });

// Without momentum the step is today's Mem-SGD, bitwise: the reference here does Algorithm 1 in
// the trainer's order of operations (eta * grad added into m, then lambda x added at eta's scale
// with addScaled, the pass top-k fuses, and the P messages applied in rank order).
TEST(Momentum, ZeroIsMemSgdBitwise) {
  const Communicator comm;
  const Dataset<double> shard =
      test::randomSparseData<double>(kRows, kDim, 200 + static_cast<std::uint64_t>(comm.rank()));
  const RunConfig config = configOf({"plain", "top_k", true, 0.0, Aggregation::kSum, 0});
  const auto model = makeModel(config.model, shard);
  Trainer<double> trainer(config, comm, *model, shard);
  ShardSampler sampler(kRows, Rng(config.optimizer.seed, static_cast<std::uint64_t>(comm.rank()),
                                  static_cast<std::uint64_t>(RngPurpose::kSampling)));
  Vector x = Vector::Zero(kDim);
  Vector m = Vector::Zero(kDim);
  const auto ranks = static_cast<std::size_t>(comm.size());
  for (int step = 0; step < kSteps; ++step) {
    const double eta = trainer.learningRate();
    trainer.step();
    model->addScaledDataGradient(shard, x, sampler.next(config.optimizer.batchSize), eta, m);
    addScaled<double>(m, x, eta * model->lambda());
    Vector c = Vector::Zero(kDim);
    for (const std::uint32_t j : largestK(m, kK)) {
      c[j] = m[j];
      m[j] = m[j] - c[j];
    }
    std::vector<double> all(ranks * kDim);
    MPI_Allgather(c.data(), kDim, MPI_DOUBLE, all.data(), kDim, MPI_DOUBLE, comm.raw());
    for (std::size_t r = 0; r < ranks; ++r) {
      for (Eigen::Index j = 0; j < kDim; ++j) {
        const double sent = all[r * kDim + static_cast<std::size_t>(j)];
        if (sent != 0.0) x[j] = x[j] - 1.0 * sent;
      }
    }
    EXPECT_EQ(trainer.x(), x) << "step " << step;
    EXPECT_EQ(trainer.state().memory, m) << "step " << step;
  }
  EXPECT_EQ(trainer.state().velocity.size(), 0);
}

}  // namespace
}  // namespace memsgd
