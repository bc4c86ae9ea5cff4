// memsgd-fault: trains like memsgd-train with the real Trainer and exchange, but one rank
// misbehaves mid-run while its peers wait for it inside the exchange. It exercises the failure
// path of every memsgd tool (tool_main.hpp) for faults that no input file can provoke on a rank
// other than 0, and the measurement of waits.
//   MEMSGD_FAULT=RANK:STEP mpirun -np P memsgd-fault CONFIG [--section.key=value ...]
//     rank RANK throws at step STEP. Just before, it creates the file `fault.now` in the working
//     folder, so that a test can time how fast the whole job ends.
//     With communication.mode = shared, the SharedTrainer's rank RANK throws after its step STEP
//     while its peers keep stepping, or wait at the end of a segment of log.checkpoint_every.
//   MEMSGD_SLOW=RANK:MS mpirun -np P memsgd-fault CONFIG [--section.key=value ...]
//     a straggler that stays alive: 2000 steps, a run file row (log.output) every 200, and after
//     each row rank RANK sleeps MS milliseconds outside the exchange; then the closing summary.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>

#include "memsgd/data/distributed_load.hpp"
#include "memsgd/log/run_recorder.hpp"
#include "memsgd/model/model_factory.hpp"
#include "memsgd/optim/shared_trainer.hpp"
#include "memsgd/optim/trainer.hpp"
#include "tool_main.hpp"

namespace {

struct RankAndNumber {
  int rank;
  std::uint64_t number;
};

RankAndNumber rankAndNumber(const char* variable, const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos) {
    throw memsgd::ConfigError(std::string(variable) + " must be RANK:NUMBER, got '" + text + "'");
  }
  return {std::stoi(text.substr(0, colon)), std::stoull(text.substr(colon + 1))};
}

// The fault at step STEP of rank RANK, thrown where a step's own failure would be.
void injectFault(const memsgd::Communicator& comm, RankAndNumber fault, std::uint64_t steps) {
  if (comm.rank() == fault.rank && steps == fault.number) {
    std::ofstream("fault.now").close();
    throw std::runtime_error("injected fault at step " + std::to_string(fault.number));
  }
}

void throwAtStep(const memsgd::RunConfig& config, const memsgd::Communicator& comm,
                 RankAndNumber fault) {
  const auto data = memsgd::loadShards<double>(config.data, comm);
  const auto model = memsgd::makeModel(config.model, data.train);
  if (config.communication.mode == memsgd::CommunicationMode::kShared) {
    // The peers step on without waiting for the failing rank: they must notice it by the
    // shared abort flag. Far more samples than the fault needs, and no snapshots.
    constexpr std::uint64_t kSamples = std::uint64_t{1} << 40;
    memsgd::SharedTrainer<double> trainer(config, comm, *model, data.train, kSamples, kSamples);
    const auto inject = [&](const auto& stepped) { injectFault(comm, fault, stepped.steps()); };
    // In segments that end where log.checkpoint_every would checkpoint: the fault may come while
    // the others wait at a segment's end.
    const std::uint64_t every =
        config.log.checkpointEvery > 0 ? config.log.checkpointEvery : kSamples;
    for (std::uint64_t end = every;; end += every) {
      trainer.runTo(end, inject);
    }
  }
  memsgd::Trainer<double> trainer(config, comm, *model, data.train);
  // Far more steps than the fault needs: the job ends only through the fault.
  while (trainer.steps() <= fault.number + 1000000) {
    injectFault(comm, fault, trainer.steps());
    trainer.step();
  }
}

void runWithStraggler(const memsgd::RunConfig& config, const memsgd::Communicator& comm,
                      RankAndNumber slow) {
  constexpr std::uint64_t kSteps = 2000;
  constexpr std::uint64_t kRowEvery = 200;
  const auto data = memsgd::loadShards<double>(config.data, comm);
  const auto model = memsgd::makeModel(config.model, data.train);
  memsgd::Trainer<double> trainer(config, comm, *model, data.train);
  memsgd::RunRecorder recorder(config.log, comm, {}, std::cout);
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&start] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  while (trainer.steps() < kSteps) {
    if (trainer.steps() % kRowEvery == 0) {
      recorder.record(trainer.status(), memsgd::Evaluation{}, elapsed(), elapsed());
      if (comm.rank() == slow.rank) {
        std::this_thread::sleep_for(std::chrono::milliseconds(slow.number));
      }
    }
    trainer.step();
  }
  recorder.record(trainer.status(), memsgd::Evaluation{}, elapsed(), elapsed());
  recorder.finish(trainer.status(), memsgd::RunTiming{0.0, elapsed(), 0.0});
}

}  // namespace

int main(int argc, char** argv) {
  return memsgd::tools::runTool(
      "memsgd-fault", argc, argv,
      [](const memsgd::RunConfig& config, const memsgd::Communicator& comm) {
        if (const char* slow = std::getenv("MEMSGD_SLOW")) {
          runWithStraggler(config, comm, rankAndNumber("MEMSGD_SLOW", slow));
        } else {
          const char* fault = std::getenv("MEMSGD_FAULT");
          throwAtStep(config, comm, rankAndNumber("MEMSGD_FAULT", fault != nullptr ? fault : ""));
        }
      });
}
