#pragma once

#include <cstdint>

#include "memsgd/optim/trainer.hpp"
#include "memsgd/run/averaged_evaluation.hpp"
#include "memsgd/run/run_clock.hpp"
#include "memsgd/run/run_observer.hpp"

namespace memsgd {

class RunRecorder;
struct RunProgress;

// The run file's rows: one at the start, one every log.eval_every samples (progress.nextEvaluation,
// continued across a resume) and a closing one at the end unless the last step has one.
template <typename Scalar>
class RecordingObserver final : public RunObserver {
 public:
  RecordingObserver(RunRecorder& recorder, const Trainer<Scalar>& trainer,
                    AveragedEvaluation<Scalar>& evaluation, const RunClock& clock,
                    RunProgress& progress, std::uint64_t every, bool resuming);

  // A resumed run has its start row already.
  void atStart() override;
  [[nodiscard]] std::uint64_t nextDue() const override;
  void onSchedule(std::uint64_t samples) override;
  void atEnd() override;

 private:
  void record();

  RunRecorder& recorder_;
  const Trainer<Scalar>& trainer_;
  AveragedEvaluation<Scalar>& evaluation_;
  const RunClock& clock_;
  RunProgress& progress_;
  std::uint64_t every_;
  bool resuming_;
  std::uint64_t recordedAt_;  // samples of the last row
};

}  // namespace memsgd
