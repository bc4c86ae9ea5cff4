#include "memsgd/optim/trainer.hpp"

#include <stdexcept>
#include <string>

#include "memsgd/comm/aggregate.hpp"
#include "memsgd/comm/collective_factory.hpp"
#include "memsgd/compress/compressor_factory.hpp"
#include "memsgd/compress/selection.hpp"

namespace memsgd {
namespace {

// u = beta u + scale * x, in double, rounded once to Scalar.
template <typename Scalar>
void decayAndAddScaled(VectorRefOf<Scalar> u, double beta, const VectorOf<Scalar>& x,
                       double scale) {
  Scalar* values = u.data();
  const Scalar* added = x.data();
  for (Eigen::Index j = 0; j < u.size(); ++j) {
    values[j] = static_cast<Scalar>(beta * values[j] + scale * added[j]);
  }
}

}  // namespace

template <typename Scalar>
Trainer<Scalar>::Trainer(const RunConfig& config, const Communicator& comm,
                         const Model<Scalar>& model, const Dataset<Scalar>& train)
    : comm_(comm),
      model_(model),
      data_(train),
      parts_(config, comm.rank(), model, train),
      averager_(config.optimizer.averaging, static_cast<Eigen::Index>(model.parameterCount()),
                parts_.hyper.offset),
      collective_(makeCollective(config.compression, config.communication, comm, *parts_.codec)),
      batchSize_(config.optimizer.batchSize),
      samplesPerStep_(static_cast<std::uint64_t>(comm.size()) * config.optimizer.batchSize),
      applyScale_(config.communication.aggregation == Aggregation::kMean
                      ? 1.0 / static_cast<double>(comm.size())
                      : 1.0),
      warmupSteps_(config.compression.warmupSteps),
      momentum_(config.optimizer.momentum),
      correctedMomentum_(momentum_ > 0.0 && config.compression.memory &&
                         isSparsifying(config.compression.method)),
      velocity_(VectorOf<Scalar>::Zero(
          momentum_ > 0.0 ? static_cast<Eigen::Index>(model.parameterCount()) : 0)),
      x_(VectorOf<Scalar>::Zero(static_cast<Eigen::Index>(model.parameterCount()))) {
  model_.initialize(config.optimizer.seed, x_);
  if (parts_.compressor->isDense() || warmupSteps_ > 0) {
    denseExchange_.emplace(comm, config.communication.valueType);
  }
}

template <typename Scalar>
void Trainer<Scalar>::step() {
  const auto t = static_cast<double>(samples_);
  const double eta = parts_.learningRate.at(t);
  const bool dense = parts_.compressor->isDense() || steps_ < warmupSteps_;
  if (momentum_ > 0.0) {
    if (correctedMomentum_) {
      stepCorrected(eta, dense);
    } else {
      stepHeavyBall(eta, dense);
    }
  } else {
    // v = m + eta * grad f_i(x), with the regulariser's gradient included (Algorithm 1, line 4).
    VectorRefOf<Scalar> v = parts_.memory.accumulator();
    addDataGradient(eta, v);
    // The regulariser's gradient lambda*x is dense: it is added in the compressor's pass over v,
    // or in its own pass for dense steps.
    if (dense) {
      addScaled<Scalar>(v, x_, eta * model_.lambda());
      stepDense(v);
    } else {
      stepSparse(v, eta);
    }
  }
  averager_.afterStep(t);
  ++steps_;
  comm_.noteStep(steps_);  // named by a timeout's message
  samples_ += samplesPerStep_;
}

template <typename Scalar>
void Trainer<Scalar>::addDataGradient(double eta, VectorRefOf<Scalar> out) {
  model_.addScaledDataGradient(data_, x_, parts_.sampler.next(batchSize_), eta, out);
  for (const std::uint32_t row : parts_.sampler.upcoming(batchSize_)) {
    data_.prefetchRow(row);  // loads while this step compresses and exchanges
  }
}

template <typename Scalar>
void Trainer<Scalar>::stepDense(VectorRefOf<Scalar> v) {
  // c = v in wire precision, m = v - c, summed in place; no message, no indices.
  denseExchange_->exchange(v, parts_.memory.enabled(), counters_);
  averager_.beforeDenseUpdate(x_);
  denseExchange_->subtractSum(applyScale_, VectorRefOf<Scalar>(x_));
}

template <typename Scalar>
void Trainer<Scalar>::stepSparse(VectorRefOf<Scalar> v, double eta) {
  // c = comp(v) in wire precision; m = v - c (Algorithm 1, lines 5-6).
  parts_.compressor->addScaledAndCompress(v, x_, eta * model_.lambda(), message_);
  sendMessage();
  applyMessages();
}

template <typename Scalar>
void Trainer<Scalar>::sendMessage() {
  parts_.codec->roundToWire(message_);
  parts_.memory.retain(message_);
  collective_->exchange(message_, parts_.compressor->fixedPairs(), counters_);
}

template <typename Scalar>
void Trainer<Scalar>::applyMessages() {
  const Aggregate sum = collective_->aggregate();
  if (sum.dense != nullptr) {
    averager_.beforeDenseUpdate(x_);
  }
  // Fold every coordinate that will change before any of them changes, then apply in order.
  for (const MessageView& message : sum.parts) {
    averager_.beforeSparseUpdate(message.indices, x_);
  }
  subtractScaled(sum, applyScale_, VectorRefOf<Scalar>(x_));
}

template <typename Scalar>
void Trainer<Scalar>::stepCorrected(double eta, bool dense) {
  // u = beta u + eta (grad f_i(x) + lambda x): the regulariser in the pass that decays u.
  decayAndAddScaled<Scalar>(velocity_, momentum_, x_, eta * model_.lambda());
  addDataGradient(eta, velocity_);
  // v = m + u, selected in the same pass; m = v - c.
  VectorRefOf<Scalar> v = parts_.memory.accumulator();
  if (dense) {
    // Everything is sent, so masking would erase u: warm-up keeps it (heavy ball on the sum).
    addScaled<Scalar>(v, velocity_, 1.0);
    stepDense(v);
    return;
  }
  parts_.compressor->addScaledAndCompress(v, velocity_, 1.0, message_);
  sendMessage();
  // Momentum factor masking: what was sent stops pushing the coordinate it moved.
  for (const std::uint32_t j : message_.indices) {
    velocity_[j] = Scalar{0};
  }
  applyMessages();
}

template <typename Scalar>
void Trainer<Scalar>::stepHeavyBall(double eta, bool dense) {
  // g = scale * sum_r c_r as without momentum; u = beta u + g; x -= u.
  VectorRefOf<Scalar> v = parts_.memory.accumulator();
  addDataGradient(eta, v);
  for (Scalar& value : velocity_) {
    value = static_cast<Scalar>(momentum_ * value);  // in double, as the other path's decay
  }
  if (dense) {
    addScaled<Scalar>(v, x_, eta * model_.lambda());
    denseExchange_->exchange(v, parts_.memory.enabled(), counters_);
    // u - (-scale) * sum is u + g, rounded once (here and below).
    denseExchange_->subtractSum(-applyScale_, VectorRefOf<Scalar>(velocity_));
  } else {
    parts_.compressor->addScaledAndCompress(v, x_, eta * model_.lambda(), message_);
    sendMessage();
    subtractScaled(collective_->aggregate(), -applyScale_, VectorRefOf<Scalar>(velocity_));
  }
  averager_.beforeDenseUpdate(x_);
  x_ -= velocity_;
}

template <typename Scalar>
TrainerStatus Trainer<Scalar>::status() const {
  // The exchange that did not run has waited 0 s.
  return {steps_,
          samples_,
          static_cast<double>(samples_) / static_cast<double>(data_.globalRows()),
          learningRate(),
          counters_,
          (denseExchange_ ? denseExchange_->waitSeconds() : 0.0) + collective_->waitSeconds()};
}

template <typename Scalar>
TrainerState<Scalar> Trainer<Scalar>::state() const {
  TrainerState<Scalar> state{
      x_,        averager_.state(),      steps_,       samples_, parts_.memory.values(),
      velocity_, parts_.sampler.state(), std::nullopt, counters_};
  if (const Rng* rng = parts_.compressor->randomSource()) {
    state.compressionRng = rng->state();
  }
  return state;
}

template <typename Scalar>
void Trainer<Scalar>::restore(const TrainerState<Scalar>& state) {
  if (state.x.size() != x_.size() || state.memory.size() != x_.size()) {
    throw std::invalid_argument("trainer state of dimension " + std::to_string(state.x.size()) +
                                ", this trainer has " + std::to_string(x_.size()));
  }
  if (state.velocity.size() != velocity_.size()) {
    throw std::invalid_argument("trainer state with a velocity of dimension " +
                                std::to_string(state.velocity.size()) + ", this trainer's has " +
                                std::to_string(velocity_.size()));
  }
  Rng* rng = parts_.compressor->randomSource();
  if ((rng != nullptr) != state.compressionRng.has_value()) {
    throw std::invalid_argument("trainer state of a compressor with another kind of randomness");
  }
  parts_.sampler.restore(state.sampling);
  averager_.restore(state.averaging);
  x_ = state.x;
  parts_.memory.accumulator() = state.memory;
  velocity_ = state.velocity;
  if (rng != nullptr) {
    rng->setState(*state.compressionRng);
  }
  steps_ = state.steps;
  samples_ = state.samples;
  counters_ = state.counters;
}

template class Trainer<float>;
template class Trainer<double>;

}  // namespace memsgd
