#include "memsgd/run/shared_training_run.hpp"

#include <algorithm>
#include <optional>

#include "memsgd/io/checkpoint_file.hpp"
#include "memsgd/log/run_recorder.hpp"
#include "memsgd/optim/evaluator.hpp"
#include "memsgd/optim/shared_trainer.hpp"
#include "memsgd/run/run_clock.hpp"
#include "memsgd/run/run_identity.hpp"

namespace memsgd {

template <typename Scalar>
TrainingOutcome trainShared(const RunConfig& config, const Communicator& comm,
                            std::ostream& console, const ShardedData<Scalar>& shards,
                            const Model<Scalar>& model, const RunPlan& plan, RunTiming timing) {
  const std::uint64_t n = shards.train.globalRows();
  const std::uint64_t p = model.parameterCount();
  const std::uint64_t total = plan.totalSamples;
  const std::uint64_t checkpointEvery = config.log.checkpointEvery;
  const ResolvedHyperParameters hyper = resolveHyperParameters(config, n, p);
  const std::optional<double> optimum = readOptimum(config, comm, shards, hyper);
  std::optional<SharedTrainer<Scalar>> trainer;
  comm.agreeOn([&] { trainer.emplace(config, comm, model, shards.train, total, plan.evalEvery); });

  // Where the run starts: at 0, or where a checkpoint of it settled.
  const CheckpointIdentity identity = checkpointIdentity(config, plan.k, comm, shards, p, optimum);
  RunProgress progress{.nextEvaluation = plan.evalEvery, .nextCheckpoint = checkpointEvery};
  const bool resuming = !config.resumeFrom.empty();
  if (resuming) {
    const Checkpoint<Scalar> checkpoint = readCheckpoint<Scalar>(config.resumeFrom, comm, identity);
    comm.agreeOn([&] { trainer->restore(checkpoint.state); });
    progress = checkpoint.progress;
  }
  RunRecorder recorder(config.log, comm, runAttributes(config, comm, shards, p, hyper, optimum),
                       console,
                       resuming ? std::optional(RunRecorder::ResumePoint{
                                      progress.runFileRows, trainer->steps(), trainer->counters()})
                                : std::nullopt);
  Evaluator<Scalar> evaluator(comm, model, shards.train, shards.test ? &*shards.test : nullptr,
                              optimum);
  printStart(config, comm, console, plan, n, static_cast<std::uint64_t>(shards.train.dim()), p);

  RunClock clock(progress.elapsedSeconds, progress.stepSeconds);
  const auto status = [&](std::uint64_t steps, std::uint64_t samples,
                          const CommCounters& counters) {
    return TrainerStatus{steps,
                         samples,
                         static_cast<double>(samples) / static_cast<double>(n),
                         trainer->learningRate(samples),
                         counters,
                         0.0};
  };
  Evaluation last;
  const auto record = [&](std::uint64_t steps, std::uint64_t samples, const CommCounters& counters,
                          const VectorOf<Scalar>& x, double elapsedSeconds, double stepSeconds) {
    last = evaluator.evaluate(x);
    recorder.record(status(steps, samples, counters), last, elapsedSeconds, stepSeconds);
  };
  std::optional<std::uint64_t> settledRowAt;  // t of the last row of a settled x, not a snapshot
  const auto recordSettled = [&] {
    record(trainer->steps(), trainer->samples(), trainer->counters(), trainer->x(),
           clock.elapsedSeconds(), clock.stepSeconds());
    settledRowAt = trainer->samples();
  };
  if (!resuming) {
    // Before any step x is the model's start, on every rank.
    recordSettled();
    progress.startLoss = last.trainLoss;
  } else if (progress.nextEvaluation <= trainer->samples()) {
    // The checkpointed run ended on a scheduled row, which its closing row stood for; a longer
    // run has it as a snapshot of this x.
    recordSettled();
  }
  const auto checkpoint = [&] {
    while (progress.nextCheckpoint <= trainer->samples()) {
      progress.nextCheckpoint += checkpointEvery;
    }
    progress.runFileRows = recorder.rows();
    progress.elapsedSeconds = clock.elapsedSeconds();
    progress.stepSeconds = clock.stepSeconds();
    writeCheckpoint(config.log.checkpoint, comm, trainer->state(), progress, identity);
  };

  // Segments of steps without barriers, to each checkpoint and to the total; at the end of each,
  // its snapshots become rows, so the rows are complete up to the checkpoint written next.
  std::size_t recordedSnapshots = 0;
  const std::uint64_t samplesBefore = trainer->samples();
  clock.startSteps();
  while (trainer->samples() < total) {
    const double elapsedBefore = clock.elapsedSeconds();
    const double stepSecondsBefore = clock.stepSeconds();
    trainer->runTo(checkpointEvery > 0 ? progress.nextCheckpoint : total);
    clock.offStep([&] {
      for (; recordedSnapshots < trainer->snapshots().size(); ++recordedSnapshots) {
        const SharedSnapshot<Scalar>& snapshot = trainer->snapshots()[recordedSnapshots];
        record(snapshot.steps, snapshot.samples, snapshot.counters, snapshot.x,
               elapsedBefore + snapshot.stepSeconds, stepSecondsBefore + snapshot.stepSeconds);
      }
      // Snapshots are due at the multiples of log.eval_every below the total.
      progress.nextEvaluation =
          (std::min(trainer->samples(), total - 1) / plan.evalEvery + 1) * plan.evalEvery;
      if (checkpointEvery > 0 && trainer->samples() < total) {
        checkpoint();
      }
    });
  }
  timing.stepSeconds = clock.stepSecondsOfThisProcess();
  clock.offStep([&] {
    trainer->finish();
    // As in communication.mode = sync, the last checkpoint comes before the closing row.
    if (checkpointEvery > 0) {
      checkpoint();
    }
  });
  if (settledRowAt != trainer->samples()) {
    recordSettled();
  }
  timing.epochsStepped =
      static_cast<double>(trainer->samples() - samplesBefore) / static_cast<double>(n);
  recorder.finish(status(trainer->steps(), trainer->samples(), trainer->counters()), timing);
  TrainingOutcome outcome;
  outcome.x = trainer->x().template cast<double>();
  outcome.averaged = outcome.x;  // optimizer.averaging = last
  outcome.last = last;
  outcome.steps = trainer->steps();
  return outcome;
}

template TrainingOutcome trainShared(const RunConfig&, const Communicator&, std::ostream&,
                                     const ShardedData<float>&, const Model<float>&, const RunPlan&,
                                     RunTiming);
template TrainingOutcome trainShared(const RunConfig&, const Communicator&, std::ostream&,
                                     const ShardedData<double>&, const Model<double>&,
                                     const RunPlan&, RunTiming);

}  // namespace memsgd
