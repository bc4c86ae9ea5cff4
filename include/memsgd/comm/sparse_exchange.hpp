#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "memsgd/comm/comm_counters.hpp"
#include "memsgd/comm/communicator.hpp"
#include "memsgd/compress/pair_codec.hpp"
#include "memsgd/compress/sparse_message.hpp"

namespace memsgd {

// Step 4 of Mem-SGD: every rank's sparse message reaches every rank, with one MPI_Allgatherv of
// encoded pairs. Buffers are reused across steps.
class SparseExchange {
 public:
  SparseExchange(const Communicator& comm, PairCodec codec);

  // Collective. Afterwards received(r) is rank r's message as decoded from the wire (the own
  // one included). With `fixedPairs`, every rank promises exactly that many pairs, which saves
  // the MPI_Allgather of message sizes; otherwise sizes are exchanged first (header bytes).
  void exchange(const SparseMessage& mine, std::optional<std::size_t> fixedPairs,
                CommCounters& counters);

  [[nodiscard]] const SparseMessage& received(int rank) const {
    return received_[static_cast<std::size_t>(rank)];
  }
  [[nodiscard]] const PairCodec& codec() const { return codec_; }
  // Bytes handed to MPI in the last exchange: own payload, and the whole gathered buffer.
  [[nodiscard]] std::size_t lastSendBytes() const { return sendBuffer_.size(); }
  [[nodiscard]] std::size_t lastGatherBytes() const { return gatherBuffer_.size(); }

 private:
  const Communicator& comm_;
  PairCodec codec_;
  std::vector<std::byte> sendBuffer_;
  std::vector<std::byte> gatherBuffer_;
  std::vector<int> byteCounts_;
  std::vector<int> byteOffsets_;
  std::vector<int> pairCounts_;
  std::vector<SparseMessage> received_;
};

}  // namespace memsgd
