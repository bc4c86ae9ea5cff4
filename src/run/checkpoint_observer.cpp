#include "memsgd/run/checkpoint_observer.hpp"

#include <utility>

#include "memsgd/log/run_recorder.hpp"

namespace memsgd {

template <typename Scalar>
CheckpointObserver<Scalar>::CheckpointObserver(std::string path, const Communicator& comm,
                                               const Trainer<Scalar>& trainer,
                                               AveragedEvaluation<Scalar>& evaluation,
                                               const DivergenceCheck& divergence,
                                               RunRecorder& recorder, const RunClock& clock,
                                               RunProgress& progress, std::uint64_t every,
                                               CheckpointIdentity identity)
    : path_(std::move(path)),
      comm_(comm),
      trainer_(trainer),
      evaluation_(evaluation),
      divergence_(divergence),
      recorder_(recorder),
      clock_(clock),
      progress_(progress),
      every_(every),
      identity_(std::move(identity)) {}

template <typename Scalar>
void CheckpointObserver<Scalar>::onSchedule(std::uint64_t samples) {
  while (progress_.nextCheckpoint <= samples) {
    progress_.nextCheckpoint += every_;
  }
  write();
}

template <typename Scalar>
void CheckpointObserver<Scalar>::atEnd() {
  write();
}

template <typename Scalar>
void CheckpointObserver<Scalar>::write() {
  divergence_.checkIterate(trainer_.x().allFinite(), trainer_.steps());
  (void)evaluation_.now();
  recorder_.flushTrace();  // the trace on disk must reach the checkpoint's step
  progress_.runFileRows = recorder_.rows();
  progress_.elapsedSeconds = clock_.elapsedSeconds();
  progress_.stepSeconds = clock_.stepSeconds();
  writeCheckpoint(path_, comm_, trainer_.state(), progress_, identity_);
}

template class CheckpointObserver<float>;
template class CheckpointObserver<double>;

}  // namespace memsgd
