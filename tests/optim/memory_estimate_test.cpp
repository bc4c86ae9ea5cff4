#include "memsgd/optim/memory_estimate.hpp"

#include <gtest/gtest.h>
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <string>

#include "memsgd/model/model_factory.hpp"
#include "memsgd/optim/optimum.hpp"
#include "memsgd/optim/shared_trainer.hpp"
#include "memsgd/optim/trainer.hpp"
#include "memsgd/util/available_memory.hpp"
#include "memsgd/util/random.hpp"

namespace memsgd {
namespace {

constexpr std::int32_t kDim = 1 << 20;  // large enough that the d-sized buffers dwarf the rest

// Bytes the heap holds now: small blocks plus mmapped ones (every buffer of d here).
std::uint64_t heapBytes() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

// 64 sparse rows of 20 nonzeros spread over [0, kDim): the data stays small next to d.
template <typename Scalar>
Dataset<Scalar> wideSparseShard(const Communicator& comm) {
  Rng rng(7, static_cast<std::uint64_t>(comm.rank()), 0);
  constexpr std::uint32_t kRows = 64;
  RowBlock rows;
  for (std::uint32_t i = 0; i < kRows; ++i) {
    for (std::int32_t j = 0; j < 20; ++j) {
      rows.indices.push_back(j * (kDim / 20) + static_cast<std::int32_t>(rng.below(kDim / 20)));
      rows.values.push_back(2.0 * rng.uniform() - 1.0);
    }
    rows.rowOffsets.push_back(static_cast<std::int64_t>(rows.indices.size()));
    rows.labels.push_back(i % 2 == 0 ? 1.0 : -1.0);
  }
  const auto first = static_cast<std::uint64_t>(comm.rank()) * kRows;
  return Dataset<Scalar>::fromRows(std::move(rows), kDim,
                                   kRows * static_cast<std::uint64_t>(comm.size()),
                                   {first, first + kRows});
}

struct Case {
  std::string method;
  std::uint64_t k;
  Precision precision;
  Averaging averaging;
  ValueType valueType;
  bool fixedSize;  // messages of a known size: the estimate must be close, not only above
  double momentum = 0.0;
  std::uint64_t warmupSteps = 0;  // of the 20 steps
  CollectiveKind collective = CollectiveKind::kAllgather;
};

template <typename Scalar>
void expectEstimateCovers(const Case& c) {
  const Communicator comm;
  const Dataset<Scalar> shard = wideSparseShard<Scalar>(comm);
  RunConfig config;
  config.compression.method = c.method;
  config.compression.k = c.k;
  config.compression.threshold = 1e-300;  // threshold: every nonzero coordinate
  config.model.precision = c.precision;
  config.optimizer.averaging = c.averaging;
  config.communication.valueType = c.valueType;
  config.optimizer.momentum = c.momentum;
  config.compression.warmupSteps = c.warmupSteps;
  config.communication.collective = c.collective;
  const MemoryEstimate estimate = estimateTrainingMemory(config, kDim, comm.size(), 0);

  const std::uint64_t before = heapBytes();
  std::uint64_t measured = 0;
  {
    const auto model = makeModel(config.model, shard);
    Trainer<Scalar> trainer(config, comm, *model, shard);
    for (int step = 0; step < 20; ++step) {
      trainer.step();
    }
    measured = heapBytes() - before;
  }
  EXPECT_LE(measured, estimate.trainer) << c.method;
  if (c.fixedSize) {
    EXPECT_LE(estimate.trainer, measured + measured / 8 + (1 << 20)) << c.method;
  }
}

class MemoryEstimateTest : public ::testing::TestWithParam<Case> {};

TEST_P(MemoryEstimateTest, CoversWhatATrainerAllocates) {
#ifdef __SANITIZE_ADDRESS__
  // AddressSanitizer replaces malloc, and mallinfo2 then sees none of the Trainer's buffers.
  GTEST_SKIP() << "heap sizes come from glibc's allocator, which AddressSanitizer replaces";
#endif
  if (GetParam().precision == Precision::kFloat) {
    expectEstimateCovers<float>(GetParam());
  } else {
    expectEstimateCovers<double>(GetParam());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Configurations, MemoryEstimateTest,
    ::testing::Values(
        Case{"top_k", 10, Precision::kDouble, Averaging::kWeighted, ValueType::kFloat32, true},
        Case{"top_k", kDim / 4, Precision::kFloat, Averaging::kLast, ValueType::kFloat64, true},
        Case{"rand_k", 1000, Precision::kFloat, Averaging::kUniform, ValueType::kFloat16, true},
        Case{"none", 1, Precision::kDouble, Averaging::kWeighted, ValueType::kFloat32, true},
        Case{"none", 1, Precision::kFloat, Averaging::kLast, ValueType::kFloat64, true},
        Case{"scaled_sign", 1, Precision::kDouble, Averaging::kLast, ValueType::kFloat32, true},
        Case{"approx_top_k", 100, Precision::kDouble, Averaging::kWeighted, ValueType::kFloat32,
             false},
        Case{"qsgd", 1, Precision::kDouble, Averaging::kWeighted, ValueType::kFloat32, false},
        Case{"threshold", 1, Precision::kFloat, Averaging::kLast, ValueType::kFloat32, false}));

// The velocity (d values of Scalar) and the warm-up's dense wire vector, with momentum correction
// (top_k with memory) and heavy ball (rand_k without memory is the same allocation).
INSTANTIATE_TEST_SUITE_P(
    OptimizerFeatures, MemoryEstimateTest,
    ::testing::Values(Case{"top_k", 10, Precision::kDouble, Averaging::kWeighted,
                           ValueType::kFloat32, true, 0.9, 0},
                      Case{"top_k", 10, Precision::kFloat, Averaging::kLast, ValueType::kFloat64,
                           true, 0.0, 5},
                      Case{"rand_k", 1000, Precision::kDouble, Averaging::kLast,
                           ValueType::kFloat32, true, 0.5, 5}));

// What each collective allocates: dense's d-vector in the wire precision, split_allgather's owner
// range, receive buffers and index list; allgather decoding fp16 messages (raw fp32 and fp64 ones
// are read in place).
INSTANTIATE_TEST_SUITE_P(
    Collectives, MemoryEstimateTest,
    ::testing::Values(Case{"top_k", 10, Precision::kDouble, Averaging::kWeighted,
                           ValueType::kFloat32, true, 0.0, 0, CollectiveKind::kDense},
                      Case{"rand_k", 1000, Precision::kFloat, Averaging::kLast, ValueType::kFloat64,
                           true, 0.0, 0, CollectiveKind::kDense},
                      Case{"top_k", 10, Precision::kDouble, Averaging::kWeighted,
                           ValueType::kFloat32, true, 0.0, 0, CollectiveKind::kSplitAllgather},
                      // How many pairs each owner sums depends on where they fall: a bound only.
                      Case{"top_k", kDim / 4, Precision::kFloat, Averaging::kLast,
                           ValueType::kFloat16, false, 0.0, 0, CollectiveKind::kSplitAllgather},
                      Case{"top_k", kDim / 4, Precision::kFloat, Averaging::kLast,
                           ValueType::kFloat16, true}));

TEST(MemoryEstimate, CountsWhatEachCollectiveAllocates) {
  RunConfig config;
  config.compression.k = 10;
  const std::uint64_t allgather = estimateTrainingMemory(config, kDim, 4, 0).trainer;
  // Dense sends no encoded messages: allgather's buffers of 10 pairs are below 4 KiB.
  config.communication.collective = CollectiveKind::kDense;
  EXPECT_GE(estimateTrainingMemory(config, kDim, 4, 0).trainer + 4096,
            allgather + sizeof(float) * kDim);
  config.communication.collective = CollectiveKind::kSplitAllgather;
  // The owner range's double sums and flags, and the d indices of the dense ranges.
  EXPECT_GE(estimateTrainingMemory(config, kDim, 4, 0).trainer,
            allgather + (sizeof(double) + 1) * kDim / 4 + sizeof(std::uint32_t) * kDim);
}

// auto is checked before it picks: what it may pick must fit, at a small k (split_allgather's
// owner range is the most) and at k = d (allgather's P gathered messages are).
TEST(MemoryEstimate, CountsTheLargestCollectiveAutoMayPick) {
  for (const std::uint64_t k : {std::uint64_t{10}, static_cast<std::uint64_t>(kDim)}) {
    RunConfig config;
    config.compression.k = k;
    std::uint64_t largest = 0;
    for (const CollectiveKind kind :
         {CollectiveKind::kAllgather, CollectiveKind::kDense, CollectiveKind::kSplitAllgather}) {
      config.communication.collective = kind;
      largest = std::max(largest, estimateTrainingMemory(config, kDim, 8, 0).trainer);
    }
    config.communication.collective = CollectiveKind::kAuto;
    EXPECT_EQ(estimateTrainingMemory(config, kDim, 8, 0).trainer, largest) << "k = " << k;
  }
}

TEST(MemoryEstimate, CountsTheRunsCopiesAndCheckpoints) {
  RunConfig config;
  const MemoryEstimate plain = estimateTrainingMemory(config, kDim, 2, 0);
  EXPECT_EQ(plain.run, 3 * sizeof(double) * kDim);  // the evaluated x_bar, and x and x_bar returned
  config.log.checkpointEvery = 100;
  const MemoryEstimate checkpointed = estimateTrainingMemory(config, kDim, 2, 0);
  EXPECT_EQ(checkpointed.run - plain.run, 4 * sizeof(double) * kDim);  // x, m, two sums
  EXPECT_EQ(checkpointed.trainer, plain.trainer);
  // The checkpoint's copy of the state holds the velocity too.
  config.optimizer.momentum = 0.9;
  const MemoryEstimate withMomentum = estimateTrainingMemory(config, kDim, 2, 0);
  EXPECT_EQ(withMomentum.run - checkpointed.run, sizeof(double) * kDim);
  EXPECT_EQ(withMomentum.trainer - plain.trainer, sizeof(double) * kDim);
}

// communication.mode = shared: a SharedTrainer's heap after its steps and finish() (the x read,
// the final x, the memory, the compressor, each snapshot's copy) is within trainer + snapshots;
// the window is shared memory outside the heap, counted once per node.
template <typename Scalar>
void expectSharedEstimateCovers(const std::string& method, Precision precision) {
  const Communicator comm;
  const Dataset<Scalar> shard = wideSparseShard<Scalar>(comm);
  RunConfig config;
  config.communication.mode = CommunicationMode::kShared;
  config.optimizer.averaging = Averaging::kLast;
  config.compression.method = method;
  config.compression.k = 10;
  config.model.precision = precision;
  const std::uint64_t total = 40;
  const std::uint64_t every = 10;
  const std::uint64_t snapshots = sharedSnapshotCount(total, every);
  ASSERT_EQ(snapshots, 3U);
  const MemoryEstimate estimate = estimateTrainingMemory(config, kDim, comm.size(), snapshots);
  const std::uint64_t scalar = sizeof(Scalar);
  EXPECT_GE(estimate.window, scalar * kDim);
  EXPECT_GE(estimate.snapshots, snapshots * scalar * kDim);

  const std::uint64_t before = heapBytes();
  std::uint64_t measured = 0;
  {
    const auto model = makeModel(config.model, shard);
    SharedTrainer<Scalar> trainer(config, comm, *model, shard, total, every);
    trainer.run();
    ASSERT_EQ(trainer.snapshots().size(), snapshots);
    measured = heapBytes() - before;
  }
  const std::uint64_t perRank = estimate.trainer + estimate.snapshots;
  EXPECT_LE(measured, perRank) << method;
  EXPECT_LE(perRank, measured + measured / 8 + (1 << 20)) << method;
}

TEST(MemoryEstimate, SharedModeCoversWhatASharedTrainerAllocates) {
#ifdef __SANITIZE_ADDRESS__
  GTEST_SKIP() << "heap sizes come from glibc's allocator, which AddressSanitizer replaces";
#endif
  expectSharedEstimateCovers<double>("top_k", Precision::kDouble);
  expectSharedEstimateCovers<float>("none", Precision::kFloat);
}

// The node holds the window once, each rank its own buffers and a copy of the snapshots, and the
// window another; a count of snapshots too large to multiply saturates instead of wrapping.
TEST(MemoryEstimate, SharedModeCountsTheWindowOncePerNode) {
  RunConfig config;
  config.communication.mode = CommunicationMode::kShared;
  const MemoryEstimate estimate = estimateTrainingMemory(config, kDim, 4, 10);
  EXPECT_EQ(estimate.onNode(4),
            4 * (estimate.total() + estimate.snapshots) + estimate.window + estimate.snapshots);
  EXPECT_EQ(estimateTrainingMemory(config, kDim, 4, 0).snapshots, 0U);
  const MemoryEstimate huge =
      estimateTrainingMemory(config, kDim, 4, std::numeric_limits<std::uint64_t>::max() / 2);
  EXPECT_EQ(huge.onNode(4), std::numeric_limits<std::uint64_t>::max());
}

TEST(MemoryEstimate, OptimumCountsTheNewtonHessianOnlyWhereNewtonRuns) {
  const std::uint64_t small = 1000;
  EXPECT_GE(estimateOptimumMemory(small), 2 * sizeof(double) * small * small);
  const auto large = static_cast<std::uint64_t>(kMaxDenseNewtonDim) + 1;
  EXPECT_LT(estimateOptimumMemory(large), sizeof(double) * large * large);
  EXPECT_GE(estimateOptimumMemory(large), 40 * sizeof(double) * large);  // L-BFGS's history
}

// RLIMIT_AS is one of the limits: lowered to 1 GiB above what is in use, it is the least.
TEST(AvailableMemory, HonoursTheAddressSpaceLimit) {
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_AS, &saved), 0);
  const AvailableMemory unlimited = availableMemory();
  EXPECT_GT(unlimited.bytes, 0U);
  rlimit lowered = saved;
  constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;
  std::uint64_t inUse = 0;
  {
    std::ifstream status("/proc/self/status");
    std::string key;
    while (status >> key) {
      if (key == "VmSize:") status >> inUse;
    }
  }
  lowered.rlim_cur = inUse * 1024 + kGiB;
  ASSERT_EQ(setrlimit(RLIMIT_AS, &lowered), 0);
  const AvailableMemory limited = availableMemory();
  ASSERT_EQ(setrlimit(RLIMIT_AS, &saved), 0);
  if (unlimited.bytes > kGiB) {
    EXPECT_NE(limited.limitedBy.find("RLIMIT_AS"), std::string::npos) << limited.limitedBy;
  }
  EXPECT_LE(limited.bytes, kGiB);
  EXPECT_GT(limited.bytes, kGiB / 2);
}

}  // namespace
}  // namespace memsgd
