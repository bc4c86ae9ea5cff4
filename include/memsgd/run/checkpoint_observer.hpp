#pragma once

#include <cstdint>
#include <string>

#include "memsgd/io/checkpoint_file.hpp"
#include "memsgd/mpi/communicator.hpp"
#include "memsgd/optim/trainer.hpp"
#include "memsgd/run/averaged_evaluation.hpp"
#include "memsgd/run/divergence_check.hpp"
#include "memsgd/run/run_clock.hpp"
#include "memsgd/run/run_observer.hpp"

namespace memsgd {

class RunRecorder;

// log.checkpoint: written every log.checkpoint_every samples (progress.nextCheckpoint) and at the
// end, before the closing row. A checkpoint never holds a state whose divergence an evaluation
// would have shown: the last good one stays.
template <typename Scalar>
class CheckpointObserver final : public RunObserver {
 public:
  // progress is the run's, saved with each checkpoint (its other observers keep their parts).
  CheckpointObserver(std::string path, const Communicator& comm, const Trainer<Scalar>& trainer,
                     AveragedEvaluation<Scalar>& evaluation, const DivergenceCheck& divergence,
                     RunRecorder& recorder, const RunClock& clock, RunProgress& progress,
                     std::uint64_t every, CheckpointIdentity identity);

  [[nodiscard]] std::uint64_t nextDue() const override { return progress_.nextCheckpoint; }
  void onSchedule(std::uint64_t samples) override;
  void atEnd() override;

 private:
  void write();

  std::string path_;
  const Communicator& comm_;
  const Trainer<Scalar>& trainer_;
  AveragedEvaluation<Scalar>& evaluation_;
  const DivergenceCheck& divergence_;
  RunRecorder& recorder_;
  const RunClock& clock_;
  RunProgress& progress_;
  std::uint64_t every_;
  CheckpointIdentity identity_;
};

}  // namespace memsgd
