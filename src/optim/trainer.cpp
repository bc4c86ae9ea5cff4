#include "memsgd/optim/trainer.hpp"

#include <stdexcept>
#include <string>

#include "memsgd/compress/compressor_factory.hpp"
#include "memsgd/compress/selection.hpp"

namespace memsgd {

ResolvedHyperParameters resolveHyperParameters(const RunConfig& config, std::uint64_t globalRows,
                                               std::uint64_t parameters) {
  const auto p = static_cast<double>(parameters);
  const bool sparsifying = isSparsifying(config.compression.method);
  const double defaultOffset =
      sparsifying ? p / static_cast<double>(resolveK(config.compression, parameters)) : p;
  return {resolveLambda(config.model.lambda, globalRows),
          config.optimizer.offset.value_or(defaultOffset)};
}

template <typename Scalar>
Trainer<Scalar>::Trainer(const RunConfig& config, const Communicator& comm,
                         const Model<Scalar>& model, const Dataset<Scalar>& train)
    : comm_(comm),
      model_(model),
      data_(train),
      hyper_(resolveHyperParameters(config, train.globalRows(), model.parameterCount())),
      learningRate_(config.optimizer.schedule, config.optimizer.gamma, hyper_.lambda, hyper_.offset,
                    config.optimizer.constantRate),
      compressor_(makeCompressor<Scalar>(config.compression, model.blockSizes(),
                                         config.optimizer.seed, comm.rank())),
      codec_(makeCodec(config.compression, config.communication)),
      memory_(static_cast<Eigen::Index>(model.parameterCount()), config.compression.memory),
      averager_(config.optimizer.averaging, static_cast<Eigen::Index>(model.parameterCount()),
                hyper_.offset),
      sampler_(static_cast<std::uint32_t>(train.rows()),
               Rng(config.optimizer.seed, static_cast<std::uint64_t>(comm.rank()),
                   static_cast<std::uint64_t>(RngPurpose::kSampling))),
      sparseExchange_(comm, *codec_),
      batchSize_(config.optimizer.batchSize),
      samplesPerStep_(static_cast<std::uint64_t>(comm.size()) * config.optimizer.batchSize),
      applyScale_(config.communication.aggregation == Aggregation::kMean
                      ? 1.0 / static_cast<double>(comm.size())
                      : 1.0),
      x_(VectorOf<Scalar>::Zero(static_cast<Eigen::Index>(model.parameterCount()))) {
  model_.initialize(config.optimizer.seed, x_);
  if (compressor_->isDense()) {
    denseExchange_.emplace(comm, config.communication.valueType);
  }
}

template <typename Scalar>
void Trainer<Scalar>::step() {
  const auto t = static_cast<double>(samples_);
  const double eta = learningRate_.at(t);
  // v = m + eta * grad f_i(x), with the regulariser's gradient included (Algorithm 1, line 4).
  VectorRefOf<Scalar> v = memory_.accumulator();
  model_.addScaledDataGradient(data_, x_, sampler_.next(batchSize_), eta, v);
  for (const std::uint32_t row : sampler_.upcoming(batchSize_)) {
    data_.prefetchRow(row);  // loads while this step compresses and exchanges
  }
  // The regulariser's gradient lambda*x is dense: it is added in the compressor's pass over v, or
  // in its own pass for dense SGD.
  if (compressor_->isDense()) {
    addScaled<Scalar>(v, x_, eta * model_.lambda());
    stepDense(v);
  } else {
    stepSparse(v, eta);
  }
  averager_.afterStep(t);
  ++steps_;
  comm_.noteStep(steps_);  // named by a timeout's message
  samples_ += samplesPerStep_;
}

template <typename Scalar>
void Trainer<Scalar>::stepDense(VectorRefOf<Scalar> v) {
  // c = v in wire precision, m = v - c, summed in place; no message, no indices.
  denseExchange_->exchange(v, memory_.enabled(), counters_);
  averager_.beforeDenseUpdate(x_);
  denseExchange_->subtractSum(applyScale_, VectorRefOf<Scalar>(x_));
}

template <typename Scalar>
void Trainer<Scalar>::stepSparse(VectorRefOf<Scalar> v, double eta) {
  // c = comp(v) in wire precision; m = v - c (Algorithm 1, lines 5-6).
  compressor_->addScaledAndCompress(v, x_, eta * model_.lambda(), message_);
  codec_->roundToWire(message_);
  memory_.retain(message_);
  sparseExchange_.exchange(message_, compressor_->fixedPairs(), counters_);
  // Fold every coordinate that will change before any of them changes, then apply in rank order.
  for (int r = 0; r < comm_.size(); ++r) {
    averager_.beforeSparseUpdate(sparseExchange_.received(r).indices, x_);
  }
  for (int r = 0; r < comm_.size(); ++r) {
    const SparseMessage& message = sparseExchange_.received(r);
    for (std::size_t i = 0; i < message.size(); ++i) {
      Scalar& value = x_[message.indices[i]];
      value = static_cast<Scalar>(value - applyScale_ * message.values[i]);
    }
  }
}

template <typename Scalar>
TrainerStatus Trainer<Scalar>::status() const {
  return {steps_,
          samples_,
          static_cast<double>(samples_) / static_cast<double>(data_.globalRows()),
          learningRate(),
          counters_,
          denseExchange_ ? denseExchange_->waitSeconds() : sparseExchange_.waitSeconds()};
}

template <typename Scalar>
TrainerState<Scalar> Trainer<Scalar>::state() const {
  TrainerState<Scalar> state{x_,           averager_.state(), steps_,
                             samples_,     memory_.values(),  sampler_.state(),
                             std::nullopt, counters_};
  if (const Rng* rng = compressor_->randomSource()) {
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
  Rng* rng = compressor_->randomSource();
  if ((rng != nullptr) != state.compressionRng.has_value()) {
    throw std::invalid_argument("trainer state of a compressor with another kind of randomness");
  }
  sampler_.restore(state.sampling);
  averager_.restore(state.averaging);
  x_ = state.x;
  memory_.accumulator() = state.memory;
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
