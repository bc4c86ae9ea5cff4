#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "memsgd/comm/comm_counters.hpp"
#include "memsgd/comm/dense_exchange.hpp"
#include "memsgd/comm/sparse_exchange.hpp"
#include "memsgd/compress/compressor.hpp"
#include "memsgd/compress/error_memory.hpp"
#include "memsgd/compress/message_codec.hpp"
#include "memsgd/config/run_config.hpp"
#include "memsgd/data/dataset.hpp"
#include "memsgd/data/shard_sampler.hpp"
#include "memsgd/model/model.hpp"
#include "memsgd/mpi/communicator.hpp"
#include "memsgd/optim/averager.hpp"
#include "memsgd/optim/learning_rate.hpp"
#include "memsgd/optim/trainer_state.hpp"
#include "memsgd/optim/trainer_status.hpp"

namespace memsgd {

// Hyper-parameters that depend on the data, resolved from the config's "auto" values.
struct ResolvedHyperParameters {
  double lambda;  // resolveLambda()
  double offset;  // the paper's a: p/k for sparsifying compressors, p otherwise, unless configured
};
// `parameters` is the model's p, the size of x that k and a refer to.
ResolvedHyperParameters resolveHyperParameters(const RunConfig& config, std::uint64_t globalRows,
                                               std::uint64_t parameters);

// Mem-SGD on one rank (Algorithm 2 of the paper, run by every rank in lockstep). x is replicated:
// every rank applies the same P messages in rank order, so replicas stay bitwise identical.
// Scalar (model.precision: float or double) is the type of x, the memory and the data values;
// learning rates, averaging weights and messages are double. x, the memory, the compressor and
// the exchange work on the model's flat parameter vector (p values), whatever the model.
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
    return learningRate_.at(static_cast<double>(samples_));
  }
  [[nodiscard]] const ResolvedHyperParameters& hyperParameters() const { return hyper_; }
  [[nodiscard]] TrainerStatus status() const;
  [[nodiscard]] TrainerState<Scalar> state() const;
  // Continues from `state` (taken from a trainer of the same configuration, rank and shard);
  // throws std::invalid_argument when its sizes do not fit.
  void restore(const TrainerState<Scalar>& state);

 private:
  // The rest of a step once v = m + eta * grad f_i(x) holds the data term.
  void stepDense(VectorRefOf<Scalar> v);
  void stepSparse(VectorRefOf<Scalar> v, double eta);

  const Communicator& comm_;
  const Model<Scalar>& model_;
  const Dataset<Scalar>& data_;
  ResolvedHyperParameters hyper_;
  LearningRate learningRate_;
  std::unique_ptr<Compressor<Scalar>> compressor_;
  std::unique_ptr<MessageCodec> codec_;
  ErrorMemory<Scalar> memory_;
  Averager<Scalar> averager_;
  ShardSampler sampler_;
  SparseExchange sparseExchange_;
  std::optional<DenseExchange> denseExchange_;  // for the dense compressor only
  std::uint32_t batchSize_;
  std::uint64_t samplesPerStep_;
  double applyScale_;  // 1 for sum aggregation, 1/P for mean
  VectorOf<Scalar> x_;
  SparseMessage message_;
  CommCounters counters_;
  std::uint64_t steps_ = 0;
  std::uint64_t samples_ = 0;
};

}  // namespace memsgd
