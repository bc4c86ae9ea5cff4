#pragma once

#include <cstdint>

#include "memsgd/config/run_config.hpp"

namespace memsgd {

// Hyper-parameters that depend on the data, resolved from the config's "auto" values.
struct ResolvedHyperParameters {
  double lambda;  // resolveLambda()
  double offset;  // the paper's a: p/k for sparsifying compressors, p otherwise, unless configured
};
// `parameters` is the model's p, the size of x that k and a refer to.
ResolvedHyperParameters resolveHyperParameters(const RunConfig& config, std::uint64_t globalRows,
                                               std::uint64_t parameters);

}  // namespace memsgd
