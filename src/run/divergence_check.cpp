#include "memsgd/run/divergence_check.hpp"

#include <cmath>

#include "memsgd/mpi/communicator.hpp"
#include "memsgd/run/run_checks.hpp"

namespace memsgd {

DivergenceCheck::DivergenceCheck(const RunConfig& config, double rowNormSquared,
                                 std::uint64_t checkedFrom, bool resuming, double& startLoss)
    : config_(config),
      rowNormSquared_(rowNormSquared),
      checkedFrom_(checkedFrom),
      resuming_(resuming),
      startLoss_(startLoss) {}

void DivergenceCheck::checkObjective(double loss, std::uint64_t steps, std::uint64_t samples) {
  if (!resuming_ && steps == 0) {
    startLoss_ = loss;
  }
  if (!std::isfinite(loss)) {
    stop("the objective is " + shortNumber(loss), steps);
  }
  // Not in the first epoch: the decay rate starts at gamma/(lambda a), and the paper's own
  // rand-1 on a9a passes 200x its start value there before it converges.
  const double factor = config_.log.divergenceFactor;
  if (factor > 0.0 && samples >= checkedFrom_ && loss > factor * startLoss_) {
    stop("the objective " + shortNumber(loss) + " exceeds log.divergence_factor = " +
             shortNumber(factor) + " times its start value " + shortNumber(startLoss_),
         steps);
  }
}

void DivergenceCheck::checkIterate(bool finite, std::uint64_t steps) const {
  if (!finite) {
    stop("x is not finite", steps);
  }
}

void DivergenceCheck::warnIfUnchecked(double loss, std::uint64_t samples, std::ostream& out) const {
  const double factor = config_.log.divergenceFactor;
  if (factor > 0.0 && samples < checkedFrom_ && loss > factor * startLoss_) {
    out << "warning: the objective " + shortNumber(loss) +
               " is above log.divergence_factor = " + shortNumber(factor) +
               " times its start value " + shortNumber(startLoss_) +
               ", unchecked in a run shorter than one epoch; " +
               divergenceHint(config_, rowNormSquared_) + "\n"
        << std::flush;
  }
}

void DivergenceCheck::stop(const std::string& what, std::uint64_t steps) const {
  throw AgreedError("training diverged after step " + std::to_string(steps) + ": " + what + "; " +
                        divergenceHint(config_, rowNormSquared_),
                    0, kExitRuntimeError);
}

}  // namespace memsgd
