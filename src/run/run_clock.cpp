#include "memsgd/run/run_clock.hpp"

namespace memsgd {

RunClock::RunClock(double elapsedBefore, double stepSecondsBefore)
    : start_(Clock::now()), elapsedBefore_(elapsedBefore), stepSecondsBefore_(stepSecondsBefore) {}

void RunClock::startSteps() { stepsStart_ = Clock::now(); }

double RunClock::elapsedSeconds() const { return elapsedBefore_ + secondsSince(start_); }

double RunClock::stepSeconds() const {
  return stepSecondsBefore_ + (stepsStart_ ? secondsSince(*stepsStart_) - offStepSeconds_ : 0.0);
}

double RunClock::stepSecondsOfThisProcess() const { return stepSeconds() - stepSecondsBefore_; }

double RunClock::secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace memsgd
