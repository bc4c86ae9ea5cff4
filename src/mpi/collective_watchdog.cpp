#include "memsgd/mpi/collective_watchdog.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "memsgd/core/error.hpp"
#include "memsgd/mpi/smpi_build.hpp"

namespace memsgd {

CollectiveWatchdog::~CollectiveWatchdog() { stop(); }

void CollectiveWatchdog::start(double seconds, std::string who) {
  stop();
  // Under SMPI there is no second thread to watch with (MPI_THREAD_SINGLE, every rank a context
  // of one process): the run's communication.timeout_s must be 0 there (cli refuses others).
  if (seconds <= 0.0 || kSmpiBuild) {
    return;
  }
  const std::chrono::duration<double> allowed(seconds + kStaggerSeconds * std::min(rank_, 3));
  stopping_ = false;
  thread_ =
      std::thread([this, allowed, seconds, who = std::move(who)] { watch(allowed, seconds, who); });
}

void CollectiveWatchdog::stop() {
  if (!thread_.joinable()) {
    return;
  }
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void CollectiveWatchdog::watch(std::chrono::duration<double> allowed, double timeoutSeconds,
                               const std::string& who) {
  using Clock = std::chrono::steady_clock;
  // Polls often enough that a timeout is met within 5% of it (10 ms to 1 s).
  const auto poll = std::clamp<std::chrono::duration<double>>(
      allowed / 20, std::chrono::milliseconds(10), std::chrono::seconds(1));
  std::uint64_t seen = phase_.load(std::memory_order_acquire);
  Clock::time_point since = Clock::now();
  Clock::time_point polled = since;
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, poll, [this] { return stopping_; })) {
    const std::uint64_t phase = phase_.load(std::memory_order_acquire);
    const Clock::time_point now = Clock::now();
    // A poll far later than due: this process itself was stopped (or starved) meanwhile, and
    // must not blame the others for the time it lost; its wait starts again.
    const bool wasStopped = now - polled > 2 * poll + std::chrono::milliseconds(500);
    polled = now;
    if (phase != seen || wasStopped) {
      seen = phase;
      since = now;
    } else if (phase % 2 == 1 && now - since >= allowed) {
      // The MPI thread is stuck in the collective it named last: nothing else can end the job.
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%g", timeoutSeconds);
      const std::string line = who + ": error on rank " + std::to_string(rank_) +
                               ": waited more than communication.timeout_s = " + seconds +
                               " s in " + collective_.load(std::memory_order_relaxed) +
                               " after step " +
                               std::to_string(step_.load(std::memory_order_relaxed)) +
                               ": another rank stopped responding (stopped, frozen or stuck); "
                               "ending the job\n";
      std::fputs(line.c_str(), stderr);
      std::fflush(stderr);
      std::_Exit(kExitMpiError);
    }
  }
}

}  // namespace memsgd
