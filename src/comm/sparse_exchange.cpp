#include "memsgd/comm/sparse_exchange.hpp"

#include <cassert>
#include <limits>
#include <string>

#include "memsgd/mpi/mpi_check.hpp"
#include "memsgd/mpi/wall_clock.hpp"

namespace memsgd {

SparseExchange::SparseExchange(const Communicator& comm, const MessageCodec& codec)
    : comm_(comm),
      codec_(codec),
      byteCounts_(static_cast<std::size_t>(comm.size())),
      byteOffsets_(static_cast<std::size_t>(comm.size())),
      decoded_(static_cast<std::size_t>(comm.size())),
      received_(static_cast<std::size_t>(comm.size())) {}

void SparseExchange::exchange(const SparseMessage& mine, std::optional<std::size_t> fixedPairs,
                              CommCounters& counters) {
  // Debug builds check the promise: a broken one makes the gather read garbage sizes.
  assert((!fixedPairs || mine.size() == *fixedPairs) &&
         "a message's pair count differs from its compressor's fixedPairs()");
  const ByteCounts size = codec_.encodedSize(mine);
  if (size.total() > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
    throw MpiError("an encoded message of " + std::to_string(size.total()) +
                   " bytes exceeds MPI's 2 GiB count limit");
  }
  const auto peers = static_cast<std::uint64_t>(comm_.size() - 1);
  const int myBytes = static_cast<int>(size.total());
  const bool sizesKnown = fixedPairs && codec_.sizeDependsOnlyOnPairs();
  sendBuffer_.resize(size.total());
  codec_.encode(mine, sendBuffer_);
  {
    // Both gathers back to back, watched and timed as one wait: two clock reads per step.
    const auto watched = comm_.watch("the step's exchange");
    const ScopedSeconds timed(waitSeconds_);
    if (sizesKnown) {
      std::fill(byteCounts_.begin(), byteCounts_.end(), myBytes);
    } else {
      MEMSGD_MPI_CHECK(
          MPI_Allgather(&myBytes, 1, MPI_INT, byteCounts_.data(), 1, MPI_INT, comm_.raw()));
      counters.sent.header += sizeof(int) * peers;
      counters.received.header += sizeof(int) * peers;
    }
    std::uint64_t offset = 0;
    for (std::size_t r = 0; r < byteCounts_.size(); ++r) {
      if (offset > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
        throw MpiError("gathered messages exceed MPI's 2 GiB displacement limit");
      }
      byteOffsets_[r] = static_cast<int>(offset);
      offset += static_cast<std::uint64_t>(byteCounts_[r]);
    }
    gatherBuffer_.resize(offset);
    if (sizesKnown) {
      // Equal sizes: the plain gather skips Allgatherv's per-rank count bookkeeping.
      MEMSGD_MPI_CHECK(MPI_Allgather(sendBuffer_.data(), myBytes, MPI_BYTE, gatherBuffer_.data(),
                                     myBytes, MPI_BYTE, comm_.raw()));
    } else {
      MEMSGD_MPI_CHECK(MPI_Allgatherv(sendBuffer_.data(), myBytes, MPI_BYTE, gatherBuffer_.data(),
                                      byteCounts_.data(), byteOffsets_.data(), MPI_BYTE,
                                      comm_.raw()));
    }
  }

  counters.sent += size.times(peers);
  counters.paperBits += codec_.paperBits(mine);
  counters.pairs += mine.size();
  for (std::size_t r = 0; r < received_.size(); ++r) {
    const std::span<const std::byte> bytes(gatherBuffer_.data() + byteOffsets_[r],
                                           static_cast<std::size_t>(byteCounts_[r]));
    ByteCounts arrived;
    if (const std::optional<MessageView> view = codec_.view(bytes)) {
      received_[r] = *view;
      arrived.index = sizeof(std::uint32_t) * view->size();
      arrived.value = bytes.size() - arrived.index;
    } else {
      codec_.decode(bytes, mine.dim, decoded_[r]);
      received_[r] = viewOf(decoded_[r]);
      arrived = codec_.encodedSize(decoded_[r]);
    }
    if (static_cast<int>(r) != comm_.rank()) {
      counters.received += arrived;
    }
  }
}

}  // namespace memsgd
