#pragma once

#include <memory>

#include "memsgd/compress/compressor.hpp"
#include "memsgd/compress/error_memory.hpp"
#include "memsgd/compress/message_codec.hpp"
#include "memsgd/config/run_config.hpp"
#include "memsgd/data/dataset.hpp"
#include "memsgd/data/shard_sampler.hpp"
#include "memsgd/model/model.hpp"
#include "memsgd/optim/hyper_parameters.hpp"
#include "memsgd/optim/learning_rate.hpp"

namespace memsgd {

// What one rank's Mem-SGD step is made of in every communication.mode: the hyper-parameters and
// the learning rate they give, the compressor and the wire rounding of its values, the error
// memory and the rank's sampler over its shard.
template <typename Scalar>
struct RankComponents {
  RankComponents(const RunConfig& config, int rank, const Model<Scalar>& model,
                 const Dataset<Scalar>& train);

  ResolvedHyperParameters hyper;
  LearningRate learningRate;
  std::unique_ptr<Compressor<Scalar>> compressor;
  std::unique_ptr<MessageCodec> codec;
  ErrorMemory<Scalar> memory;
  ShardSampler sampler;
};

}  // namespace memsgd
