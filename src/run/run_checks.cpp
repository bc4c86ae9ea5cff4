#include "memsgd/run/run_checks.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <limits>
#include <string>

#include "memsgd/compress/compressor_factory.hpp"
#include "memsgd/io/run_file.hpp"
#include "memsgd/optim/memory_estimate.hpp"
#include "memsgd/optim/shared_trainer.hpp"
#include "memsgd/run/run_plan.hpp"

namespace memsgd {
namespace {

// The decay rate (and the divergence hint) assume ||a_i|| <= 1. Rows normalised in float sit
// within 1e-6 of 1; 10% above unit is a data set that was never normalised.
constexpr double kUnitRowTolerance = 1.1;

// A batch larger than a shard would wrap around it, running several epochs per step. Collective.
template <typename Scalar>
void checkBatchSize(const OptimizerConfig& optimizer, const Dataset<Scalar>& train,
                    const Communicator& comm) {
  const std::uint64_t smallest = comm.allreduceMin(static_cast<std::uint64_t>(train.rows()));
  comm.agreeOn([&] {
    if (optimizer.batchSize > smallest) {
      throw ConfigError("optimizer.batch_size = " + std::to_string(optimizer.batchSize) +
                        ": exceeds the " + std::to_string(smallest) +
                        " rows of the smallest rank's shard (" +
                        std::to_string(train.globalRows()) + " rows over " +
                        std::to_string(comm.size()) + " ranks)");
    }
  });
}

// Messages carry 32-bit indices and MPI counts are int: a larger x would overflow both silently.
// Every rank has the same p, so every rank throws alike.
void requireWireIndices(const ModelConfig& model, std::uint64_t dim, std::uint64_t parameters,
                        const DimOrigin& origin) {
  constexpr auto kMaxParameters = static_cast<std::uint64_t>(std::numeric_limits<int>::max());
  if (parameters <= kMaxParameters) return;
  const std::string why = "model.type = " + model.type + " has p = " + std::to_string(parameters) +
                          " parameters for d = " + std::to_string(dim) + ", more than the " +
                          std::to_string(kMaxParameters) +
                          " that the exchange's 32-bit indices and MPI's int counts address";
  if (origin.configured()) throw AgreedError(origin.key + ": " + why, 0, kExitConfigError);
  throw AgreedError(origin.file + ":" + std::to_string(origin.line) + ": " + why, 0,
                    kExitDataError);
}

}  // namespace

void refuseToReplaceCheckpoint(const RunConfig& config, const Communicator& comm) {
  comm.agreeOn([&] {
    if (comm.rank() != 0 || config.log.checkpointEvery == 0) {
      return;
    }
    std::error_code ignored;
    if (!config.resumeFrom.empty() &&
        std::filesystem::equivalent(config.log.checkpoint, config.resumeFrom, ignored)) {
      return;  // continuing a checkpoint replaces it
    }
    requireReplaceable(config.log.checkpoint, config.log.overwrite);
  });
}

template <typename Scalar>
void requireRunnable(const RunConfig& config, const ShardedData<Scalar>& shards,
                     std::uint64_t parameters, const Communicator& comm) {
  const auto dim = static_cast<std::uint64_t>(shards.train.dim());
  requireWireIndices(config.model, dim, parameters, shards.dimOrigin);
  // communication.mode = shared keeps a snapshot of x per run file row: log.eval_every sets how
  // many, and is named when they are what does not fit.
  const RunPlan plan = planRun(config, shards.train.globalRows(), parameters);
  const std::uint64_t snapshots = config.communication.mode == CommunicationMode::kShared
                                      ? sharedSnapshotCount(plan.totalSamples, plan.evalEvery)
                                      : 0;
  const MemoryEstimate estimate =
      estimateTrainingMemory(config, parameters, comm.size(), snapshots);
  requireMemory(estimate.total(), estimate.window, dim, parameters, shards.dimOrigin, comm);
  if (snapshots > 0) {
    requireSnapshotMemory(estimate, snapshots, plan.evalEvery, comm);
  }
  checkBatchSize(config.optimizer, shards.train, comm);
}

template <typename Scalar>
double largestSquaredRowNorm(const Dataset<Scalar>& data, const Communicator& comm) {
  double largest = 0.0;
  if (data.isDense()) {
    // Row by row: a cast of the whole shard to double would copy it.
    for (Eigen::Index row = 0; row < data.rows(); ++row) {
      largest = std::max(largest, data.denseRows().row(row).template cast<double>().squaredNorm());
    }
  } else {
    const auto& rows = data.sparseRows();
    for (Eigen::Index row = 0; row < rows.outerSize(); ++row) {
      double sum = 0.0;
      for (typename Dataset<Scalar>::SparseRows::InnerIterator it(rows, row); it; ++it) {
        sum += static_cast<double>(it.value()) * static_cast<double>(it.value());
      }
      largest = std::max(largest, sum);
    }
  }
  return comm.allreduceMax(largest);
}

void warnOfRowNorms(const RunConfig& config, const Communicator& comm, double rowNormSquared) {
  if (comm.rank() == 0 && config.optimizer.schedule == Schedule::kDecay &&
      rowNormSquared > kUnitRowTolerance) {
    std::cerr << "warning: optimizer.schedule = decay assumes rows of norm <= 1, but the largest "
                 "squared row norm is " +
                     shortNumber(rowNormSquared) + "; set data.normalize = l2\n"
              << std::flush;
  }
}

std::string divergenceHint(const RunConfig& config, double rowNormSquared) {
  std::string hint;
  if (rowNormSquared > kUnitRowTolerance) {
    hint += "rows are far from unit norm (largest ||a_i||^2 = " + shortNumber(rowNormSquared) +
            "): set data.normalize = l2; ";
  }
  if (config.compression.memory && isUnbiased(config.compression.method)) {
    hint += "memory accumulates the variance of the unbiased " + config.compression.method +
            ": set compression.memory = false; ";
  }
  return hint + (hint.empty() ? "" : "or ") +
         (config.optimizer.schedule == Schedule::kConstant ||
                  config.optimizer.schedule == Schedule::kStep
              ? "lower optimizer.rate"
              : "lower optimizer.gamma");
}

std::string shortNumber(double value) {
  std::array<char, 32> buffer{};
  const int length = std::snprintf(buffer.data(), buffer.size(), "%.6g", value);
  return {buffer.data(), static_cast<std::size_t>(std::max(length, 0))};
}

template void requireRunnable(const RunConfig&, const ShardedData<float>&, std::uint64_t,
                              const Communicator&);
template void requireRunnable(const RunConfig&, const ShardedData<double>&, std::uint64_t,
                              const Communicator&);
template double largestSquaredRowNorm(const Dataset<float>&, const Communicator&);
template double largestSquaredRowNorm(const Dataset<double>&, const Communicator&);

}  // namespace memsgd
