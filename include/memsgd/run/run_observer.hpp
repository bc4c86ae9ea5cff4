#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "memsgd/run/run_clock.hpp"

namespace memsgd {

// A part of a run that acts between steps: at the start, whenever the sample count reaches the
// count it asks for next, and at the end. A new one is one new class added to RunObservers.
class RunObserver {
 public:
  virtual ~RunObserver() = default;

  // Before the first step (not on a resumed run's steps' time).
  virtual void atStart() {}
  // The sample count at which onSchedule is next due.
  [[nodiscard]] virtual std::uint64_t nextDue() const = 0;
  // Once samples >= nextDue(); moves nextDue() past samples.
  virtual void onSchedule(std::uint64_t samples) = 0;
  // After the last step.
  virtual void atEnd() {}
};

// The observers of one run. The step loop compares the sample count with nextDue() alone, so
// that no observer is called on a step where none is due (the steps must not get slower). Each
// observer's work on schedule and at the end is kept out of the clock's step time on its own, so
// that the next one reads a step time without it.
class RunObservers {
 public:
  static constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();

  explicit RunObservers(RunClock& clock) : clock_(clock) {}

  void add(RunObserver& observer);

  // The earliest count any observer is due at.
  [[nodiscard]] std::uint64_t nextDue() const { return nextDue_; }

  // In the order added, before the clock's steps start.
  void atStart();
  // The observers due at samples, in the order added.
  void onSchedule(std::uint64_t samples);
  // In reverse order, as scopes close: an observer that saves what the earlier ones produced on
  // schedule (the checkpoint saves the run file's rows) saves before they close (the closing
  // row, off the schedule, which a resumed run must not find).
  void atEnd();

 private:
  void updateNextDue();

  RunClock& clock_;
  std::vector<RunObserver*> observers_;
  std::uint64_t nextDue_ = kNever;
};

}  // namespace memsgd
