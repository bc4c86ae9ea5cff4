#pragma once

#include <chrono>
#include <optional>

#include "memsgd/mpi/wall_clock.hpp"

namespace memsgd {

// A run's two times, both continued across a resume: wall time since the run started, and the
// time of the steps alone, which is the step loop's time less the work done off the steps
// (evaluations, checkpoints), so that the steps themselves read no clock. Both are WallClock's:
// simulated time under SMPI.
class RunClock {
 public:
  // Starts the wall clock; the times before are those of the run being resumed.
  RunClock(double elapsedBefore, double stepSecondsBefore);

  // The step loop begins: step time counts from here.
  void startSteps();
  // Runs work and keeps its time out of the step time.
  template <typename Work>
  void offStep(Work&& work) {
    const auto workStart = Clock::now();
    work();
    offStepSeconds_ += secondsSince(workStart);
  }

  [[nodiscard]] double elapsedSeconds() const;
  [[nodiscard]] double stepSeconds() const;
  // Of the steps since this process started, without those of the run resumed.
  [[nodiscard]] double stepSecondsOfThisProcess() const;

 private:
  using Clock = WallClock;
  static double secondsSince(Clock::time_point start);

  Clock::time_point start_;
  double elapsedBefore_;
  double stepSecondsBefore_;
  std::optional<Clock::time_point> stepsStart_;
  double offStepSeconds_ = 0.0;
};

}  // namespace memsgd
