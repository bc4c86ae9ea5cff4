#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "memsgd/config/run_config.hpp"

namespace memsgd {

// Stops a diverged run on every rank with the same message (AgreedError, exit 1): every rank sees
// the same reduced loss and the same replicated x, so all stop together.
class DivergenceCheck {
 public:
  // checkedFrom: the sample count from which log.divergence_factor applies (one epoch).
  // startLoss is the objective at step 0, kept by the caller's checkpoint progress so that a
  // resumed run compares with the same value; set here on a run's first evaluation unless it
  // resumes.
  DivergenceCheck(const RunConfig& config, double rowNormSquared, std::uint64_t checkedFrom,
                  bool resuming, double& startLoss);

  // Each new objective at x_bar: not finite, or above the factor times the start value.
  void checkObjective(double loss, std::uint64_t steps, std::uint64_t samples);
  // Before a checkpoint: it never holds a state an evaluation would show to have diverged.
  void checkIterate(bool finite, std::uint64_t steps) const;
  // After a run that ended before checkedFrom: a warning on out when its last objective is above
  // the factor, since it was never held to it.
  void warnIfUnchecked(double loss, std::uint64_t samples, std::ostream& out) const;

 private:
  [[noreturn]] void stop(const std::string& what, std::uint64_t steps) const;

  const RunConfig& config_;
  double rowNormSquared_;
  std::uint64_t checkedFrom_;
  bool resuming_;
  double& startLoss_;
};

}  // namespace memsgd
