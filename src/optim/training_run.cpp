#include "memsgd/optim/training_run.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <optional>
#include <ostream>
#include <string>

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

constexpr const char* kVersion = "0.1.0";

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

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// runTraining at one precision.
template <typename Scalar>
TrainingOutcome train(const RunConfig& config, const Communicator& comm, std::ostream& console) {
  RunTiming timing;
  const auto loadStart = std::chrono::steady_clock::now();
  const ShardedData<Scalar> shards = loadShards<Scalar>(config.data, comm);
  timing.loadSeconds = secondsSince(loadStart);
  const auto dim = static_cast<std::uint64_t>(shards.train.dim());
  requireMemory(estimateTrainingMemory(config, dim, comm.size()).total(), dim, shards.dimOrigin,
                comm);
  const std::uint64_t n = shards.train.globalRows();
  std::optional<Trainer<Scalar>> trainer;
  comm.agreeOn([&] { trainer.emplace(config, comm, shards.train); });

  const auto totalSamples =
      static_cast<std::uint64_t>(std::ceil(config.optimizer.epochs * static_cast<double>(n)));
  const std::uint64_t evalEvery = config.log.evalEvery.value_or(std::max<std::uint64_t>(n / 10, 1));
  const std::uint64_t checkpointEvery = config.log.checkpointEvery;
  const std::optional<double> optimum = readOptimum(config, comm, shards, *trainer);
  const CheckpointIdentity identity = checkpointIdentity(config, comm, shards, optimum);
  RunProgress progress{evalEvery, checkpointEvery, 0, 0.0};
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

  const auto start = std::chrono::steady_clock::now();
  const double elapsedBefore = progress.elapsedSeconds;
  const auto elapsed = [&] { return elapsedBefore + secondsSince(start); };
  TrainingOutcome outcome;
  // Every rank sees the same reduced loss and the same replicated x, so all stop together.
  const auto stopDiverged = [&](const std::string& what) {
    throw AgreedError("training diverged: " + what + " after step " +
                          std::to_string(trainer->steps()) +
                          "; lower optimizer.gamma or optimizer.rate",
                      0, kExitRuntimeError);
  };
  std::uint64_t evaluatedAt = resuming ? trainer->samples() : 0;
  VectorOf<Scalar> averaged;
  const auto evaluate = [&] {
    trainer->averagedIterate(averaged);
    outcome.last = evaluator.evaluate(averaged);
    if (!std::isfinite(outcome.last.trainLoss)) {
      stopDiverged("the loss is " + std::to_string(outcome.last.trainLoss));
    }
    recorder.record(trainer->status(), outcome.last, elapsed());
    evaluatedAt = trainer->samples();
  };
  const auto checkpoint = [&] {
    if (!trainer->x().allFinite()) {
      stopDiverged("x is not finite");  // keep the last good checkpoint
    }
    recorder.flushTrace();  // the trace on disk must reach the checkpoint's step
    progress.runFileRows = recorder.rows();
    progress.elapsedSeconds = elapsed();
    writeCheckpoint(config.log.checkpoint, comm, trainer->state(), progress, identity);
  };

  if (!resuming) {
    evaluate();
  }
  const std::uint64_t samplesBefore = trainer->samples();
  // Step time is the loop's time less its evaluations and checkpoints, so that the steps
  // themselves read no clock.
  double offStepSeconds = 0.0;
  const auto offStep = [&](auto work) {
    const auto workStart = std::chrono::steady_clock::now();
    work();
    offStepSeconds += secondsSince(workStart);
  };
  const auto loopStart = std::chrono::steady_clock::now();
  while (trainer->samples() < totalSamples) {
    trainer->step();
    recorder.traceStep(trainer->status());
    if (trainer->samples() >= progress.nextEvaluation) {
      offStep(evaluate);
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
  timing.stepSeconds = secondsSince(loopStart) - offStepSeconds;
  // Before the closing evaluation, which is off the schedule: a resumed run continues the
  // schedule without it.
  if (checkpointEvery > 0) {
    checkpoint();
  }
  if (evaluatedAt != trainer->samples() || recorder.rows() == 0) {
    evaluate();
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
