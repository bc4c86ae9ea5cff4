#include "memsgd/mpi/collective_watchdog.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "memsgd/core/error.hpp"

namespace memsgd {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Stays in one collective far longer than any timeout below, then leaves with exit code 0.
void waitInOneCollective(int rank, double timeoutSeconds) {
  CollectiveWatchdog watchdog(rank);
  watchdog.start(timeoutSeconds, "memsgd-test");
  watchdog.noteStep(41);
  const CollectiveWatchdog::Scope watched(watchdog, "the step's exchange");
  std::this_thread::sleep_for(std::chrono::seconds(10));
  std::exit(0);
}

TEST(CollectiveWatchdogDeathTest, EndsTheProcessOnceACollectiveOutlastsTheTimeout) {
  const Clock::time_point start = Clock::now();
  EXPECT_EXIT(waitInOneCollective(0, 0.2), ::testing::ExitedWithCode(kExitMpiError),
              "^memsgd-test: error on rank 0: waited more than communication.timeout_s = 0.2 s in "
              "the step's exchange after step 41: another rank stopped responding \\(stopped, "
              "frozen or stuck\\); ending the job");
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
}

TEST(CollectiveWatchdogDeathTest, LaterRanksWaitLongerSoThatOneReports) {
  const Clock::time_point start = Clock::now();
  EXPECT_EXIT(waitInOneCollective(2, 0.2), ::testing::ExitedWithCode(kExitMpiError),
              "error on rank 2: waited more than communication.timeout_s = 0.2 s");
  EXPECT_GE(Clock::now() - start, milliseconds(4200));
}

TEST(CollectiveWatchdog, TimesEachCollectiveNotTheirSumNorTheTimeBetween) {
  CollectiveWatchdog watchdog(0);
  watchdog.start(0.1, "memsgd-test");
  // 0.6 s in collectives of 20 ms each, and 0.3 s outside any: no timeout.
  for (int i = 0; i < 30; ++i) {
    const CollectiveWatchdog::Scope watched(watchdog, "the step's exchange");
    std::this_thread::sleep_for(milliseconds(20));
  }
  std::this_thread::sleep_for(milliseconds(300));
  SUCCEED();
}

// When this process itself was stopped, the time it lost is not the others' fault: after it is
// continued inside a collective, the wait starts again.
TEST(CollectiveWatchdog, AProcessStoppedItselfDoesNotBlameThePeers) {
  CollectiveWatchdog watchdog(0);
  watchdog.start(0.2, "memsgd-test");
  const CollectiveWatchdog::Scope watched(watchdog, "the step's exchange");
  const pid_t parent = getpid();
  const pid_t waker = fork();
  ASSERT_GE(waker, 0);
  if (waker == 0) {
    usleep(1000000);
    kill(parent, SIGCONT);
    _exit(0);
  }
  std::this_thread::sleep_for(milliseconds(100));  // the watchdog has seen the collective
  raise(SIGSTOP);                                  // 1 s stopped, then continued by the waker
  std::this_thread::sleep_for(milliseconds(50));
  int status = 0;
  waitpid(waker, &status, 0);
  SUCCEED();
}

TEST(CollectiveWatchdog, ZeroTurnsItOff) {
  CollectiveWatchdog watchdog(0);
  watchdog.start(0.1, "memsgd-test");
  watchdog.start(0.0, "memsgd-test");
  const CollectiveWatchdog::Scope watched(watchdog, "the step's exchange");
  std::this_thread::sleep_for(milliseconds(400));
  SUCCEED();
}

}  // namespace
}  // namespace memsgd
