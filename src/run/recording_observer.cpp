#include "memsgd/run/recording_observer.hpp"

#include "memsgd/io/checkpoint_file.hpp"
#include "memsgd/log/run_recorder.hpp"

namespace memsgd {

template <typename Scalar>
RecordingObserver<Scalar>::RecordingObserver(RunRecorder& recorder, const Trainer<Scalar>& trainer,
                                             AveragedEvaluation<Scalar>& evaluation,
                                             const RunClock& clock, RunProgress& progress,
                                             std::uint64_t every, bool resuming)
    : recorder_(recorder),
      trainer_(trainer),
      evaluation_(evaluation),
      clock_(clock),
      progress_(progress),
      every_(every),
      resuming_(resuming),
      recordedAt_(resuming ? trainer.samples() : 0) {}

template <typename Scalar>
void RecordingObserver<Scalar>::atStart() {
  if (!resuming_) {
    record();
  }
}

template <typename Scalar>
std::uint64_t RecordingObserver<Scalar>::nextDue() const {
  return progress_.nextEvaluation;
}

template <typename Scalar>
void RecordingObserver<Scalar>::onSchedule(std::uint64_t samples) {
  record();
  while (progress_.nextEvaluation <= samples) {
    progress_.nextEvaluation += every_;
  }
}

template <typename Scalar>
void RecordingObserver<Scalar>::atEnd() {
  if (recordedAt_ != trainer_.samples() || recorder_.rows() == 0) {
    record();
  }
}

template <typename Scalar>
void RecordingObserver<Scalar>::record() {
  recorder_.record(trainer_.status(), evaluation_.now(), clock_.elapsedSeconds(),
                   clock_.stepSeconds());
  recordedAt_ = trainer_.samples();
}

template class RecordingObserver<float>;
template class RecordingObserver<double>;

}  // namespace memsgd
