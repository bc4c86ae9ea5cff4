#include "memsgd/optim/training_run.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <ostream>
#include <string>

#include "memsgd/compress/compressor_factory.hpp"
#include "memsgd/data/data_fingerprint.hpp"
#include "memsgd/data/distributed_load.hpp"
#include "memsgd/io/attribute_json.hpp"
#include "memsgd/io/checkpoint_file.hpp"
#include "memsgd/io/optimum_file.hpp"
#include "memsgd/log/run_recorder.hpp"
#include "memsgd/optim/memory_estimate.hpp"
#include "memsgd/optim/trainer.hpp"

namespace memsgd {
namespace {

constexpr const char* kVersion = MEMSGD_VERSION;  // CMake's project version
// The decay rate (and the divergence hint) assume ||a_i|| <= 1. Rows normalised in float sit
// within 1e-6 of 1; 10% above unit is a data set that was never normalised.
constexpr double kUnitRowTolerance = 1.1;

// The data files and the f* file stand for their content: the run records, and a checkpoint
// compares, fingerprints and the f* value instead of these paths.
bool isPathKey(const std::string& key) {
  return key == "data.train" || key == "data.test" || key == "model.optimum";
}

std::string testFingerprintText(const std::optional<std::uint64_t>& fingerprint) {
  return fingerprint ? formatFingerprint(*fingerprint) : std::string();
}

// f* as a checkpoint identity value: every digit a double needs, or "none".
std::string optimumText(const std::optional<double>& optimum) {
  if (!optimum) return "none";
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", *optimum);
  return text;
}

// f* from model.optimum: the number, or the file's value once its identity matches this run's
// problem (an f* of other data or another lambda would make every suboptimality wrong).
template <typename Scalar>
std::optional<double> readOptimum(const RunConfig& config, const Communicator& comm,
                                  const ShardedData<Scalar>& shards,
                                  const Trainer<Scalar>& trainer) {
  std::optional<double> optimum = config.model.optimumValue;
  if (!config.model.optimumFile.empty()) {
    const OptimumIdentity identity{
        shards.train.globalRows(), static_cast<std::uint64_t>(shards.train.dim()),
        trainer.hyperParameters().lambda, config.data.normalize, shards.trainFingerprint};
    comm.agreeOn([&] { optimum = readOptimumValue(config.model.optimumFile, identity); });
  }
  return optimum;
}

template <typename Scalar>
std::vector<std::pair<std::string, AttributeValue>> runAttributes(
    const RunConfig& config, const Communicator& comm, const ShardedData<Scalar>& shards,
    const Trainer<Scalar>& trainer, const std::optional<double>& optimum) {
  std::vector<std::pair<std::string, AttributeValue>> attributes;
  for (const auto& [key, value] : config.resolved) {
    attributes.emplace_back(key, value);
  }
  const auto asInt = [](auto value) { return AttributeValue(static_cast<std::int64_t>(value)); };
  std::uint64_t nonZeros = shards.train.nonZeros();
  comm.allreduceSum(std::span<std::uint64_t>(&nonZeros, 1));
  attributes.emplace_back("memsgd_version", std::string(kVersion));
  attributes.emplace_back("ranks", asInt(comm.size()));
  attributes.emplace_back("train_rows", asInt(shards.train.globalRows()));
  attributes.emplace_back("train_nonzeros", asInt(nonZeros));
  attributes.emplace_back("dim", asInt(shards.train.dim()));
  attributes.emplace_back("test_rows", asInt(shards.test ? shards.test->globalRows() : 0));
  attributes.emplace_back("lambda_resolved", trainer.hyperParameters().lambda);
  attributes.emplace_back("offset_resolved", trainer.hyperParameters().offset);
  attributes.emplace_back("k_resolved", asInt(resolveK(config.compression, shards.train.dim())));
  attributes.emplace_back("train_fingerprint", formatFingerprint(shards.trainFingerprint));
  attributes.emplace_back("test_fingerprint", testFingerprintText(shards.testFingerprint));
  if (optimum) {
    attributes.emplace_back("optimum_value", *optimum);
  }
  return attributes;
}

// What a checkpoint must share with the run that resumes it: every setting except the length of
// the run and where and how it logs, plus the rank count and the dimension. The data and f* are
// compared by content (fingerprints, value), so the same run resumes from another directory and
// changed data at the same path is refused.
template <typename Scalar>
CheckpointIdentity checkpointIdentity(const RunConfig& config, const Communicator& comm,
                                      const ShardedData<Scalar>& shards,
                                      const std::optional<double>& optimum) {
  CheckpointIdentity identity;
  for (const auto& [key, value] : config.resolved) {
    if (!key.starts_with("log.") && key != "optimizer.epochs" && !isPathKey(key)) {
      identity.emplace_back(key, value);
    }
  }
  identity.emplace_back("ranks", std::to_string(comm.size()));
  identity.emplace_back("dim", std::to_string(shards.train.dim()));
  identity.emplace_back("train_fingerprint", formatFingerprint(shards.trainFingerprint));
  identity.emplace_back("test_fingerprint", testFingerprintText(shards.testFingerprint));
  identity.emplace_back("optimum_value", optimumText(optimum));
  return identity;
}

// "5.9e+24" rather than std::to_string's fixed notation.
std::string shortNumber(double value) {
  std::array<char, 32> buffer{};
  const int length = std::snprintf(buffer.data(), buffer.size(), "%.6g", value);
  return {buffer.data(), static_cast<std::size_t>(std::max(length, 0))};
}

// The configuration with compression.k as the integer in force, so that a checkpoint of
// "k = 1%" resumes with the k it stands for, written either way.
RunConfig withResolvedK(RunConfig config, std::uint64_t k) {
  for (auto& [key, value] : config.resolved) {
    if (key == "compression.k") {
      value = std::to_string(k);
    }
  }
  return config;
}

// A new run must not silently replace an earlier run's checkpoint, as it must not replace its run
// file; checked before anything is written. Collective.
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

// What the loaded data must allow before anything of size d is allocated. Collective.
template <typename Scalar>
void requireRunnable(const RunConfig& config, const ShardedData<Scalar>& shards,
                     const Communicator& comm) {
  const auto dim = static_cast<std::uint64_t>(shards.train.dim());
  requireMemory(estimateTrainingMemory(config, dim, comm.size()).total(), dim, shards.dimOrigin,
                comm);
  checkBatchSize(config.optimizer, shards.train, comm);
}

// max_i ||a_i||^2 over all ranks' rows. Collective; one pass over the shard.
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

// What to change when a run diverges, most specific first.
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
         (config.optimizer.schedule == Schedule::kConstant ? "lower optimizer.rate"
                                                           : "lower optimizer.gamma");
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// runTraining at one precision.
template <typename Scalar>
TrainingOutcome train(const RunConfig& config, const Communicator& comm, std::ostream& console) {
  refuseToReplaceCheckpoint(config, comm);
  RunTiming timing;
  const auto loadStart = std::chrono::steady_clock::now();
  const ShardedData<Scalar> shards = loadShards<Scalar>(config.data, comm);
  timing.loadSeconds = secondsSince(loadStart);
  requireRunnable(config, shards, comm);
  const auto dim = static_cast<std::uint64_t>(shards.train.dim());
  const std::uint64_t n = shards.train.globalRows();
  const double rowNormSquared = largestSquaredRowNorm(shards.train, comm);
  if (comm.rank() == 0 && config.optimizer.schedule == Schedule::kDecay &&
      rowNormSquared > kUnitRowTolerance) {
    std::cerr << "warning: optimizer.schedule = decay assumes rows of norm <= 1, but the largest "
                 "squared row norm is " +
                     shortNumber(rowNormSquared) + "; set data.normalize = l2\n"
              << std::flush;
  }
  std::optional<Trainer<Scalar>> trainer;
  comm.agreeOn([&] { trainer.emplace(config, comm, shards.train); });

  const auto totalSamples =
      static_cast<std::uint64_t>(std::ceil(config.optimizer.epochs * static_cast<double>(n)));
  const std::uint64_t evalEvery = config.log.evalEvery.value_or(std::max<std::uint64_t>(n / 10, 1));
  const std::uint64_t checkpointEvery = config.log.checkpointEvery;
  const std::uint64_t k = resolveK(config.compression, dim);
  const std::optional<double> optimum = readOptimum(config, comm, shards, *trainer);
  const CheckpointIdentity identity =
      checkpointIdentity(withResolvedK(config, k), comm, shards, optimum);
  RunProgress progress{.nextEvaluation = evalEvery, .nextCheckpoint = checkpointEvery};
  if (!config.resumeFrom.empty()) {
    const Checkpoint<Scalar> checkpoint = readCheckpoint<Scalar>(config.resumeFrom, comm, identity);
    comm.agreeOn([&] { trainer->restore(checkpoint.state); });
    progress = checkpoint.progress;
  }
  const bool resuming = !config.resumeFrom.empty();
  RunRecorder recorder(config.log, comm, runAttributes(config, comm, shards, *trainer, optimum),
                       console,
                       resuming ? std::optional(RunRecorder::ResumePoint{
                                      progress.runFileRows, trainer->steps(), trainer->counters()})
                                : std::nullopt);
  Evaluator<Scalar> evaluator(comm, trainer->model(), shards.test ? &*shards.test : nullptr,
                              optimum);
  if (comm.rank() == 0 && !config.log.quiet) {
    console << formatStart({config.compression.method, isSparsifying(config.compression.method), k,
                            config.compression.memory, comm.size(), n, dim})
            << std::endl;
  }

  const auto start = std::chrono::steady_clock::now();
  const double elapsedBefore = progress.elapsedSeconds;
  const auto elapsed = [&] { return elapsedBefore + secondsSince(start); };
  // Step time is the loop's time less its evaluations and checkpoints, so that the steps
  // themselves read no clock.
  const double stepSecondsBefore = progress.stepSeconds;
  std::optional<std::chrono::steady_clock::time_point> loopStart;
  double offStepSeconds = 0.0;
  const auto stepSeconds = [&] {
    return stepSecondsBefore + (loopStart ? secondsSince(*loopStart) - offStepSeconds : 0.0);
  };
  const auto offStep = [&](auto work) {
    const auto workStart = std::chrono::steady_clock::now();
    work();
    offStepSeconds += secondsSince(workStart);
  };

  TrainingOutcome outcome;
  // Every rank sees the same reduced loss and the same replicated x, so all stop together.
  const auto stopDiverged = [&](const std::string& what) {
    throw AgreedError("training diverged after step " + std::to_string(trainer->steps()) + ": " +
                          what + "; " + divergenceHint(config, rowNormSquared),
                      0, kExitRuntimeError);
  };
  const double factor = config.log.divergenceFactor;
  std::uint64_t recordedAt = resuming ? trainer->samples() : 0;
  std::optional<std::uint64_t> evaluatedAt;
  VectorOf<Scalar> averaged;
  // The objective at x_bar now, computed once per point and checked before anything uses it.
  const auto evaluation = [&]() -> const Evaluation& {
    if (evaluatedAt == trainer->samples()) {
      return outcome.last;
    }
    trainer->averagedIterate(averaged);
    outcome.last = evaluator.evaluate(averaged);
    evaluatedAt = trainer->samples();
    const double loss = outcome.last.trainLoss;
    if (!resuming && trainer->steps() == 0) {
      progress.startLoss = loss;
    }
    if (!std::isfinite(loss)) {
      stopDiverged("the objective is " + shortNumber(loss));
    }
    // Not in the first epoch: the decay rate starts at gamma/(lambda a), and the paper's own
    // rand-1 on a9a passes 200x its start value there before it converges.
    if (factor > 0.0 && trainer->samples() >= n && loss > factor * progress.startLoss) {
      stopDiverged("the objective " + shortNumber(loss) +
                   " exceeds log.divergence_factor = " + shortNumber(factor) +
                   " times its start value " + shortNumber(progress.startLoss));
    }
    return outcome.last;
  };
  const auto record = [&] {
    recorder.record(trainer->status(), evaluation(), elapsed(), stepSeconds());
    recordedAt = trainer->samples();
  };
  // A checkpoint never holds a state whose divergence an evaluation would have shown: the last
  // good one stays.
  const auto checkpoint = [&] {
    if (!trainer->x().allFinite()) {
      stopDiverged("x is not finite");
    }
    (void)evaluation();
    recorder.flushTrace();  // the trace on disk must reach the checkpoint's step
    progress.runFileRows = recorder.rows();
    progress.elapsedSeconds = elapsed();
    progress.stepSeconds = stepSeconds();
    writeCheckpoint(config.log.checkpoint, comm, trainer->state(), progress, identity);
  };

  if (!resuming) {
    record();
  }
  const std::uint64_t samplesBefore = trainer->samples();
  loopStart = std::chrono::steady_clock::now();
  while (trainer->samples() < totalSamples) {
    trainer->step();
    recorder.traceStep(trainer->status());
    if (trainer->samples() >= progress.nextEvaluation) {
      offStep(record);
      while (progress.nextEvaluation <= trainer->samples()) {
        progress.nextEvaluation += evalEvery;
      }
    }
    if (checkpointEvery > 0 && trainer->samples() >= progress.nextCheckpoint) {
      while (progress.nextCheckpoint <= trainer->samples()) {
        progress.nextCheckpoint += checkpointEvery;
      }
      offStep(checkpoint);
    }
  }
  timing.stepSeconds = stepSeconds() - stepSecondsBefore;
  // Before the closing evaluation, which is off the schedule: a resumed run continues the
  // schedule without it.
  if (checkpointEvery > 0) {
    offStep(checkpoint);
  }
  if (recordedAt != trainer->samples() || recorder.rows() == 0) {
    offStep(record);
  }
  // A run that ends inside its first epoch was never held to the factor: say so when it is over.
  if (comm.rank() == 0 && factor > 0.0 && trainer->samples() < n &&
      outcome.last.trainLoss > factor * progress.startLoss) {
    std::cerr << "warning: the objective " + shortNumber(outcome.last.trainLoss) + " is above " +
                     "log.divergence_factor = " + shortNumber(factor) + " times its start value " +
                     shortNumber(progress.startLoss) +
                     ", unchecked in a run shorter than one epoch; " +
                     divergenceHint(config, rowNormSquared) + "\n"
              << std::flush;
  }
  timing.epochsStepped =
      static_cast<double>(trainer->samples() - samplesBefore) / static_cast<double>(n);
  recorder.finish(trainer->status(), timing);
  outcome.x = trainer->x().template cast<double>();
  outcome.averaged = averaged.template cast<double>();
  outcome.steps = trainer->steps();
  return outcome;
}

// describeRun at one precision: the steps of train() up to its run file's attributes.
template <typename Scalar>
void describe(const RunConfig& config, const Communicator& comm, std::ostream& out) {
  const ShardedData<Scalar> shards = loadShards<Scalar>(config.data, comm);
  requireRunnable(config, shards, comm);
  std::optional<Trainer<Scalar>> trainer;
  comm.agreeOn([&] { trainer.emplace(config, comm, shards.train); });
  const std::optional<double> optimum = readOptimum(config, comm, shards, *trainer);
  const auto attributes = runAttributes(config, comm, shards, *trainer, optimum);
  if (comm.rank() == 0) {
    out << toJson(attributes) << std::endl;
  }
}

}  // namespace

void describeRun(const RunConfig& config, const Communicator& comm, std::ostream& out) {
  if (config.model.precision == Precision::kFloat) {
    describe<float>(config, comm, out);
  } else {
    describe<double>(config, comm, out);
  }
}

TrainingOutcome runTraining(const RunConfig& config, const Communicator& comm,
                            std::ostream& console) {
  return config.model.precision == Precision::kFloat ? train<float>(config, comm, console)
                                                     : train<double>(config, comm, console);
}

}  // namespace memsgd
