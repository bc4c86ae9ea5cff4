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
// SharedTrainer steps without barriers to plan.totalSamples, in segments that end at each
// log.checkpoint_every (one segment without checkpoints). At the end of a segment the ranks
// settle, every rank evaluates over its own shards the snapshots of x taken in it (one every
// plan.evalEvery samples, as the shared t passed it), one run file row each, and then the
// checkpoint is written: the rows are complete up to it. Rows also for the start x and the final
// x. Evaluating at the segment's end keeps every core stepping meanwhile and needs no rank to
// hold all the data (the Evaluator sums over the shards). --resume continues from a checkpoint
// of this mode: x, t, every rank's own state and the run file's rows. Collective; errors as
// runTraining.
template <typename Scalar>
TrainingOutcome trainShared(const RunConfig& config, const Communicator& comm,
                            std::ostream& console, const ShardedData<Scalar>& shards,
                            const Model<Scalar>& model, const RunPlan& plan, RunTiming timing);

}  // namespace memsgd
