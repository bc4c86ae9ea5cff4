#include "memsgd/comm/comm_counters.hpp"

namespace memsgd {

CommCounters& CommCounters::operator+=(const CommCounters& other) {
  const auto theirs = toWords(other);
  std::size_t next = 0;
  forEachCounter(*this, [&](const char*, std::uint64_t& value) { value += theirs[next++]; });
  return *this;
}

std::array<std::uint64_t, kCommCounterCount> toWords(const CommCounters& counters) {
  std::array<std::uint64_t, kCommCounterCount> words{};
  std::size_t next = 0;
  forEachCounter(counters, [&](const char*, std::uint64_t value) { words[next++] = value; });
  return words;
}

CommCounters fromWords(std::span<const std::uint64_t, kCommCounterCount> words) {
  CommCounters counters;
  std::size_t next = 0;
  forEachCounter(counters, [&](const char*, std::uint64_t& value) { value = words[next++]; });
  return counters;
}

}  // namespace memsgd
