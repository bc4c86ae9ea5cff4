#pragma once

#include <cstdint>

#include "memsgd/compress/byte_counts.hpp"

namespace memsgd {

// Cumulative traffic of one rank under the logical fan-out model: a payload that reaches all
// P - 1 peers counts (P - 1) times as sent by its owner and once as received by each peer.
struct CommCounters {
  ByteCounts sent;
  ByteCounts received;
  // The paper's convention, no fan-out: 64 bits per (index, value) pair and 64 * d per dense
  // vector, for the message this rank contributes.
  std::uint64_t paperBits = 0;
  // Coordinates this rank sent (pairs of sparse messages, d per dense vector): the k' of
  // compressors whose message size varies.
  std::uint64_t pairs = 0;
};

}  // namespace memsgd
