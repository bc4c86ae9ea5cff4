#include "memsgd/comm/split_allgather.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <variant>

#include "memsgd/data/row_partition.hpp"
#include "memsgd/mpi/mpi_check.hpp"
#include "memsgd/mpi/wall_clock.hpp"

namespace memsgd {
namespace {

// std::memcpy, which must not be given a null pointer even for no bytes: an empty vector's data()
// may be one (an owner that received no pairs, a rank with an empty range).
void copyBytes(void* to, const void* from, std::size_t bytes) {
  if (bytes > 0) std::memcpy(to, from, bytes);
}

constexpr std::size_t kIndexBytes = sizeof(std::uint32_t);
constexpr std::size_t kSumBytes = sizeof(double);  // phase 3 carries the owners' double sums

// Offsets of consecutive blocks of `bytes`; their total. Throws where MPI's int counts end.
std::size_t layOut(const std::vector<int>& bytes, std::vector<int>& offsets) {
  std::uint64_t offset = 0;
  for (std::size_t r = 0; r < bytes.size(); ++r) {
    offsets[r] = static_cast<int>(offset);
    offset += static_cast<std::uint64_t>(bytes[r]);
    if (offset > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
      throw MpiError("split_allgather: " + std::to_string(offset) +
                     " bytes in one exchange exceed MPI's 2 GiB count limit");
    }
  }
  return offset;
}

// A range of `length` coordinates with `pairs` of them summed goes dense when that is no more
// bytes; so a sparse range is always fewer bytes than the dense one, and its size says which.
bool sendsDense(std::size_t length, std::size_t pairs) {
  return length * kSumBytes <= pairs * (kIndexBytes + kSumBytes);
}

}  // namespace

SplitAllgather::SplitAllgather(const Communicator& comm, const PairCodec& codec)
    : comm_(comm),
      codec_(codec),
      bounds_(static_cast<std::size_t>(comm.size()) + 1),
      firstPair_(static_cast<std::size_t>(comm.size()) + 1),
      sendBytes_(static_cast<std::size_t>(comm.size())),
      sendOffsets_(static_cast<std::size_t>(comm.size())),
      receiveBytes_(static_cast<std::size_t>(comm.size())),
      receiveOffsets_(static_cast<std::size_t>(comm.size())),
      rangeBytes_(static_cast<std::size_t>(comm.size())),
      rangeOffsets_(static_cast<std::size_t>(comm.size())),
      ranges_(static_cast<std::size_t>(comm.size())) {}

void SplitAllgather::exchange(const SparseMessage& mine, std::optional<std::size_t> /*fixedPairs*/,
                              CommCounters& counters) {
  assert(std::is_sorted(mine.indices.begin(), mine.indices.end()) &&
         "split_allgather needs a message's indices ascending");
  if (mine.dim != dim_) {
    dim_ = mine.dim;
    for (int owner = 0; owner < comm_.size(); ++owner) {
      bounds_[static_cast<std::size_t>(owner)] = shardOf(dim_, owner, comm_.size()).begin;
    }
    bounds_.back() = dim_;
    const auto me = static_cast<std::size_t>(comm_.rank());
    const std::uint64_t length = bounds_[me + 1] - bounds_[me];
    sums_.assign(length, 0.0);
    touched_.assign(length, 0);
    touchedIndices_.clear();
    touchedIndices_.reserve(length);  // every coordinate of the range: no growth while summing
    allIndices_.resize(dim_);
    std::iota(allIndices_.begin(), allIndices_.end(), 0U);
  }
  for (std::size_t owner = 1; owner < bounds_.size(); ++owner) {
    firstPair_[owner] = static_cast<std::size_t>(
        std::lower_bound(mine.indices.begin() + static_cast<std::ptrdiff_t>(firstPair_[owner - 1]),
                         mine.indices.end(), bounds_[owner]) -
        mine.indices.begin());
  }
  scatterToOwners(mine, counters);
  sumOwnRange(mine, counters);
  gatherRanges(counters);
  counters.paperBits += codec_.paperBits(mine);
  counters.pairs += mine.size();
}

MessageView SplitAllgather::slice(const SparseMessage& mine, std::size_t owner) const {
  const std::size_t begin = firstPair_[owner];
  const std::size_t pairs = firstPair_[owner + 1] - begin;
  return {
      std::span(mine.indices).subspan(begin, pairs),
      PackedValues<double>(reinterpret_cast<const std::byte*>(mine.values.data() + begin), pairs)};
}

void SplitAllgather::scatterToOwners(const SparseMessage& mine, CommCounters& counters) {
  const auto me = static_cast<std::size_t>(comm_.rank());
  const auto peers = static_cast<std::uint64_t>(comm_.size() - 1);
  // This rank's pairs cut by owner; an empty slice and the own one send nothing.
  for (std::size_t o = 0; o < sendBytes_.size(); ++o) {
    sendBytes_[o] = 0;
    if (o == me || firstPair_[o] == firstPair_[o + 1]) continue;
    const ByteCounts size = codec_.encodedSize(slice(mine, o).indices);
    if (size.total() > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
      throw MpiError("split_allgather: a slice of " + std::to_string(size.total()) +
                     " bytes exceeds MPI's 2 GiB count limit");
    }
    sendBytes_[o] = static_cast<int>(size.total());
    counters.sent += size;
  }
  scatterSend_.resize(layOut(sendBytes_, sendOffsets_));
  for (std::size_t o = 0; o < sendBytes_.size(); ++o) {
    if (sendBytes_[o] == 0) continue;
    const std::size_t begin = firstPair_[o];
    const std::size_t pairs = firstPair_[o + 1] - begin;
    codec_.encode(std::span(mine.indices).subspan(begin, pairs),
                  std::span(mine.values).subspan(begin, pairs),
                  std::span(scatterSend_)
                      .subspan(static_cast<std::size_t>(sendOffsets_[o]),
                               static_cast<std::size_t>(sendBytes_[o])));
  }
  {
    const auto watched = comm_.watch("the step's exchange");
    const ScopedSeconds timed(waitSeconds_);
    MEMSGD_MPI_CHECK(
        MPI_Alltoall(sendBytes_.data(), 1, MPI_INT, receiveBytes_.data(), 1, MPI_INT, comm_.raw()));
    scatterReceive_.resize(layOut(receiveBytes_, receiveOffsets_));
    MEMSGD_MPI_CHECK(MPI_Alltoallv(scatterSend_.data(), sendBytes_.data(), sendOffsets_.data(),
                                   MPI_BYTE, scatterReceive_.data(), receiveBytes_.data(),
                                   receiveOffsets_.data(), MPI_BYTE, comm_.raw()));
  }
  counters.sent.header += sizeof(int) * peers;
  counters.received.header += sizeof(int) * peers;
}

void SplitAllgather::addToOwnRange(const MessageView& pairs) {
  const std::uint64_t first = bounds_[static_cast<std::size_t>(comm_.rank())];
  std::visit(
      [&](const auto& values) {
        for (std::size_t i = 0; i < pairs.size(); ++i) {
          const std::uint32_t index = pairs.indices[i];
          const auto local = static_cast<std::size_t>(index - first);
          if (touched_[local] == 0) {
            touched_[local] = 1;
            touchedIndices_.push_back(index);
          }
          sums_[local] += static_cast<double>(values[i]);
        }
      },
      pairs.values);
}

void SplitAllgather::sumOwnRange(const SparseMessage& mine, CommCounters& counters) {
  const auto me = static_cast<std::size_t>(comm_.rank());
  touchedIndices_.clear();
  // Rank order, the own pairs at the own rank's place: every owner adds in the same order.
  for (std::size_t r = 0; r < receiveBytes_.size(); ++r) {
    if (r == me) {
      addToOwnRange(slice(mine, me));
      continue;
    }
    if (receiveBytes_[r] == 0) continue;
    const auto bytes = std::span<const std::byte>(scatterReceive_)
                           .subspan(static_cast<std::size_t>(receiveOffsets_[r]),
                                    static_cast<std::size_t>(receiveBytes_[r]));
    if (const std::optional<MessageView> view = codec_.view(bytes)) {
      addToOwnRange(*view);
      const std::size_t indexBytes = sizeof(std::uint32_t) * view->size();
      counters.received += ByteCounts{indexBytes, bytes.size() - indexBytes, 0};
    } else {
      codec_.decode(bytes, mine.dim, decoded_);
      addToOwnRange(viewOf(decoded_));
      counters.received += codec_.encodedSize(decoded_);
    }
  }
  const std::size_t length = sums_.size();
  const std::size_t pairs = touchedIndices_.size();
  if (sendsDense(length, pairs)) {
    rangeSend_.resize(length * kSumBytes);
    copyBytes(rangeSend_.data(), sums_.data(), rangeSend_.size());
    std::fill(sums_.begin(), sums_.end(), 0.0);
    std::fill(touched_.begin(), touched_.end(), 0);
    return;
  }
  // Sparse: the indices ascending, then their sums; the range is left zeroed for the next step.
  std::sort(touchedIndices_.begin(), touchedIndices_.end());
  rangeSend_.resize(pairs * (kIndexBytes + kSumBytes));
  copyBytes(rangeSend_.data(), touchedIndices_.data(), pairs * kIndexBytes);
  std::byte* values = rangeSend_.data() + pairs * kIndexBytes;
  for (std::size_t i = 0; i < pairs; ++i) {
    const auto local = static_cast<std::size_t>(touchedIndices_[i] - bounds_[me]);
    copyBytes(values + i * kSumBytes, &sums_[local], kSumBytes);
    sums_[local] = 0.0;
    touched_[local] = 0;
  }
}

void SplitAllgather::gatherRanges(CommCounters& counters) {
  const int me = comm_.rank();
  const auto peers = static_cast<std::uint64_t>(comm_.size() - 1);
  const int myBytes = static_cast<int>(rangeSend_.size());
  {
    const auto watched = comm_.watch("the step's exchange");
    const ScopedSeconds timed(waitSeconds_);
    MEMSGD_MPI_CHECK(
        MPI_Allgather(&myBytes, 1, MPI_INT, rangeBytes_.data(), 1, MPI_INT, comm_.raw()));
    gathered_.resize(layOut(rangeBytes_, rangeOffsets_));
    MEMSGD_MPI_CHECK(MPI_Allgatherv(rangeSend_.data(), myBytes, MPI_BYTE, gathered_.data(),
                                    rangeBytes_.data(), rangeOffsets_.data(), MPI_BYTE,
                                    comm_.raw()));
  }
  counters.sent.header += sizeof(int) * peers;
  counters.received.header += sizeof(int) * peers;
  // Every rank, the owner included, reads the ranges from the same gathered bytes; every range
  // is a multiple of 4 bytes, so the indices that open a sparse one are aligned.
  for (std::size_t o = 0; o < ranges_.size(); ++o) {
    const std::byte* bytes = gathered_.data() + rangeOffsets_[o];
    const auto size = static_cast<std::size_t>(rangeBytes_[o]);
    const std::size_t length = bounds_[o + 1] - bounds_[o];
    ByteCounts counted;
    if (size == length * kSumBytes) {
      ranges_[o] = {std::span(allIndices_).subspan(bounds_[o], length),
                    PackedValues<double>(bytes, length)};
      counted.value = size;
    } else {
      const std::size_t pairs = size / (kIndexBytes + kSumBytes);
      // MPI wrote the bytes as a memcpy would, which creates the uint32 objects read here.
      ranges_[o] = {std::span(reinterpret_cast<const std::uint32_t*>(bytes), pairs),
                    PackedValues<double>(bytes + pairs * kIndexBytes, pairs)};
      counted.index = pairs * kIndexBytes;
      counted.value = pairs * kSumBytes;
    }
    if (static_cast<int>(o) == me) {
      counters.sent += counted.times(peers);
    } else {
      counters.received += counted;
    }
  }
}

}  // namespace memsgd
