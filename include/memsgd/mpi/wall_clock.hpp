#pragma once

#include <chrono>
#include <type_traits>

#include <mpi.h>

#include "memsgd/mpi/smpi_build.hpp"

namespace memsgd {

// MPI_Wtime as a std::chrono clock. Under SMPI it reads the simulated platform's time; a real
// clock there would time the simulator, which runs every rank in turn on this machine.
struct MpiWtimeClock {
  using rep = double;
  using period = std::ratio<1>;
  using duration = std::chrono::duration<rep, period>;
  using time_point = std::chrono::time_point<MpiWtimeClock>;
  static constexpr bool is_steady = true;

  static time_point now() noexcept { return time_point(duration(MPI_Wtime())); }
};

// The clock of the times a run reports (load, steps, wall): the simulated one under SMPI, the
// steady clock otherwise (so a normal build is timed as before, MPI initialised or not).
using WallClock = std::conditional_t<kSmpiBuild, MpiWtimeClock, std::chrono::steady_clock>;

// Adds the WallClock seconds from its making to its end to `total`: how long a rank waited in the
// collectives of one scope (two clock reads).
class ScopedSeconds {
 public:
  explicit ScopedSeconds(double& total) : total_(total), start_(WallClock::now()) {}
  ~ScopedSeconds() { total_ += std::chrono::duration<double>(WallClock::now() - start_).count(); }
  ScopedSeconds(const ScopedSeconds&) = delete;
  ScopedSeconds& operator=(const ScopedSeconds&) = delete;
  ScopedSeconds(ScopedSeconds&&) = delete;
  ScopedSeconds& operator=(ScopedSeconds&&) = delete;

 private:
  double& total_;
  WallClock::time_point start_;
};

}  // namespace memsgd
