#pragma once

#include <cstdint>

#include "memsgd/comm/collective_cost.hpp"
#include "memsgd/compress/message_codec.hpp"
#include "memsgd/config/run_config.hpp"
#include "memsgd/mpi/communicator.hpp"

namespace memsgd {

// The cost model's constants for this run, and what finding them cost.
struct Calibration {
  CollectiveCosts costs;
  bool measured = false;  // some constant was timed (false: all given in the config)
  double seconds = 0.0;   // the slowest rank's time spent timing (WallClock)
};

// Collective. The constants `given` fixes (communication.alpha_s, ...) as given; the others timed
// on this machine: alpha and beta fitted to MPI_Allgathers of 8 and 64 Ki bytes per rank
// (t = alpha L + beta (P-1) bytes; P = 1 has no peers and leaves both 0), and `codec`'s encode and
// decode, the apply of pairs and of a dense sum in loops over 4 Ki to 32 Ki pairs and 64 Ki
// coordinates, each the median of a few repeats. Every rank ends with the same constants: each
// measured one is the maximum over the ranks.
Calibration calibrateCosts(const Communicator& comm, const MessageCodec& codec,
                           const CommunicationConfig& given, std::uint64_t dim,
                           std::uint64_t pairs);

}  // namespace memsgd
