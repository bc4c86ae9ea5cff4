#include "memsgd/optim/hyper_parameters.hpp"

#include "memsgd/compress/compressor_factory.hpp"
#include "memsgd/model/model.hpp"

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

}  // namespace memsgd
