#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "memsgd/comm/collective.hpp"
#include "memsgd/comm/comm_counters.hpp"
#include "memsgd/compress/pair_codec.hpp"
#include "memsgd/compress/sparse_message.hpp"
#include "memsgd/mpi/communicator.hpp"

namespace memsgd {

// communication.collective = split_allgather: a sparse allreduce after SparCML's split-allgather
// (Renggli et al., SC 2019). The d coordinates are split into P owner ranges, balanced as
// shardOf splits rows. (1) Every rank sends each owner its pairs in the owner's range, in the pair
// codec's format (MPI_Alltoall of byte counts, then MPI_Alltoallv), encoded from slices of the
// message. (2) Each owner sums what it received in rank order, in double, read in place from the
// receive buffer where the codec can view it. (3) Every rank gathers every owner's sums
// (MPI_Allgather of byte counts, then MPI_Allgatherv), a range as (uint32 index, fp64 value) pairs
// or, when that is fewer bytes, as its dense fp64 values: the sums are sent as they were added, so
// nothing that no memory holds is rounded away. The aggregate is the P ranges in owner order, read
// in place from the same gathered bytes on every rank (a dense range's indices from one ascending
// list of all d). Buffers are reused; the MPI calls are watched and timed as SparseExchange's are.
class SplitAllgather final : public Collective {
 public:
  SplitAllgather(const Communicator& comm, const PairCodec& codec);

  // Collective. `mine`'s indices must ascend (the SparseMessage contract). The owner ranges are
  // of `mine.dim`, which every rank must share.
  void exchange(const SparseMessage& mine, std::optional<std::size_t> fixedPairs,
                CommCounters& counters) override;
  [[nodiscard]] Aggregate aggregate() const override { return {ranges_, nullptr}; }
  [[nodiscard]] double waitSeconds() const override { return waitSeconds_; }

  // Bytes handed to MPI in the last exchange, counts excluded: phase 1's pairs sent to the other
  // owners and received from the other ranks; phase 3's own range and every range gathered.
  [[nodiscard]] std::size_t lastScatterSendBytes() const { return scatterSend_.size(); }
  [[nodiscard]] std::size_t lastScatterReceiveBytes() const { return scatterReceive_.size(); }
  [[nodiscard]] std::size_t lastRangeBytes() const { return rangeSend_.size(); }
  [[nodiscard]] std::size_t lastGatherBytes() const { return gathered_.size(); }

 private:
  // Phase 1: this rank's pairs of every other owner's range to that owner.
  void scatterToOwners(const SparseMessage& mine, CommCounters& counters);
  // Phase 2: this owner's range summed in rank order and encoded into rangeSend_.
  void sumOwnRange(const SparseMessage& mine, CommCounters& counters);
  // Phase 3: every owner's range gathered and viewed in ranges_.
  void gatherRanges(CommCounters& counters);
  // `mine`'s pairs in owner o's range.
  [[nodiscard]] MessageView slice(const SparseMessage& mine, std::size_t owner) const;
  void addToOwnRange(const MessageView& pairs);

  const Communicator& comm_;
  const PairCodec& codec_;
  std::uint64_t dim_ = 0;
  std::vector<std::uint64_t> bounds_;   // owner o's range: [bounds_[o], bounds_[o + 1])
  std::vector<std::size_t> firstPair_;  // owner o's pairs in `mine`: [firstPair_[o], [o + 1])
  std::vector<std::byte> scatterSend_;
  std::vector<std::byte> scatterReceive_;
  std::vector<int> sendBytes_;
  std::vector<int> sendOffsets_;
  std::vector<int> receiveBytes_;
  std::vector<int> receiveOffsets_;
  SparseMessage decoded_;     // a received slice, for codecs that cannot view
  std::vector<double> sums_;  // this owner's range; 0 where nothing was added
  std::vector<char> touched_;
  std::vector<std::uint32_t> touchedIndices_;
  std::vector<std::byte> rangeSend_;
  std::vector<std::byte> gathered_;
  std::vector<int> rangeBytes_;
  std::vector<int> rangeOffsets_;
  std::vector<std::uint32_t> allIndices_;  // 0, 1, ..., d - 1: the dense ranges' indices
  std::vector<MessageView> ranges_;        // per owner
  double waitSeconds_ = 0.0;
};

}  // namespace memsgd
