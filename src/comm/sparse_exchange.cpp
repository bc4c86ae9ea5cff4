#include "memsgd/comm/sparse_exchange.hpp"

#include <limits>
#include <numeric>
#include <string>

#include "memsgd/comm/mpi_check.hpp"

namespace memsgd {

SparseExchange::SparseExchange(const Communicator& comm, PairCodec codec)
    : comm_(comm),
      codec_(codec),
      byteCounts_(static_cast<std::size_t>(comm.size())),
      byteOffsets_(static_cast<std::size_t>(comm.size())),
      pairCounts_(static_cast<std::size_t>(comm.size())),
      received_(static_cast<std::size_t>(comm.size())) {}

void SparseExchange::exchange(const SparseMessage& mine, std::optional<std::size_t> fixedPairs,
                              CommCounters& counters) {
  const std::size_t pairBytes = codec_.pairBytes();
  if (mine.size() * pairBytes > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw MpiError("sparse message of " + std::to_string(mine.size()) +
                   " pairs exceeds MPI's 2 GiB count limit");
  }
  const auto peers = static_cast<std::uint64_t>(comm_.size() - 1);
  const int myPairs = static_cast<int>(mine.size());
  if (fixedPairs) {
    std::fill(pairCounts_.begin(), pairCounts_.end(), static_cast<int>(*fixedPairs));
  } else {
    MEMSGD_MPI_CHECK(
        MPI_Allgather(&myPairs, 1, MPI_INT, pairCounts_.data(), 1, MPI_INT, comm_.raw()));
    counters.sent.header += sizeof(int) * peers;
    counters.received.header += sizeof(int) * peers;
  }

  sendBuffer_.resize(mine.size() * pairBytes);
  codec_.encode(mine, sendBuffer_);
  int offset = 0;
  for (std::size_t r = 0; r < pairCounts_.size(); ++r) {
    byteCounts_[r] = pairCounts_[r] * static_cast<int>(pairBytes);
    byteOffsets_[r] = offset;
    offset += byteCounts_[r];
  }
  gatherBuffer_.resize(static_cast<std::size_t>(offset));
  MEMSGD_MPI_CHECK(MPI_Allgatherv(sendBuffer_.data(), static_cast<int>(sendBuffer_.size()),
                                  MPI_BYTE, gatherBuffer_.data(), byteCounts_.data(),
                                  byteOffsets_.data(), MPI_BYTE, comm_.raw()));

  const std::uint64_t peerPairs =
      std::accumulate(pairCounts_.begin(), pairCounts_.end(), std::uint64_t{0}) -
      static_cast<std::uint64_t>(myPairs);
  counters.sent.index += PairCodec::indexBytes() * mine.size() * peers;
  counters.sent.value += codec_.valueBytes() * mine.size() * peers;
  counters.received.index += PairCodec::indexBytes() * peerPairs;
  counters.received.value += codec_.valueBytes() * peerPairs;
  counters.paperBits += 64 * static_cast<std::uint64_t>(mine.size());

  for (std::size_t r = 0; r < received_.size(); ++r) {
    const std::span<const std::byte> bytes(gatherBuffer_.data() + byteOffsets_[r],
                                           static_cast<std::size_t>(byteCounts_[r]));
    codec_.decode(bytes, mine.dim, received_[r]);
  }
}

}  // namespace memsgd
