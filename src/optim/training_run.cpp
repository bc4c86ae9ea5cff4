#include "memsgd/optim/training_run.hpp"

#include <chrono>
#include <cmath>
#include <exception>
#include <optional>
#include <string>

#include "memsgd/data/distributed_load.hpp"
#include "memsgd/log/run_recorder.hpp"
#include "memsgd/optim/trainer.hpp"

namespace memsgd {
namespace {

constexpr const char* kVersion = "0.1.0";

std::vector<std::pair<std::string, AttributeValue>> runAttributes(const RunConfig& config,
                                                                  const Communicator& comm,
                                                                  const ShardedData& shards,
                                                                  const Trainer& trainer) {
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
  return attributes;
}

}  // namespace

TrainingOutcome runTraining(const RunConfig& config, const Communicator& comm,
                            std::ostream& console) {
  const ShardedData shards = loadShards(config.data, comm);
  const std::uint64_t n = shards.train.globalRows();

  std::optional<Trainer> trainer;
  std::exception_ptr failure;
  try {
    trainer.emplace(config, comm, shards.train);
  } catch (...) {
    failure = std::current_exception();
  }
  comm.agreeOnFailure(failure);

  const auto totalSamples =
      static_cast<std::uint64_t>(std::ceil(config.optimizer.epochs * static_cast<double>(n)));
  const std::uint64_t evalEvery = config.log.evalEvery.value_or(std::max<std::uint64_t>(n / 10, 1));
  RunRecorder recorder(config.log, comm, runAttributes(config, comm, shards, *trainer), console);
  const Evaluator evaluator(comm, trainer->model(), shards.test ? &*shards.test : nullptr);

  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  TrainingOutcome outcome;
  const auto evaluate = [&] {
    trainer->averagedIterate(outcome.averaged);
    outcome.last = evaluator.evaluate(outcome.averaged);
    if (!std::isfinite(outcome.last.trainLoss)) {
      // The loss is reduced over ranks, so every rank sees this and stops together.
      throw AgreedError("training diverged: the loss is " + std::to_string(outcome.last.trainLoss) +
                            " after step " + std::to_string(trainer->steps()) +
                            "; lower optimizer.gamma or optimizer.rate",
                        0, kExitRuntimeError);
    }
    recorder.record(*trainer, outcome.last, elapsed());
  };

  evaluate();
  std::uint64_t nextEvaluation = evalEvery;
  while (trainer->samples() < totalSamples) {
    trainer->step();
    if (trainer->samples() >= nextEvaluation || trainer->samples() >= totalSamples) {
      evaluate();
      while (nextEvaluation <= trainer->samples()) {
        nextEvaluation += evalEvery;
      }
    }
  }
  recorder.finish(*trainer);
  outcome.x = trainer->x();
  outcome.steps = trainer->steps();
  return outcome;
}

}  // namespace memsgd
