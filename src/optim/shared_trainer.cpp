#include "memsgd/optim/shared_trainer.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>

#include "memsgd/compress/selection.hpp"

namespace memsgd {
namespace {

// Every region of the window starts on its own cache line.
constexpr std::size_t kLine = 64;

constexpr std::size_t roundUp(std::size_t bytes) { return (bytes + kLine - 1) / kLine * kLine; }

// Hogwild's write: x -= c with c = u rounded to Wire, coordinate by coordinate with an atomic
// fetch_sub, so every coordinate is contended (the point of the dense baseline). u keeps u - c
// for an error memory (nothing unless Wire is narrower than Scalar), or becomes 0 without one:
// as the synchronous dense exchange rounds its wire vector.
template <typename Wire, typename Scalar>
void subtractRounded(VectorRefOf<Scalar> u, bool keepRemainder, Scalar* x) {
  Scalar* values = u.data();
  for (Eigen::Index j = 0; j < u.size(); ++j) {
    const Wire sent = static_cast<Wire>(values[j]);
    std::atomic_ref<Scalar>(x[j]).fetch_sub(static_cast<Scalar>(sent), std::memory_order_relaxed);
    values[j] = keepRemainder ? static_cast<Scalar>(values[j] - sent) : Scalar{0};
  }
}

}  // namespace

std::size_t sharedSnapshotCount(std::uint64_t totalSamples, std::uint64_t snapshotEvery) {
  return totalSamples > 0 ? (totalSamples - 1) / snapshotEvery : 0;
}

template <typename Scalar>
SharedTrainer<Scalar>::SharedTrainer(const RunConfig& config, const Communicator& comm,
                                     const Model<Scalar>& model, const Dataset<Scalar>& train,
                                     std::uint64_t totalSamples, std::uint64_t snapshotEvery)
    : comm_(comm),
      model_(model),
      data_(train),
      parts_(config, comm.rank(), model, train),
      batchSize_(config.optimizer.batchSize),
      totalSamples_(totalSamples),
      segmentEnd_(totalSamples),
      snapshotEvery_(snapshotEvery),
      snapshotCount_(sharedSnapshotCount(totalSamples, snapshotEvery)),
      dense_(parts_.compressor->isDense()),
      fp32Wire_(config.communication.valueType == ValueType::kFloat32),
      x_(VectorOf<Scalar>::Zero(static_cast<Eigen::Index>(model.parameterCount()))),
      countersAt_(snapshotCount_) {
  // A rank that failed to build the members above meets this agreement in its caller's agreeOn,
  // before any rank enters the window's collectives.
  comm_.agreeOn([] {});
  const std::size_t xBytes = roundUp(static_cast<std::size_t>(x_.size()) * sizeof(Scalar));
  window_.emplace(comm, roundUp(sizeof(Counters)) + xBytes +
                            roundUp(snapshotCount_ * sizeof(SnapshotHeader)) +
                            snapshotCount_ * xBytes);
  // Every rank's x_ is the start (seeded), until finish() makes it the end.
  model_.initialize(config.optimizer.seed, x_);
  if (comm.rank() == 0) {
    std::copy(x_.data(), x_.data() + x_.size(), sharedX());
  }
  window_->barrier();
  stepsStart_ = WallClock::now();
}

template <typename Scalar>
std::uint64_t& SharedTrainer<Scalar>::sharedWord(std::uint64_t Counters::*word) const {
  return reinterpret_cast<Counters*>(window_->data())->*word;
}

template <typename Scalar>
Scalar* SharedTrainer<Scalar>::sharedX() const {
  return reinterpret_cast<Scalar*>(window_->data() + roundUp(sizeof(Counters)));
}

template <typename Scalar>
typename SharedTrainer<Scalar>::SnapshotHeader* SharedTrainer<Scalar>::snapshotHeaders() const {
  const std::size_t xBytes = roundUp(static_cast<std::size_t>(x_.size()) * sizeof(Scalar));
  return reinterpret_cast<SnapshotHeader*>(window_->data() + roundUp(sizeof(Counters)) + xBytes);
}

template <typename Scalar>
Scalar* SharedTrainer<Scalar>::snapshotX(std::size_t slot) const {
  const std::size_t xBytes = roundUp(static_cast<std::size_t>(x_.size()) * sizeof(Scalar));
  std::byte* first = reinterpret_cast<std::byte*>(snapshotHeaders()) +
                     roundUp(snapshotCount_ * sizeof(SnapshotHeader));
  return reinterpret_cast<Scalar*>(first + slot * xBytes);
}

template <typename Scalar>
void SharedTrainer<Scalar>::readShared(const Scalar* from, VectorOf<Scalar>& out) const {
  Scalar* to = out.data();
  for (Eigen::Index j = 0; j < out.size(); ++j) {
    // Other ranks may add meanwhile. Copies are rare (snapshots), so atomic loads cost nothing
    // that shows, where a step reads in place.
    to[j] = std::atomic_ref<Scalar>(const_cast<Scalar&>(from[j])).load(std::memory_order_relaxed);
  }
}

template <typename Scalar>
VectorOf<Scalar> SharedTrainer<Scalar>::sharedXNow() const {
  VectorOf<Scalar> now(x_.size());
  readShared(sharedX(), now);
  return now;
}

template <typename Scalar>
bool SharedTrainer<Scalar>::step() {
  if (std::atomic_ref(sharedWord(&Counters::abort)).load(std::memory_order_relaxed) != 0) {
    return false;
  }
  const std::uint64_t t = std::atomic_ref(sharedWord(&Counters::samples))
                              .fetch_add(batchSize_, std::memory_order_relaxed);
  if (t >= segmentEnd_) {
    return false;
  }
  const double eta = parts_.learningRate.at(static_cast<double>(t));
  // x in place, with plain loads that other ranks' atomic adds race with: an aligned value does
  // not tear on x86-64 or AArch64, so a read gets the value before or after an add, as Hogwild
  // reads. Relaxed atomic loads are per coordinate and unvectorised: their copy of x made a step
  // on rcv1 3x slower than the synchronous mode's.
  const Eigen::Map<const VectorOf<Scalar>> shared(sharedX(), x_.size());
  const ConstVectorRefOf<Scalar> x(shared);
  // v = m + eta (grad f_i(x) + lambda x), c = comp(v), m = v - c (Algorithm 1, lines 4-6).
  VectorRefOf<Scalar> v = parts_.memory.accumulator();
  model_.addScaledDataGradient(data_, x, parts_.sampler.next(batchSize_), eta, v);
  for (const std::uint32_t row : parts_.sampler.upcoming(batchSize_)) {
    data_.prefetchRow(row);
  }
  if (dense_) {
    writeDense(v, x, eta);
  } else {
    writeSparse(v, x, eta);
  }
  ++steps_;
  lastClaim_ = t;
  takeSnapshots(t, t + batchSize_);
  return true;
}

template <typename Scalar>
void SharedTrainer<Scalar>::writeSparse(VectorRefOf<Scalar> v, const ConstVectorRefOf<Scalar>& x,
                                        double eta) {
  parts_.compressor->addScaledAndCompress(v, x, eta * model_.lambda(), message_);
  parts_.codec->roundToWire(message_);
  parts_.memory.retain(message_);
  Scalar* into = sharedX();
  for (std::size_t i = 0; i < message_.size(); ++i) {
    std::atomic_ref<Scalar>(into[message_.indices[i]])
        .fetch_sub(static_cast<Scalar>(message_.values[i]), std::memory_order_relaxed);
  }
  const std::uint64_t pairs = message_.size();
  counters_.sent.index += pairs * sizeof(std::uint32_t);
  counters_.sent.value += pairs * sizeof(Scalar);
  counters_.received.value += static_cast<std::uint64_t>(x.size()) * sizeof(Scalar);
  counters_.paperBits += 64 * pairs;
  counters_.pairs += pairs;
}

template <typename Scalar>
void SharedTrainer<Scalar>::writeDense(VectorRefOf<Scalar> v, const ConstVectorRefOf<Scalar>& x,
                                       double eta) {
  // The regulariser in its own pass, as the synchronous dense step adds it: at one rank the two
  // runs are then the same arithmetic, bit for bit.
  addScaled<Scalar>(v, x, eta * model_.lambda());
  if (fp32Wire_) {
    subtractRounded<float>(v, parts_.memory.enabled(), sharedX());
  } else {
    subtractRounded<double>(v, parts_.memory.enabled(), sharedX());
  }
  // p values written and read, no indices; the paper's 64 bits and one "pair" per coordinate, as
  // the synchronous dense exchange counts them.
  const auto p = static_cast<std::uint64_t>(x.size());
  counters_.sent.value += p * sizeof(Scalar);
  counters_.received.value += p * sizeof(Scalar);
  counters_.paperBits += 64 * p;
  counters_.pairs += p;
}

template <typename Scalar>
void SharedTrainer<Scalar>::takeSnapshots(std::uint64_t from, std::uint64_t to) {
  // Snapshot j is due at (j + 1) * every: taken by the one step whose claim (from, to] holds it.
  for (std::size_t slot = from / snapshotEvery_;
       slot < snapshotCount_ && (slot + 1) * snapshotEvery_ <= to; ++slot) {
    Scalar* copy = snapshotX(slot);
    const Scalar* x = sharedX();
    for (Eigen::Index j = 0; j < x_.size(); ++j) {
      copy[j] = std::atomic_ref<Scalar>(const_cast<Scalar&>(x[j])).load(std::memory_order_relaxed);
    }
    snapshotHeaders()[slot] = {
        to, std::chrono::duration<double>(WallClock::now() - stepsStart_).count()};
  }
  // This rank's counters at its first step past each snapshot's t, whoever took it: its claims
  // grow, so the slots it passes are the next ones after the cursor.
  for (; unrecorded_ < snapshotCount_ && (unrecorded_ + 1) * snapshotEvery_ <= to; ++unrecorded_) {
    countersAt_[unrecorded_] = {steps_, counters_};
  }
}

template <typename Scalar>
void SharedTrainer<Scalar>::raiseAbort() noexcept {
  std::atomic_ref(sharedWord(&Counters::abort)).store(1, std::memory_order_relaxed);
}

template <typename Scalar>
void SharedTrainer<Scalar>::startSegment(std::uint64_t end) {
  segmentEnd_ = std::min(end, totalSamples_);
  window_->barrier();
  stepsStart_ = WallClock::now();
}

template <typename Scalar>
void SharedTrainer<Scalar>::settle() {
  window_->barrier();
  // Every claim below the segment's end was a step of its full batch, and each rank's last
  // claim (at or past the end) none: t is the sum of the steps taken, exactly.
  std::uint64_t steps = steps_;
  comm_.allreduceSum(std::span<std::uint64_t>(&steps, 1));
  samples_ = steps * batchSize_;
  readShared(sharedX(), x_);
  for (; unsettledSlot_ < snapshotCount_ && (unsettledSlot_ + 1) * snapshotEvery_ <= samples_;
       ++unsettledSlot_) {
    SharedSnapshot<Scalar>& snapshot = snapshots_.emplace_back();
    snapshot.samples = snapshotHeaders()[unsettledSlot_].samples;
    snapshot.stepSeconds = snapshotHeaders()[unsettledSlot_].stepSeconds;
    snapshot.x.resize(x_.size());
    readShared(snapshotX(unsettledSlot_), snapshot.x);
    // A rank that stopped before the shared t got there is where it stopped.
    const auto& [atSteps, counters] = countersAt_[unsettledSlot_];
    snapshot.steps = atSteps == 0 ? steps_ : atSteps;
    snapshot.counters = atSteps == 0 ? counters_ : counters;
  }
  // The claims past the end overshot t; the next startSegment's barrier publishes the exact one.
  if (comm_.rank() == 0) {
    std::atomic_ref(sharedWord(&Counters::samples)).store(samples_, std::memory_order_relaxed);
  }
}

template <typename Scalar>
void SharedTrainer<Scalar>::finish() {
  settle();
  window_.reset();
}

template <typename Scalar>
TrainerState<Scalar> SharedTrainer<Scalar>::state() const {
  TrainerState<Scalar> state;
  state.x = x_;
  state.steps = steps_;
  state.stepsPerRank = true;
  state.samples = samples_;
  state.memory = parts_.memory.values();
  state.sampling = parts_.sampler.state();
  if (const Rng* rng = parts_.compressor->randomSource()) {
    state.compressionRng = rng->state();
  }
  state.counters = counters_;
  return state;
}

template <typename Scalar>
void SharedTrainer<Scalar>::restore(const TrainerState<Scalar>& state) {
  if (state.x.size() != x_.size() || state.memory.size() != x_.size()) {
    throw std::invalid_argument("trainer state of dimension " + std::to_string(state.x.size()) +
                                ", this trainer has " + std::to_string(x_.size()));
  }
  Rng* rng = parts_.compressor->randomSource();
  if ((rng != nullptr) != state.compressionRng.has_value()) {
    throw std::invalid_argument("trainer state of a compressor with another kind of randomness");
  }
  parts_.sampler.restore(state.sampling);
  parts_.memory.accumulator() = state.memory;
  if (rng != nullptr) {
    rng->setState(*state.compressionRng);
  }
  x_ = state.x;
  steps_ = state.steps;
  samples_ = state.samples;
  counters_ = state.counters;
  // The run that wrote the checkpoint recorded the snapshots up to its t.
  unsettledSlot_ = std::min<std::size_t>(samples_ / snapshotEvery_, snapshotCount_);
  unrecorded_ = unsettledSlot_;
  if (comm_.rank() == 0) {
    std::copy(x_.data(), x_.data() + x_.size(), sharedX());
    std::atomic_ref(sharedWord(&Counters::samples)).store(samples_, std::memory_order_relaxed);
  }
}

template class SharedTrainer<float>;
template class SharedTrainer<double>;

}  // namespace memsgd
