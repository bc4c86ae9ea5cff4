#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

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

  CommCounters& operator+=(const CommCounters& other);
};

// The one named list of counters: their names in the run file (columns and per-rank columns),
// and their order when ranks gather them and in the checkpoint's per-rank words. `counters` is
// a CommCounters or a const one; visit(name, counter) is called for each, in order.
template <typename Counters, typename Visit>
constexpr void forEachCounter(Counters& counters, Visit&& visit) {
  visit("index_bytes_sent", counters.sent.index);
  visit("value_bytes_sent", counters.sent.value);
  visit("header_bytes_sent", counters.sent.header);
  visit("index_bytes_received", counters.received.index);
  visit("value_bytes_received", counters.received.value);
  visit("header_bytes_received", counters.received.header);
  visit("paper_bits", counters.paperBits);
  visit("pairs_sent", counters.pairs);
}

inline constexpr std::size_t kCommCounterCount = [] {
  const CommCounters counters;
  std::size_t count = 0;
  forEachCounter(counters, [&count](const char*, std::uint64_t) { ++count; });
  return count;
}();

// The counters as words in the list's order, and back.
[[nodiscard]] std::array<std::uint64_t, kCommCounterCount> toWords(const CommCounters& counters);
[[nodiscard]] CommCounters fromWords(std::span<const std::uint64_t, kCommCounterCount> words);

}  // namespace memsgd
