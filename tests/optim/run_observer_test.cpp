#include "memsgd/run/run_observer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "memsgd/run/run_clock.hpp"

namespace memsgd {
namespace {

// Notes each call in a shared log; due every `every` samples from `every` on.
class NotingObserver final : public RunObserver {
 public:
  NotingObserver(char name, std::uint64_t every, std::vector<std::string>& log)
      : name_(name), every_(every), next_(every), log_(log) {}

  void atStart() override { log_.push_back(std::string("start ") + name_); }
  [[nodiscard]] std::uint64_t nextDue() const override { return next_; }
  void onSchedule(std::uint64_t samples) override {
    log_.push_back(std::string(1, name_) + " " + std::to_string(samples));
    while (next_ <= samples) {
      next_ += every_;
    }
  }
  void atEnd() override { log_.push_back(std::string("end ") + name_); }

 private:
  char name_;
  std::uint64_t every_;
  std::uint64_t next_;
  std::vector<std::string>& log_;
};

TEST(RunObservers, CallsOnlyTheDueOnesInOrderAndEndsInReverse) {
  RunClock clock(0.0, 0.0);
  RunObservers observers(clock);
  EXPECT_EQ(observers.nextDue(), RunObservers::kNever);
  std::vector<std::string> log;
  NotingObserver a('a', 4, log);
  NotingObserver b('b', 6, log);
  observers.add(a);
  observers.add(b);
  observers.atStart();
  clock.startSteps();
  // A loop of 3 samples per step, as the training loop consults them.
  for (std::uint64_t samples = 3; samples <= 12; samples += 3) {
    if (samples >= observers.nextDue()) {
      observers.onSchedule(samples);
    }
  }
  observers.atEnd();
  EXPECT_EQ(log, (std::vector<std::string>{"start a", "start b", "a 6", "b 6", "a 9", "a 12",
                                           "b 12", "end b", "end a"}));
  EXPECT_EQ(observers.nextDue(), 16U);
}

// Reads the step time when called, then works for a while.
class SlowObserver final : public RunObserver {
 public:
  explicit SlowObserver(const RunClock& clock) : clock_(clock) {}
  [[nodiscard]] std::uint64_t nextDue() const override { return 1; }
  void onSchedule(std::uint64_t /*samples*/) override {
    stepSecondsSeen.push_back(clock_.stepSeconds());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::vector<double> stepSecondsSeen;

 private:
  const RunClock& clock_;
};

// Each observer's work is off the steps by itself: the second one due at a count must not see the
// first one's work as step time (the run file's step_s and the checkpoint's depend on it).
TEST(RunObservers, EachObserversWorkIsKeptOutOfTheStepTimeOnItsOwn) {
  RunClock clock(0.0, 0.0);
  RunObservers observers(clock);
  SlowObserver first(clock);
  SlowObserver second(clock);
  observers.add(first);
  observers.add(second);
  clock.startSteps();
  observers.onSchedule(1);
  ASSERT_EQ(second.stepSecondsSeen.size(), 1U);
  EXPECT_LT(second.stepSecondsSeen[0], 0.1);
  EXPECT_LT(clock.stepSeconds(), 0.1);
  EXPECT_GE(clock.elapsedSeconds(), 0.4);
}

}  // namespace
}  // namespace memsgd
