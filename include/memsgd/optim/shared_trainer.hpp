#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "memsgd/comm/comm_counters.hpp"
#include "memsgd/compress/compressor.hpp"
#include "memsgd/compress/error_memory.hpp"
#include "memsgd/compress/message_codec.hpp"
#include "memsgd/config/run_config.hpp"
#include "memsgd/data/dataset.hpp"
#include "memsgd/data/shard_sampler.hpp"
#include "memsgd/model/model.hpp"
#include "memsgd/mpi/communicator.hpp"
#include "memsgd/mpi/shared_window.hpp"
#include "memsgd/mpi/wall_clock.hpp"
#include "memsgd/optim/hyper_parameters.hpp"
#include "memsgd/optim/learning_rate.hpp"
#include "memsgd/optim/rank_components.hpp"
#include "memsgd/optim/trainer_state.hpp"

namespace memsgd {

// A copy of the shared x taken as the shared t passed a scheduled count, and this rank's own
// counters at its first step past it.
template <typename Scalar>
struct SharedSnapshot {
  std::uint64_t samples = 0;  // t claimed by the step that took it
  double stepSeconds = 0.0;   // since its runTo started, on the clock of the rank that took it
  VectorOf<Scalar> x;
  std::uint64_t steps = 0;  // this rank's
  CommCounters counters;    // this rank's
};

// The snapshots a SharedTrainer takes: one at every multiple of `snapshotEvery` below
// `totalSamples`.
std::size_t sharedSnapshotCount(std::uint64_t totalSamples, std::uint64_t snapshotEvery);

// Asynchronous Mem-SGD on the ranks of one node (the paper's parallel variant, communication.mode
// = shared): one x in an MPI-3 shared window, and each rank with its own error memory, sampler
// and compressor. A step claims its samples from the shared t (an atomic fetch_add of the batch
// size; t drives the learning rate), reads x in place without locks (plain loads, which other
// ranks' adds race with, as in Hogwild), forms v = m + eta (grad f_i(x) + lambda x), sends c =
// comp(v) by subtracting its k values from x with atomic fetch_sub, and keeps m = v - c. No barrier
// per step; a rank stops once the shared t reaches the end of the segment (runTo: the next
// checkpoint, or the run's total), where the ranks settle at a barrier. compression.method = none
// is dense Hogwild SGD (the paper's baseline): a step subtracts all p values of c = v (rounded to
// communication.value_type) from x with atomic fetch_sub, and m keeps only that rounding (nothing
// when the value type is model.precision), as in the synchronous dense step. Counters: "sent"
// counts what a rank writes into x (each pair's uint32 index and its model.precision value; p
// values and no index when dense), "received" what it reads of x (p values per step, dense or
// sparse data alike, since the regulariser's gradient lambda x reads every coordinate).
template <typename Scalar>
class SharedTrainer {
 public:
  // Collective. Snapshots of x are taken at every multiple of `snapshotEvery` below
  // `totalSamples`. `model` and `train` must outlive the trainer.
  SharedTrainer(const RunConfig& config, const Communicator& comm, const Model<Scalar>& model,
                const Dataset<Scalar>& train, std::uint64_t totalSamples,
                std::uint64_t snapshotEvery);

  // Collective: steps until the shared t reaches `end` (at most the total), calling
  // afterStep(*this) after each step of this rank, then settles: the ranks meet at a barrier of
  // the window, t becomes the samples of the steps taken (a claim at or past `end` is no step),
  // x() the shared x and snapshots() gains those taken meanwhile. A rank whose step (or
  // afterStep) throws raises the shared abort flag, which the others read before every step:
  // every rank then throws AgreedError with that rank's message, before any barrier.
  template <typename AfterStep>
  void runTo(std::uint64_t end, AfterStep&& afterStep) {
    startSegment(end);
    comm_.agreeOn([&] {
      try {
        while (step()) {
          afterStep(*this);
        }
      } catch (...) {
        raiseAbort();
        throw;
      }
    });
    settle();
  }
  void runTo(std::uint64_t end) {
    runTo(end, [](const SharedTrainer&) {});
  }
  // Collective: runTo the total, then finish().
  template <typename AfterStep>
  void run(AfterStep&& afterStep) {
    runTo(totalSamples_, std::forward<AfterStep>(afterStep));
    finish();
  }
  void run() {
    run([](const SharedTrainer&) {});
  }

  // One step of this rank; false (without a step) once t reaches the end of runTo (the total
  // outside it) or a rank aborted. Not after restore() but through runTo, whose barrier publishes
  // the restored x and t.
  bool step();
  // Tells every rank to stop before its next step.
  void raiseAbort() noexcept;
  // Collective, after the last step on every rank: settles as runTo does, and frees the shared
  // window.
  void finish();

