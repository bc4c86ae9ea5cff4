#pragma once

#include <cstdint>

#include "memsgd/comm/comm_counters.hpp"

namespace memsgd {

// Where a trainer stands, whatever its precision: what the run file logs.
struct TrainerStatus {
  std::uint64_t steps = 0;
  std::uint64_t samples = 0;  // t
  double epoch = 0.0;         // t / n
  double learningRate = 0.0;  // eta_t for the next step
  CommCounters counters;      // this rank's
  double waitSeconds = 0.0;   // this rank's, in the step's exchange, since this process started
};

}  // namespace memsgd
