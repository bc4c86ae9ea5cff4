#include "memsgd/optim/rank_components.hpp"

#include <cstdint>

#include "memsgd/compress/compressor_factory.hpp"
#include "memsgd/util/random.hpp"

namespace memsgd {

template <typename Scalar>
RankComponents<Scalar>::RankComponents(const RunConfig& config, int rank,
                                       const Model<Scalar>& model, const Dataset<Scalar>& train)
    : hyper(resolveHyperParameters(config, train.globalRows(), model.parameterCount())),
      learningRate(config.optimizer, hyper.lambda, hyper.offset, train.globalRows()),
      compressor(makeCompressor<Scalar>(config.compression, model.blockSizes(),
                                        config.optimizer.seed, rank)),
      codec(makeCodec(config.compression, config.communication)),
      memory(static_cast<Eigen::Index>(model.parameterCount()), config.compression.memory),
      sampler(static_cast<std::uint32_t>(train.rows()),
              Rng(config.optimizer.seed, static_cast<std::uint64_t>(rank),
                  static_cast<std::uint64_t>(RngPurpose::kSampling))) {}

template struct RankComponents<float>;
template struct RankComponents<double>;

}  // namespace memsgd
