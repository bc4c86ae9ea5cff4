#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace memsgd {

// Ends the job when this rank has waited longer than a timeout in one collective: a peer that
// stops without dying (a frozen node, SIGSTOP, a debugger) would otherwise leave every other rank
// spinning in MPI until the allocation runs out. The MPI thread only marks where it enters and
// leaves a collective (two stores, no clock); a thread that sleeps between polls does the timing.
// That thread never calls MPI (MPI_THREAD_FUNNELED is enough): on a timeout it prints one line and
// ends this process with the MPI error code, and the launcher ends the other ranks. The flushed
// rows of a run file stay as a SIGKILL leaves them.
class CollectiveWatchdog {
 public:
  static constexpr double kStaggerSeconds = 2.0;

  explicit CollectiveWatchdog(int rank) : rank_(rank) {}
  ~CollectiveWatchdog();
  CollectiveWatchdog(const CollectiveWatchdog&) = delete;
  CollectiveWatchdog& operator=(const CollectiveWatchdog&) = delete;
  CollectiveWatchdog(CollectiveWatchdog&&) = delete;
  CollectiveWatchdog& operator=(CollectiveWatchdog&&) = delete;

  // Starts watching with `seconds` per collective (0: stops watching); `who` opens the message
  // (a tool's name). Rank r waits kStaggerSeconds * min(r, 3) longer than rank 0, so that when all
  // ranks time out the lowest live rank alone reports before the launcher ends the rest: ranks
  // start waiting up to a collective apart, and mpirun took over a second to end an
  // oversubscribed job here, so 1 s let a second rank report.
  void start(double seconds, std::string who);

  // The step the messages name: the last one this rank finished.
  void noteStep(std::uint64_t step) noexcept { step_.store(step, std::memory_order_relaxed); }
  // Marks entering and leaving `collective` (a string literal). Called by the MPI thread only.
  void enter(const char* collective) noexcept {
    collective_.store(collective, std::memory_order_relaxed);
    phase_.store(phase_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }
  void leave() noexcept {
    phase_.store(phase_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }

  // While it lives, its collective is watched.
  class Scope {
   public:
    Scope(CollectiveWatchdog& watchdog, const char* collective) : watchdog_(watchdog) {
      watchdog_.enter(collective);
    }
    ~Scope() { watchdog_.leave(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    Scope(Scope&&) = delete;
    Scope& operator=(Scope&&) = delete;

   private:
    CollectiveWatchdog& watchdog_;
  };

 private:
  void stop();
  void watch(std::chrono::duration<double> allowed, double timeoutSeconds, const std::string& who);

  int rank_;
  std::atomic<std::uint64_t> phase_{0};  // odd while inside a collective
  std::atomic<const char*> collective_{nullptr};
  std::atomic<std::uint64_t> step_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace memsgd
