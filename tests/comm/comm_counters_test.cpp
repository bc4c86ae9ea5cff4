#include "memsgd/comm/comm_counters.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace memsgd {
namespace {

// Distinct values in every field, so that a counter the list misses or repeats shows.
CommCounters distinctCounters() { return {{1, 2, 3}, {5, 7, 11}, 13, 17}; }

TEST(CommCountersTest, ListNamesEveryCounterOnce) {
  const CommCounters c = distinctCounters();
  std::set<std::string> names;
  std::uint64_t sum = 0;
  forEachCounter(c, [&](const char* name, std::uint64_t value) {
    names.insert(name);
    sum += value;
  });
  EXPECT_EQ(names.size(), kCommCounterCount);
  EXPECT_EQ(sum, c.sent.total() + c.received.total() + c.paperBits + c.pairs);
}

TEST(CommCountersTest, WordsRoundTrip) {
  const auto words = toWords(distinctCounters());
  const CommCounters back = fromWords(words);
  EXPECT_EQ(toWords(back), words);
  EXPECT_EQ(back.sent.header, 3U);
  EXPECT_EQ(back.received.index, 5U);
  EXPECT_EQ(back.paperBits, 13U);
  EXPECT_EQ(back.pairs, 17U);
}

TEST(CommCountersTest, SumAddsEveryCounter) {
  CommCounters total = distinctCounters();
  total += distinctCounters();
  const auto once = toWords(distinctCounters());
  const auto twice = toWords(total);
  for (std::size_t c = 0; c < kCommCounterCount; ++c) {
    EXPECT_EQ(twice[c], 2 * once[c]) << c;
  }
}

}  // namespace
}  // namespace memsgd
