#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "memsgd/mpi/communicator.hpp"
#include "memsgd/optim/trainer_state.hpp"

namespace memsgd {

// Where the training loop stands besides the trainer: what a resumed run needs to continue its
// evaluation schedule and its run file exactly.
struct RunProgress {
  std::uint64_t nextEvaluation = 0;  // samples
  std::uint64_t nextCheckpoint = 0;  // samples
  std::uint64_t runFileRows = 0;     // rows of the run file that belong to the checkpointed state
  double elapsedSeconds = 0.0;
  double stepSeconds = 0.0;  // of the steps alone, for /metrics/step_s
  // The training objective at the first evaluation (x_bar of step 0): log.divergence_factor
  // compares with it, also after a resume.
  double startLoss = 0.0;
};

// The settings a checkpoint must agree with to be resumed ("key=value" pairs, as in
// RunConfig::resolved, plus the rank count and dimension).
using CheckpointIdentity = std::vector<std::pair<std::string, std::string>>;

// Collective. Gathers every rank's state to rank 0, which writes one HDF5 file atomically:
// `path`.tmp is written, fsync'ed and renamed over `path`, so the previous checkpoint stays
// intact until the new one is complete.
// Per-rank step counts (TrainerState::stepsPerRank, communication.mode = shared) are stored per
// rank. x and the memories are stored in the run's precision (Scalar: float or double); the
// identity holds model.precision, so a checkpoint resumes only at its own precision.
template <typename Scalar>
void writeCheckpoint(const std::string& path, const Communicator& comm,
                     const TrainerState<Scalar>& mine, const RunProgress& progress,
                     const CheckpointIdentity& identity);

template <typename Scalar>
struct Checkpoint {
  TrainerState<Scalar> state;  // this rank's view: replicated parts plus its own
  RunProgress progress;
};

// Collective. Every rank reads its own part of the checkpoint at `path`. Throws AgreedError on all
// ranks when the file cannot be read or its identity differs from `identity` (naming the setting).
template <typename Scalar>
Checkpoint<Scalar> readCheckpoint(const std::string& path, const Communicator& comm,
                                  const CheckpointIdentity& identity);

// Collective. The value of `key` in the identity of the checkpoint at `path`, or nothing when it
// has none: what a resumed run must keep that it does not configure (the collective that
// communication.collective = auto picked). Throws AgreedError on all ranks when the file cannot be
// read.
std::optional<std::string> readCheckpointIdentityValue(const std::string& path,
                                                       const Communicator& comm,
                                                       const std::string& key);

}  // namespace memsgd
