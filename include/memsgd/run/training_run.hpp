#pragma once

#include <cstdint>
#include <iosfwd>

#include "memsgd/config/run_config.hpp"
#include "memsgd/core/vector.hpp"
#include "memsgd/mpi/communicator.hpp"
#include "memsgd/optim/evaluator.hpp"

namespace memsgd {

// x and x_bar in double, whatever model.precision the run used.
struct TrainingOutcome {
  Vector x;         // last iterate (identical on every rank)
  Vector averaged;  // x_bar, the iterate the losses are reported at
  Evaluation last;  // the final evaluation
  std::uint64_t steps = 0;
};

// The whole job of memsgd-train: load this rank's shards, train for optimizer.epochs, evaluate
// every log.eval_every samples (and at the start and the end), write the run file and progress
// (rank 0). Collective. Errors that every rank meets, or that one rank meets while loading, are
// thrown as AgreedError on all ranks.
TrainingOutcome runTraining(const RunConfig& config, const Communicator& comm,
                            std::ostream& console);

// memsgd-train --dry-run: loads the data and resolves everything the run file's /config would
// hold (fingerprints, f* value, lambda, ...), and rank 0 prints it to `out` as one JSON object
// (attribute_json.hpp) without training or writing any file. Collective; errors as runTraining.
void describeRun(const RunConfig& config, const Communicator& comm, std::ostream& out);

}  // namespace memsgd
