#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "memsgd/comm/collective.hpp"
#include "memsgd/comm/comm_counters.hpp"
#include "memsgd/comm/dense_exchange.hpp"
#include "memsgd/compress/compressor.hpp"
#include "memsgd/compress/error_memory.hpp"
#include "memsgd/compress/message_codec.hpp"
#include "memsgd/config/run_config.hpp"
#include "memsgd/data/dataset.hpp"
#include "memsgd/data/shard_sampler.hpp"
#include "memsgd/model/model.hpp"
#include "memsgd/mpi/communicator.hpp"
#include "memsgd/optim/averager.hpp"
#include "memsgd/optim/hyper_parameters.hpp"
#include "memsgd/optim/learning_rate.hpp"
#include "memsgd/optim/rank_components.hpp"
#include "memsgd/optim/trainer_state.hpp"
#include "memsgd/optim/trainer_status.hpp"

namespace memsgd {

// Mem-SGD on one rank (Algorithm 2 of the paper, run by every rank in lockstep). x is replicated:
// every rank applies the same aggregate of the P messages (communication.collective) in the same
// order, so replicas stay bitwise identical.
// Scalar (model.precision: float or double) is the type of x, the memory and the data values;
// learning rates, averaging weights and messages are double. x, the memory, the compressor and
// the exchange work on the model's flat parameter vector (p values), whatever the model.
//
// optimizer.momentum = beta > 0 adds a velocity u (Scalar, p values, this rank's own), in one of
// two forms; both keep eta inside u, since the messages already carry eta (the memory holds
// eta-scaled values), so a rate that changes does not rescale the velocity of past steps:
// - momentum correction (Deep Gradient Compression, Lin et al. 2018), with memory and a method
//   that sends k coordinates: u = beta u + eta (grad f_i(x) + lambda x); v = m + u; c = comp(v);
//   m = v - c; u = 0 where c was sent (momentum factor masking). DGC's accumulator v_t is memsgd's
//   v; its residual v_{t-1} is the memory m.
// - heavy ball on the exchanged update, otherwise (no memory, dense SGD, sign or qsgd): Mem-SGD's
//   step computes the applied update g = scale * sum_r c_r as it would without momentum (eta and
//   lambda x inside each c_r), then u = beta u + g; x -= u. u is then the same on every rank.
// compression.warmup_steps: the first steps send all of v with the DenseExchange (the memory keeps
// only the wire's rounding, as dense SGD's; flushed otherwise); under momentum correction u is then
// not masked, which makes those steps heavy ball on the sum of the ranks' velocities.
template <typename Scalar>
class Trainer {
 public:
  // `model` and `train` must outlive the trainer.
  Trainer(const RunConfig& config, const Communicator& comm, const Model<Scalar>& model,
          const Dataset<Scalar>& train);

  // One synchronous step: P * batch_size samples in total. Collective.
  void step();

  [[nodiscard]] std::uint64_t steps() const { return steps_; }
  // t: samples processed by all ranks so far.
  [[nodiscard]] std::uint64_t samples() const { return samples_; }
  [[nodiscard]] const VectorOf<Scalar>& x() const { return x_; }
  // The averaged iterate that losses are reported at.
  void averagedIterate(VectorOf<Scalar>& out) const { averager_.average(x_, out); }
  [[nodiscard]] const CommCounters& counters() const { return counters_; }
  [[nodiscard]] const Model<Scalar>& model() const { return model_; }
  [[nodiscard]] double learningRate() const {
    return parts_.learningRate.at(static_cast<double>(samples_));
  }
  [[nodiscard]] const ResolvedHyperParameters& hyperParameters() const { return parts_.hyper; }
  [[nodiscard]] TrainerStatus status() const;
  [[nodiscard]] TrainerState<Scalar> state() const;
  // Continues from `state` (taken from a trainer of the same configuration, rank and shard);
  // throws std::invalid_argument when its sizes do not fit.
  void restore(const TrainerState<Scalar>& state);

 private:
  // out += eta * (data term's gradient at x) for this step's rows; prefetches the next ones.
  void addDataGradient(double eta, VectorRefOf<Scalar> out);
  // The rest of a step once v = m + eta * grad f_i(x) holds the data term.
  void stepDense(VectorRefOf<Scalar> v);
  void stepSparse(VectorRefOf<Scalar> v, double eta);
  // c = message_ in wire precision, m = v - c, and every rank's c exchanged.
  void sendMessage();
  // x -= scale * (the collective's aggregate), its parts in order.
  void applyMessages();
  // A step with optimizer.momentum > 0 (`dense`: exchanged with the DenseExchange).
  void stepCorrected(double eta, bool dense);
  void stepHeavyBall(double eta, bool dense);

  const Communicator& comm_;
  const Model<Scalar>& model_;
  const Dataset<Scalar>& data_;
  RankComponents<Scalar> parts_;
  Averager<Scalar> averager_;
  std::unique_ptr<Collective> collective_;
  std::optional<DenseExchange> denseExchange_;  // for the dense compressor and warm-up steps
  std::uint32_t batchSize_;
  std::uint64_t samplesPerStep_;
  double applyScale_;  // 1 for sum aggregation, 1/P for mean
  std::uint64_t warmupSteps_;
  double momentum_;            // beta; 0: none, and no velocity
  bool correctedMomentum_;     // DGC's form rather than heavy ball on the exchanged update
  VectorOf<Scalar> velocity_;  // u; empty without momentum
  VectorOf<Scalar> x_;
  SparseMessage message_;
  CommCounters counters_;
  std::uint64_t steps_ = 0;
  std::uint64_t samples_ = 0;
};

}  // namespace memsgd
