#pragma once

#include <gtest/gtest.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "memsgd/compress/message_codec.hpp"
#include "memsgd/compress/sparse_message.hpp"

namespace memsgd::test {

// encode() into a buffer of exactly encodedSize() bytes.
inline std::vector<std::byte> encodeMessage(const MessageCodec& codec,
                                            const SparseMessage& message) {
  std::vector<std::byte> wire(codec.encodedSize(message).total());
  codec.encode(message, wire);
  return wire;
}

// Pairs, dimension and scale equal bit for bit (so +0.0 and -0.0 differ).
inline void expectBitIdentical(const SparseMessage& actual, const SparseMessage& expected) {
  EXPECT_EQ(actual.dim, expected.dim);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(actual.scale),
            std::bit_cast<std::uint64_t>(expected.scale));
  ASSERT_EQ(actual.indices, expected.indices);
  ASSERT_EQ(actual.values.size(), expected.values.size());
  for (std::size_t i = 0; i < actual.values.size(); ++i) {
    ASSERT_EQ(std::bit_cast<std::uint64_t>(actual.values[i]),
              std::bit_cast<std::uint64_t>(expected.values[i]))
        << "pair " << i << ": " << actual.values[i] << " vs " << expected.values[i];
  }
}

}  // namespace memsgd::test
