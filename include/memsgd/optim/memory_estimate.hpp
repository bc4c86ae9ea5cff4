#pragma once

#include <cstdint>

#include "memsgd/config/run_config.hpp"
#include "memsgd/data/distributed_load.hpp"
#include "memsgd/mpi/communicator.hpp"

namespace memsgd {

// Bytes one rank allocates for the buffers whose size grows with d (or with the message size),
// counted from the code that allocates them. Everything else (the data, MPI, counters) is
// already allocated when the estimate is made, or small.
struct MemoryEstimate {
  // What a Trainer holds once it has stepped: x, the error memory and with optimizer.momentum
  // the velocity (Scalar), the averaging sums (double), the compressor's selection scratch, its
  // message, what communication.collective allocates (allgather: this rank's encoded message, the
  // P gathered ones, and their decoded copies where the codec cannot read them in place; dense:
  // its d-vector; split_allgather: the owner range, the receive buffers and the list of the d
  // indices), and the dense wire vector for compression.method = none or
  // compression.warmup_steps. In communication.mode = shared, what a SharedTrainer holds: the x
  // a step reads, the final x and the error memory (Scalar), the compressor's scratch and message
  // (none for method = none, which writes v itself).
  std::uint64_t trainer = 0;
  // What a training run adds: the averaged iterate it evaluates, the copy of the trainer's state
  // that checkpoints and resumes make, and the x and x_bar it returns in double.
  std::uint64_t run = 0;
  // communication.mode = shared: the window the node's ranks share, allocated once per node (its
  // counters and x).
  std::uint64_t window = 0;
  // communication.mode = shared: one copy of the snapshots of x (with their times and counters)
  // that log.eval_every schedules. The window holds one copy per node, and after the steps every
  // rank copies them out.
  std::uint64_t snapshots = 0;
  // Per rank, without the snapshots.
  [[nodiscard]] std::uint64_t total() const { return trainer + run; }
  // All that `ranks` ranks of a node allocate together, snapshots included; saturated at the
  // largest uint64 rather than wrapped.
  [[nodiscard]] std::uint64_t onNode(std::uint64_t ranks) const;
};

// `parameters` is the model's p, the size of x (d for the linear models); `snapshots` the count a
// communication.mode = shared run takes (sharedSnapshotCount), 0 in the synchronous mode.
MemoryEstimate estimateTrainingMemory(const RunConfig& config, std::uint64_t parameters, int ranks,
                                      std::uint64_t snapshots);

// memsgd-optimum in double: L-BFGS's 20 (s, y) pairs and its working vectors, the line search's,
// the best point kept, and the dense Newton Hessian with its factorisation when d allows Newton.
std::uint64_t estimateOptimumMemory(std::uint64_t parameters);

// Collective. The ranks that share a node (MPI_COMM_TYPE_SHARED) need `bytesPerRank` each, and
// `sharedBytes` once between them (communication.mode = shared's window); when together they need
// more than the node has available (util/available_memory.hpp), every rank throws AgreedError
// naming what set d (the key, or file:line and the index), the model's p when it is not d, the
// estimate and what is available, with exit code 2 when the configuration set d and 3 when the
// data did.
void requireMemory(std::uint64_t bytesPerRank, std::uint64_t sharedBytes, std::uint64_t dim,
                   std::uint64_t parameters, const DimOrigin& origin, const Communicator& comm);

// Collective, after requireMemory of the rest: in communication.mode = shared, when the node's
// ranks with `estimate.snapshots` (the snapshotCount that log.eval_every = `evalEvery` schedules)
// need more than the node has available, every rank throws AgreedError naming log.eval_every
// (exit 2).
void requireSnapshotMemory(const MemoryEstimate& estimate, std::uint64_t snapshotCount,
                           std::uint64_t evalEvery, const Communicator& comm);

}  // namespace memsgd
