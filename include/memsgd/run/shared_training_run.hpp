#pragma once

#include <iosfwd>

#include "memsgd/config/run_config.hpp"
#include "memsgd/data/distributed_load.hpp"
#include "memsgd/log/console.hpp"
#include "memsgd/model/model.hpp"
#include "memsgd/mpi/communicator.hpp"
#include "memsgd/run/run_plan.hpp"
#include "memsgd/run/training_run.hpp"

namespace memsgd {

// runTraining's part for communication.mode = shared, once the data is loaded and checked: the
// SharedTrainer steps without barriers to plan.totalSamples, then every rank evaluates, over its
// own shards, the start x, each snapshot of x (one every plan.evalEvery samples, taken as the
// shared t passed it) and the final x, one run file row each. Evaluating afterwards keeps every
// core stepping during the run and needs no rank to hold all the data (the Evaluator sums over
// the shards). Collective; errors as runTraining.
template <typename Scalar>
TrainingOutcome trainShared(const RunConfig& config, const Communicator& comm,
                            std::ostream& console, const ShardedData<Scalar>& shards,
                            const Model<Scalar>& model, const RunPlan& plan, RunTiming timing);

}  // namespace memsgd