  // This rank's part of a checkpoint, at a settled point (after runTo): x and t (the same on
  // every rank), and its own memory, sampler, compression generator, counters and step count.
  [[nodiscard]] TrainerState<Scalar> state() const;
  // Continues a fresh trainer from `state` (this rank's part of a checkpoint of the same run):
  // rank 0 writes x and t into the window, which the next runTo publishes to all. Snapshots
  // scheduled at or below the restored t are not taken again. Throws std::invalid_argument for
  // a state of another shape.
  void restore(const TrainerState<Scalar>& state);

  [[nodiscard]] std::uint64_t steps() const { return steps_; }  // this rank's
  // t: the samples of all ranks' steps, as of the last settled point.
  [[nodiscard]] std::uint64_t samples() const { return samples_; }
  // x at the last settled point: the start x (or the restored one) before any.
  [[nodiscard]] const VectorOf<Scalar>& x() const { return x_; }
  // Every snapshot settled so far, in order of t.
  [[nodiscard]] std::span<const SharedSnapshot<Scalar>> snapshots() const { return snapshots_; }
  [[nodiscard]] const CommCounters& counters() const { return counters_; }
  [[nodiscard]] const Model<Scalar>& model() const { return model_; }
  [[nodiscard]] const ResolvedHyperParameters& hyperParameters() const { return parts_.hyper; }
  [[nodiscard]] double learningRate(std::uint64_t samples) const {
    return parts_.learningRate.at(static_cast<double>(samples));
  }

  // The shared x as it is now, copied with relaxed atomic loads (until finish()), and what the
  // last step of this rank did: for tests of its memory invariant.
  [[nodiscard]] VectorOf<Scalar> sharedXNow() const;
  [[nodiscard]] std::uint64_t lastClaim() const { return lastClaim_; }  // its t
  // The c it wrote (empty when dense, which writes v itself).
  [[nodiscard]] const SparseMessage& lastMessage() const { return message_; }
  [[nodiscard]] const VectorOf<Scalar>& memory() const { return parts_.memory.values(); }

 private:
  // The window's layout: the shared counters, x, then each snapshot's t, time and x.
  struct Counters {
    std::uint64_t samples;  // t claimed so far
    std::uint64_t abort;    // non-zero once a rank failed
  };
  struct SnapshotHeader {
    std::uint64_t samples;
    double stepSeconds;
  };
  [[nodiscard]] std::uint64_t& sharedWord(std::uint64_t Counters::*word) const;
  [[nodiscard]] Scalar* sharedX() const;
  [[nodiscard]] SnapshotHeader* snapshotHeaders() const;
  [[nodiscard]] Scalar* snapshotX(std::size_t slot) const;
  // Relaxed atomic loads of p values of the shared x into `out`.
  void readShared(const Scalar* from, VectorOf<Scalar>& out) const;
  // x -= c and m = v - c, with c = comp(v) as k pairs, or all of v when dense; counted.
  void writeSparse(VectorRefOf<Scalar> v, const ConstVectorRefOf<Scalar>& x, double eta);
  void writeDense(VectorRefOf<Scalar> v, const ConstVectorRefOf<Scalar>& x, double eta);
  // The snapshots scheduled in (from, to], taken by this rank.
  void takeSnapshots(std::uint64_t from, std::uint64_t to);
  // Collective: the barrier that publishes rank 0's writes of t (settle, restore) before any
  // rank claims up to `end`.
  void startSegment(std::uint64_t end);
  // Collective, once no rank steps: t, x_ and the new snapshots, and t back in the window.
  void settle();

  const Communicator& comm_;
  const Model<Scalar>& model_;
  const Dataset<Scalar>& data_;
  RankComponents<Scalar> parts_;
  std::uint32_t batchSize_;
  std::uint64_t totalSamples_;
  std::uint64_t segmentEnd_;  // no claim at or past it is a step
  std::uint64_t snapshotEvery_;
  std::size_t snapshotCount_;
  bool dense_;                          // compression.method = none
  bool fp32Wire_;                       // communication.value_type = fp32 (else fp64)
  std::size_t unsettledSlot_ = 0;       // the first snapshot slot not yet in snapshots_
  std::optional<SharedWindow> window_;  // until finish()
  WallClock::time_point stepsStart_;
  VectorOf<Scalar> x_;  // the final x
  SparseMessage message_;
  CommCounters counters_;
  // This rank's steps and counters at its first step past each snapshot's t (0 steps: none yet).
  std::vector<std::pair<std::uint64_t, CommCounters>> countersAt_;
  std::size_t unrecorded_ = 0;  // the first slot of countersAt_ this rank has not passed yet
  std::vector<SharedSnapshot<Scalar>> snapshots_;
  std::uint64_t steps_ = 0;
  std::uint64_t samples_ = 0;
  std::uint64_t lastClaim_ = 0;
};

}  // namespace memsgd
