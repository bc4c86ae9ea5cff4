#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "memsgd/comm/collective.hpp"
#include "memsgd/comm/comm_counters.hpp"
#include "memsgd/compress/message_codec.hpp"
#include "memsgd/compress/sparse_message.hpp"
#include "memsgd/mpi/communicator.hpp"

namespace memsgd {

// communication.collective = allgather: every rank's compressed message reaches every rank,
// encoded by the compressor's codec and gathered with one MPI_Allgatherv of bytes (MPI_Allgather
// when all sizes are known to be equal); the aggregate is the P messages in rank order, read
// straight from the gathered bytes where the codec can view them (raw fp32 and fp64 pairs) and
// decoded otherwise. Buffers are reused. The gathers are watched by the communicator's watchdog and
// timed for waitSeconds().
class SparseExchange final : public Collective {
 public:
  SparseExchange(const Communicator& comm, const MessageCodec& codec);

  // Collective. Afterwards received(r) is rank r's message as it arrived (the own one included).
  // `fixedPairs`: every rank promises exactly that many pairs (asserted in debug builds); with a
  // codec whose size depends only on the pair count, that saves the MPI_Allgather of message sizes,
  // which is otherwise sent first and counted as header bytes.
  void exchange(const SparseMessage& mine, std::optional<std::size_t> fixedPairs,
                CommCounters& counters) override;
  [[nodiscard]] Aggregate aggregate() const override { return {received_, nullptr}; }

  [[nodiscard]] const MessageView& received(int rank) const {
    return received_[static_cast<std::size_t>(rank)];
  }
  // Bytes handed to MPI in the last exchange: own payload, and the whole gathered buffer.
  [[nodiscard]] std::size_t lastSendBytes() const { return sendBuffer_.size(); }
  [[nodiscard]] std::size_t lastGatherBytes() const { return gatherBuffer_.size(); }
  // Seconds this rank spent inside the exchange's MPI calls so far: waiting for the slowest rank,
  // and the transfer itself.
  [[nodiscard]] double waitSeconds() const override { return waitSeconds_; }

 private:
  const Communicator& comm_;
  const MessageCodec& codec_;
  std::vector<std::byte> sendBuffer_;
  std::vector<std::byte> gatherBuffer_;
  std::vector<int> byteCounts_;
  std::vector<int> byteOffsets_;
  std::vector<SparseMessage> decoded_;  // per rank, for codecs that cannot view
  std::vector<MessageView> received_;
  double waitSeconds_ = 0.0;
};

}  // namespace memsgd
