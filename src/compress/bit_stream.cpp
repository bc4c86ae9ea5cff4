#include "memsgd/compress/bit_stream.hpp"

#include <stdexcept>

namespace memsgd {
namespace {

// The widest field moved in one step: the writer holds fewer than 8 pending bits and the reader
// refills to more than 56 bits, so a 56-bit chunk always fits the 64-bit buffer.
constexpr unsigned kMaxChunk = 56;

constexpr std::uint64_t lowBits(unsigned width) { return (std::uint64_t{1} << width) - 1; }

}  // namespace

void BitWriter::writeBits(std::uint64_t value, unsigned width) {
  if (width > kMaxChunk) {
    writeChunk(value >> 32U, width - 32);
    writeChunk(value, 32);
    return;
  }
  writeChunk(value, width);
}

void BitWriter::writeZeros(std::uint64_t count) {
  for (; count > kMaxChunk; count -= kMaxChunk) {
    writeChunk(0, kMaxChunk);
  }
  writeChunk(0, static_cast<unsigned>(count));
}

void BitWriter::writeChunk(std::uint64_t value, unsigned width) {
  buffer_ = (buffer_ << width) | (value & lowBits(width));
  pending_ += width;
  while (pending_ >= 8) {
    if (cursor_ == end_) {
      throw std::length_error("bit stream: write past the end of the buffer");
    }
    pending_ -= 8;
    *cursor_++ = static_cast<std::byte>(static_cast<unsigned char>(buffer_ >> pending_));
  }
}

void BitWriter::writeEliasGamma(std::uint64_t n) {
  if (n == 0) {
    throw std::invalid_argument("bit stream: Elias-gamma codes only integers >= 1");
  }
  // floor(log2 n) zeros, then n from its leading one: since n < 2^digits, writing n as a field
  // of 2 digits - 1 bits produces both at once.
  const auto digits = static_cast<unsigned>(std::bit_width(n));
  if (2 * digits - 1 <= kMaxChunk) {
    writeChunk(n, 2 * digits - 1);
    return;
  }
  writeBits(0, digits - 1);
  writeBits(n, digits);
}

std::size_t BitWriter::finish() {
  if (pending_ > 0) {
    writeChunk(0, 8 - pending_);
  }
  return static_cast<std::size_t>(cursor_ - begin_);
}

void BitReader::refill() {
  while (available_ <= kMaxChunk && cursor_ != end_) {
    buffer_ = (buffer_ << 8U) | std::to_integer<std::uint64_t>(*cursor_++);
    available_ += 8;
  }
}

std::uint64_t BitReader::readChunk(unsigned width) {
  if (available_ < width) {
    refill();
    if (available_ < width) {
      throw std::invalid_argument("bit stream: read past the end");
    }
  }
  available_ -= width;
  return (buffer_ >> available_) & lowBits(width);
}

std::uint64_t BitReader::readBits(unsigned width) {
  if (width == 0) {
    return 0;
  }
  if (width > kMaxChunk) {
    const std::uint64_t high = readChunk(width - 32);
    return (high << 32U) | readChunk(32);
  }
  return readChunk(width);
}

std::uint64_t BitReader::readEliasGamma() {
  unsigned zeros = 0;
  for (;;) {
    if (available_ == 0) {
      refill();
      if (available_ == 0) {
        throw std::invalid_argument("bit stream: read past the end");
      }
    }
    const std::uint64_t unread = buffer_ << (64 - available_);  // left-aligned
    if (unread != 0) {
      const auto leading = static_cast<unsigned>(std::countl_zero(unread));
      zeros += leading;
      available_ -= leading;
      break;
    }
    zeros += available_;
    available_ = 0;
    if (zeros > 63) {
      break;
    }
  }
  if (zeros > 63) {
    throw std::invalid_argument("bit stream: Elias-gamma code word exceeds 64-bit integers");
  }
  return readBits(zeros + 1);
}

bool BitReader::atPadding() const {
  return cursor_ == end_ && available_ < 8 && (buffer_ & lowBits(available_)) == 0;
}

}  // namespace memsgd
