#include "memsgd/run/training_run.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <optional>
#include <ostream>
#include <utility>

#include "memsgd/compress/compressor_factory.hpp"
#include "memsgd/data/distributed_load.hpp"
#include "memsgd/io/attribute_json.hpp"
#include "memsgd/io/checkpoint_file.hpp"
#include "memsgd/log/run_recorder.hpp"
#include "memsgd/model/model_factory.hpp"
#include "memsgd/mpi/wall_clock.hpp"
#include "memsgd/optim/trainer.hpp"
#include "memsgd/run/averaged_evaluation.hpp"
#include "memsgd/run/checkpoint_observer.hpp"
#include "memsgd/run/divergence_check.hpp"
#include "memsgd/run/recording_observer.hpp"
#include "memsgd/run/run_checks.hpp"
#include "memsgd/run/run_clock.hpp"
#include "memsgd/run/run_identity.hpp"
#include "memsgd/run/run_observer.hpp"
#include "memsgd/run/run_plan.hpp"
#include "memsgd/run/shared_training_run.hpp"

namespace memsgd {
namespace {

// runTraining at one precision.
template <typename Scalar>
TrainingOutcome train(const RunConfig& config, const Communicator& comm, std::ostream& console) {
  // The data, and what it must allow.
  refuseToReplaceCheckpoint(config, comm);
  RunTiming timing;
  const auto loadStart = WallClock::now();
  const ShardedData<Scalar> shards =
      loadShards<Scalar>(config.data, comm, labelKindOf(config.model.type));
  timing.loadSeconds = std::chrono::duration<double>(WallClock::now() - loadStart).count();
  const std::unique_ptr<Model<Scalar>> model =
      makeModel(config.model, shards.train, shards.classLabels.size());
  const std::uint64_t p = model->parameterCount();
  requireRunnable(config, shards, p, comm);
  const std::uint64_t n = shards.train.globalRows();
  const double rowNormSquared = largestSquaredRowNorm(shards.train, comm);
  warnOfRowNorms(config, comm, rowNormSquared);
  const RunPlan plan = planRun(config, n, p);
  if (config.communication.mode == CommunicationMode::kShared) {
    return trainShared(config, comm, console, shards, *model, plan, timing);
  }
  const CollectiveChoice collective = collectiveOfRun(config, comm, model->blockSizes());
  std::optional<Trainer<Scalar>> trainer;
  comm.agreeOn([&] {
    trainer.emplace(withChosenCollective(config, collective), comm, *model, shards.train);
  });

  // What the run is, and where it starts.
  const auto [totalSamples, evalEvery, k] = plan;
  const std::uint64_t checkpointEvery = config.log.checkpointEvery;
  const std::optional<double> optimum =
      readOptimum(config, comm, shards, trainer->hyperParameters());
  CheckpointIdentity identity = checkpointIdentity(config, k, comm, shards, p, optimum);
  addChoiceIdentity(collective, identity);
  RunProgress progress{.nextEvaluation = evalEvery, .nextCheckpoint = checkpointEvery};
  const bool resuming = !config.resumeFrom.empty();
  if (resuming) {
    const Checkpoint<Scalar> checkpoint = readCheckpoint<Scalar>(config.resumeFrom, comm, identity);
    comm.agreeOn([&] { trainer->restore(checkpoint.state); });
    progress = checkpoint.progress;
  }
  auto attributes = runAttributes(config, comm, shards, p, trainer->hyperParameters(), optimum);
  addChoiceAttributes(collective, attributes);
  RunRecorder recorder(config.log, comm, attributes, console,
                       resuming ? std::optional(RunRecorder::ResumePoint{
                                      progress.runFileRows, trainer->steps(), trainer->counters()})
                                : std::nullopt);
  Evaluator<Scalar> evaluator(comm, *model, shards.train, shards.test ? &*shards.test : nullptr,
                              optimum);
  printStart(config, comm, console, plan, n, static_cast<std::uint64_t>(shards.train.dim()), p);
  if (comm.rank() == 0 && !config.log.quiet && collective.automatic) {
    console << formatChoice(collective) << std::endl;
  }

  // What acts between the steps.
  RunClock clock(progress.elapsedSeconds, progress.stepSeconds);
  DivergenceCheck divergence(config, rowNormSquared, n, resuming, progress.startLoss);
  AveragedEvaluation<Scalar> evaluation(*trainer, evaluator, divergence);
  RunObservers observers(clock);
  RecordingObserver<Scalar> recording(recorder, *trainer, evaluation, clock, progress, evalEvery,
                                      resuming);
  observers.add(recording);
  std::optional<CheckpointObserver<Scalar>> checkpointing;
  if (checkpointEvery > 0) {
    observers.add(checkpointing.emplace(config.log.checkpoint, comm, *trainer, evaluation,
                                        divergence, recorder, clock, progress, checkpointEvery,
                                        std::move(identity)));
  }

  // The loop: one integer compared per step.
  observers.atStart();
  const std::uint64_t samplesBefore = trainer->samples();
  clock.startSteps();
  while (trainer->samples() < totalSamples) {
    trainer->step();
    recorder.traceStep(trainer->status());
    if (trainer->samples() >= observers.nextDue()) {
      observers.onSchedule(trainer->samples());
    }
  }
  timing.stepSeconds = clock.stepSecondsOfThisProcess();
  observers.atEnd();
  if (comm.rank() == 0) {
    divergence.warnIfUnchecked(evaluation.last().trainLoss, trainer->samples(), std::cerr);
  }
  timing.epochsStepped =
      static_cast<double>(trainer->samples() - samplesBefore) / static_cast<double>(n);
  recorder.finish(trainer->status(), timing);
  TrainingOutcome outcome;
  outcome.x = trainer->x().template cast<double>();
  outcome.averaged = evaluation.averaged().template cast<double>();
  outcome.last = evaluation.last();
  outcome.steps = trainer->steps();
  return outcome;
}

// describeRun at one precision: the steps of train() up to its run file's attributes.
template <typename Scalar>
void describe(const RunConfig& config, const Communicator& comm, std::ostream& out) {
  const ShardedData<Scalar> shards =
      loadShards<Scalar>(config.data, comm, labelKindOf(config.model.type));
  const std::unique_ptr<Model<Scalar>> model =
      makeModel(config.model, shards.train, shards.classLabels.size());
  requireRunnable(config, shards, model->parameterCount(), comm);
  // The collective's calibration is the only traffic of a dry run beyond describing it.
  const CollectiveChoice collective = collectiveOfRun(config, comm, model->blockSizes());
  std::optional<Trainer<Scalar>> trainer;
  comm.agreeOn([&] {
    trainer.emplace(withChosenCollective(config, collective), comm, *model, shards.train);
  });
  const std::optional<double> optimum =
      readOptimum(config, comm, shards, trainer->hyperParameters());
  auto attributes = runAttributes(config, comm, shards, model->parameterCount(),
                                  trainer->hyperParameters(), optimum);
  addChoiceAttributes(collective, attributes);
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
