#include "memsgd/run/shared_training_run.hpp"

#include <optional>

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
  const ResolvedHyperParameters hyper = resolveHyperParameters(config, n, p);
  const std::optional<double> optimum = readOptimum(config, comm, shards, hyper);
  RunRecorder recorder(config.log, comm, runAttributes(config, comm, shards, p, hyper, optimum),
                       console);
  Evaluator<Scalar> evaluator(comm, model, shards.train, shards.test ? &*shards.test : nullptr,
                              optimum);
  printStart(config, comm, console, plan, n, static_cast<std::uint64_t>(shards.train.dim()), p);

  RunClock clock(0.0, 0.0);
  std::optional<SharedTrainer<Scalar>> trainer;
  comm.agreeOn([&] {
    trainer.emplace(config, comm, model, shards.train, plan.totalSamples, plan.evalEvery);
  });
  const auto status = [&](std::uint64_t steps, std::uint64_t samples,
                          const CommCounters& counters) {
    return TrainerStatus{steps,
                         samples,
                         static_cast<double>(samples) / static_cast<double>(n),
                         trainer->learningRate(samples),
                         counters,
                         0.0};
  };
  // Before any step x is the model's start, on every rank.
  recorder.record(status(0, 0, {}), evaluator.evaluate(trainer->x()), clock.elapsedSeconds(), 0.0);
  const double stepsStart = clock.elapsedSeconds();
  clock.startSteps();
  trainer->run();
  timing.stepSeconds = clock.stepSecondsOfThisProcess();

  for (const SharedSnapshot<Scalar>& snapshot : trainer->snapshots()) {
    recorder.record(status(snapshot.steps, snapshot.samples, snapshot.counters),
                    evaluator.evaluate(snapshot.x), stepsStart + snapshot.stepSeconds,
                    snapshot.stepSeconds);
  }
  const TrainerStatus end = status(trainer->steps(), trainer->samples(), trainer->counters());
  TrainingOutcome outcome;
  outcome.last = evaluator.evaluate(trainer->x());
  recorder.record(end, outcome.last, stepsStart + timing.stepSeconds, timing.stepSeconds);
  timing.epochsStepped = end.epoch;
  recorder.finish(end, timing);
  outcome.x = trainer->x().template cast<double>();
  outcome.averaged = outcome.x;  // optimizer.averaging = last
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
