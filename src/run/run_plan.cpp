#include "memsgd/run/run_plan.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>

#include "memsgd/compress/compressor_factory.hpp"
#include "memsgd/log/console.hpp"

namespace memsgd {

RunPlan planRun(const RunConfig& config, std::uint64_t globalRows, std::uint64_t parameters) {
  return {static_cast<std::uint64_t>(
              std::ceil(config.optimizer.epochs * static_cast<double>(globalRows))),
          config.log.evalEvery.value_or(std::max<std::uint64_t>(globalRows / 10, 1)),
          resolveK(config.compression, parameters)};
}

void printStart(const RunConfig& config, const Communicator& comm, std::ostream& console,
                const RunPlan& plan, std::uint64_t globalRows, std::uint64_t dim,
                std::uint64_t parameters) {
  if (comm.rank() == 0 && !config.log.quiet) {
    console << formatStart({config.compression.method, isSparsifying(config.compression.method),
                            plan.k, config.compression.memory, comm.size(), globalRows, dim,
                            parameters})
            << std::endl;
  }
}

}  // namespace memsgd
