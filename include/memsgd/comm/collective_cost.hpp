#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "memsgd/compress/byte_counts.hpp"
#include "memsgd/compress/message_codec.hpp"
#include "memsgd/compress/sparse_message.hpp"
#include "memsgd/config/run_config.hpp"

namespace memsgd {

// The constants of the cost model (communication.collective = auto), in seconds.
struct CollectiveCosts {
  double alpha = 0.0;               // latency of one message round
  double betaPerByte = 0.0;         // per byte a rank receives
  double encodePerPair = 0.0;       // the codec's encode, per (index, value) pair
  double decodePerPair = 0.0;       // the codec's decode, per pair
  double applyPerPair = 0.0;        // adding one pair into a vector
  double densePerCoordinate = 0.0;  // zeroing one coordinate of a dense sum and applying it
};

// What one step exchanges: P ranks, each with a message of `pairs` pairs of the d coordinates,
// `message` bytes as the codec encodes it, and the dense wire's value bytes (value_type).
struct ExchangeShape {
  int ranks = 1;
  std::uint64_t dim = 0;
  std::uint64_t pairs = 0;
  ByteCounts message;
  bool sizesKnown = false;          // every message's bytes known in advance: no size gather
  std::size_t denseValueBytes = 4;  // fp32 4, fp64 8
};

// `pairs` pairs (at most dim) of values +-1 with scale 1, spread evenly over `dim` coordinates
// and rounded to `codec`'s wire: a message every codec encodes, standing for a step's.
SparseMessage evenlySpacedMessage(std::uint64_t dim, std::uint64_t pairs,
                                  const MessageCodec& codec);

// The shape of a step that sends `pairs` pairs per rank of `codec`'s messages: the message's
// bytes from an evenly spaced message's encoding (varint's gaps as top-k's may differ).
ExchangeShape exchangeShape(int ranks, std::uint64_t dim, std::uint64_t pairs, bool sizesKnown,
                            const MessageCodec& codec, ValueType valueType);

// Predicted seconds per step of each collective as implemented, with L = ceil(log2 P), m the
// message's bytes, k its pairs, d the dimension, vb the dense value bytes (P = 1: no MPI terms):
//   allgather        (1 or 2) alpha L + beta (P-1) (m [+ 4]) + k encode + P k (decode + apply)
//                    (the second round and the 4 bytes: the size gather, when sizes vary);
//   dense            2 alpha L + 2 beta vb d (P-1)/P + d dense + k apply
//                    (Rabenseifner's reduce-scatter + allgather; scatter into and apply from d);
//   split_allgather  2 alpha (P-1) + beta (P-1) (4 + m/P) + k encode + k (P-1)/P decode + k apply
//                    (the alltoall of sizes and alltoallv of slices, a k/P-pair slice per owner)
//                    + 2 alpha L + beta (P-1) (4 + r) + P q apply
//                    (the allgather of sizes and allgatherv of ranges): an owner's range of
//                    l = d/P coordinates has u = min(k, l) of them touched (no overlap assumed),
//                    sent as r = min(8 l, 12 u) bytes (fp64 sums, dense when that is no more
//                    bytes), q = l pairs when dense, else u, applied from each of the P ranges.
double predictAllgather(const ExchangeShape& shape, const CollectiveCosts& costs);
double predictDense(const ExchangeShape& shape, const CollectiveCosts& costs);
double predictSplitAllgather(const ExchangeShape& shape, const CollectiveCosts& costs);

// One candidate of communication.collective = auto: its prediction, and why makeCollective
// would refuse it for this run (empty: accepted).
struct CollectiveEstimate {
  CollectiveKind kind = CollectiveKind::kAllgather;
  double seconds = 0.0;
  std::string refusal;
};

// Every concrete collective's prediction, in kCollectives' order, none refused yet.
std::vector<CollectiveEstimate> estimateCollectives(const ExchangeShape& shape,
                                                    const CollectiveCosts& costs);

// The accepted candidate of fewest predicted seconds; the first in kCollectives' order on a tie
// (allgather, which carries every codec, is never refused).
CollectiveKind cheapestCollective(const std::vector<CollectiveEstimate>& estimates);

}  // namespace memsgd
