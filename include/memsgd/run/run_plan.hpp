#pragma once

#include <cstdint>
#include <iosfwd>

#include "memsgd/config/run_config.hpp"
#include "memsgd/mpi/communicator.hpp"

namespace memsgd {

// What a run of either communication.mode is to do, from the config and the data's sizes.
struct RunPlan {
  std::uint64_t totalSamples;  // ceil(epochs n): the steps' t at which the run ends
  std::uint64_t evalEvery;     // samples between run file rows
  std::uint64_t k;             // compression.k in force
};
RunPlan planRun(const RunConfig& config, std::uint64_t globalRows, std::uint64_t parameters);

// Rank 0's opening line, unless log.quiet.
void printStart(const RunConfig& config, const Communicator& comm, std::ostream& console,
                const RunPlan& plan, std::uint64_t globalRows, std::uint64_t dim,
                std::uint64_t parameters);

}  // namespace memsgd
