#include "memsgd/optim/memory_estimate.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "memsgd/compress/compressor_factory.hpp"
#include "memsgd/optim/optimum.hpp"
#include "memsgd/util/available_memory.hpp"

namespace memsgd {
namespace {

// A SparseMessage pair in memory: a uint32 index and a double value.
constexpr std::uint64_t kPairBytes = sizeof(std::uint32_t) + sizeof(double);
// The largest encoded pair: a varint index (at most 5 bytes for 32 bits) and a value.
constexpr std::uint64_t kIndexWireBytes = 5;
// Selection scratch per selected pair: top-k's heap entries (key, index), or for large k its
// sampled keys, candidates (index, key) and ties (measured: 28.5 bytes per pair at k = d/4).
constexpr std::uint64_t kSelectionBytesPerPair = 32;
// Everything else a trainer allocates does not grow with d: the compressor and exchange objects,
// per-rank counts and offsets, allocator headers.
constexpr std::uint64_t kFixedBytes = 1 << 16;
// L-BFGS: 2 x 20 history vectors, 4 of the solver, 4 of the line search, 2 for the best point,
// 2 for the objective's sums and gradient, x, and 3 of the Newton polish.
constexpr std::uint64_t kOptimumVectors = 2 * 20 + 16;
constexpr std::uint64_t kHessianBlockRows = 256;
// communication.mode = shared: the window's regions start on cache lines, and a snapshot's
// header (t, time), its counters at each rank and each rank's copy of it (vector header,
// allocator header) take less than this beside its x.
constexpr std::uint64_t kLine = 64;
constexpr std::uint64_t kSnapshotRecordBytes = 256;

std::uint64_t roundUpToLine(std::uint64_t bytes) { return (bytes + kLine - 1) / kLine * kLine; }

// a * b + c without wrapping: a count of snapshots from the config can make it overflow.
std::uint64_t saturatingMulAdd(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  std::uint64_t product = 0;
  std::uint64_t sum = 0;
  if (__builtin_mul_overflow(a, b, &product) || __builtin_add_overflow(product, c, &sum)) {
    return std::numeric_limits<std::uint64_t>::max();
  }
  return sum;
}

std::uint64_t wireValueBytes(ValueType type) {
  switch (type) {
    case ValueType::kFloat16:
      return 2;
    case ValueType::kFloat32:
      return 4;
    case ValueType::kFloat64:
      return 8;
  }
  return 8;
}

// Whether the collective reads received messages in place (MessageCodec::view: raw uint32 indices
// and fp32 or fp64 pair values) rather than decoding each into a SparseMessage.
bool viewsMessages(const RunConfig& config) {
  return config.compression.method != "qsgd" && config.compression.method != "scaled_sign" &&
         config.communication.indexEncoding == IndexEncoding::kRaw &&
         config.communication.valueType != ValueType::kFloat16;
}

// What collective `kind` allocates for messages of at most `pairs` pairs, `encoded` bytes each;
// for auto, the most that any collective it picks from allocates.
std::uint64_t collectiveBytes(CollectiveKind kind, const RunConfig& config, std::uint64_t d,
                              std::uint64_t pairs, std::uint64_t encoded, std::uint64_t ranks) {
  const std::uint64_t decoded = viewsMessages(config) ? 0 : kPairBytes * pairs;
  switch (kind) {
    case CollectiveKind::kAuto: {
      // The check comes before the choice: whichever the cost model picks must fit.
      std::uint64_t largest = 0;
      for (const CollectiveKind candidate :
           {CollectiveKind::kAllgather, CollectiveKind::kDense, CollectiveKind::kSplitAllgather}) {
        largest = std::max(largest, collectiveBytes(candidate, config, d, pairs, encoded, ranks));
      }
      return largest;
    }
    case CollectiveKind::kAllgather:
      // The own encoded message, the P gathered ones, and their decoded copies.
      return encoded * (1 + ranks) + decoded * ranks;
    case CollectiveKind::kDense:
      return wireValueBytes(config.communication.valueType) * d;  // the summed wire vector
    case CollectiveKind::kSplitAllgather: {
      // An owner range of at most ceil(d / P) coordinates: its double sums, touched flags and
      // room for all its indices, the slices the other ranks sent it and one decoded, and its
      // summed range sparse or dense, whichever is fewer bytes; every rank gathers P of those,
      // and keeps the ascending list of all d indices.
      const std::uint64_t length = (d + ranks - 1) / ranks;
      const std::uint64_t slice = std::min(pairs, length);  // one rank's pairs for one owner
      const std::uint64_t summed = std::min(length, ranks * slice);
      const std::uint64_t range =
          std::min(summed * (sizeof(std::uint32_t) + sizeof(double)), length * sizeof(double));
      const std::uint64_t pairWire =
          kIndexWireBytes + wireValueBytes(config.communication.valueType);
      const bool decodes = decoded > 0 && ranks > 1;  // one rank receives no slices
      return length * (sizeof(double) + 1 + sizeof(std::uint32_t)) + encoded +
             (ranks - 1) * pairWire * slice + (decodes ? kPairBytes * slice : 0) +
             range * (1 + ranks) + sizeof(std::uint32_t) * d;
    }
  }
  return 0;
}

// The pairs a message can hold: methods without a fixed k can send every coordinate (qsgd sizes
// its message to d before dropping zero levels; threshold sends all |v_j| >= tau).
std::uint64_t messagePairs(const RunConfig& config, std::uint64_t d) {
  return isSparsifying(config.compression.method) ? std::min(config.compression.k, d) : d;
}

// The compressor's scratch and its message.
std::uint64_t compressorBytes(const RunConfig& config, std::uint64_t d, std::uint64_t scalar) {
  const CompressionConfig& c = config.compression;
  const std::uint64_t pairs = messagePairs(config, d);
  std::uint64_t scratch = 0;
  if (c.method == "top_k") {
    scratch = kSelectionBytesPerPair * pairs;
  } else if (c.method == "rand_k" || c.method == "rand_k_unbiased") {
    scratch = d / 8 + 8;  // the chosen-index bitmap
  } else if (c.method == "approx_top_k") {
    // Its sampled magnitudes, the candidates above the estimated threshold (about k; four times
    // that for the estimate's noise and the vectors' growth) as index and value, and the exact
    // top-k among them.
    scratch = sizeof(double) * c.sampleSize +
              4 * pairs * (sizeof(std::uint32_t) + scalar + sizeof(std::uint32_t)) +
              kSelectionBytesPerPair * pairs;
  }
  return scratch + kPairBytes * pairs;
}

// The compressor's scratch, its message and the collective's buffers.
std::uint64_t sparseStepBytes(const RunConfig& config, std::uint64_t d, std::uint64_t scalar,
                              std::uint64_t ranks) {
  const std::uint64_t pairs = messagePairs(config, d);
  std::uint64_t encoded =
      pairs * (kIndexWireBytes + wireValueBytes(config.communication.valueType));
  if (config.compression.method == "scaled_sign") {
    encoded = d / 8 + sizeof(double) + 8;  // one sign bit per coordinate and the scale
  }
  return compressorBytes(config, d, scalar) +
         collectiveBytes(config.communication.collective, config, d, pairs, encoded, ranks);
}

// communication.mode = shared: a SharedTrainer's final x and error memory (a step reads x in
// place), and for a sparsifying method its compressor; the window's counters and x; the
// snapshots.
MemoryEstimate estimateSharedMemory(const RunConfig& config, std::uint64_t d, std::uint64_t scalar,
                                    std::uint64_t snapshots) {
  MemoryEstimate estimate;
  estimate.trainer = kFixedBytes + 2 * scalar * d;
  if (config.compression.method != "none") {
    estimate.trainer += compressorBytes(config, d, scalar);
  }
  estimate.run = 2 * sizeof(double) * d;  // x and x_bar returned (x itself is evaluated)
  const std::uint64_t xBytes = roundUpToLine(scalar * d);
  estimate.window = kLine + xBytes;
  estimate.snapshots = saturatingMulAdd(snapshots, xBytes + kSnapshotRecordBytes, 0);
  return estimate;
}

}  // namespace

std::uint64_t MemoryEstimate::onNode(std::uint64_t ranks) const {
  // Each rank's own and its copy of the snapshots, and the window's once.
  const std::uint64_t windowBytes = saturatingMulAdd(1, window, snapshots);
  const std::uint64_t perRank = saturatingMulAdd(1, total(), snapshots);
  return saturatingMulAdd(ranks, perRank, windowBytes);
}

MemoryEstimate estimateTrainingMemory(const RunConfig& config, std::uint64_t parameters, int ranks,
                                      std::uint64_t snapshots) {
  const std::uint64_t d = parameters;
  const std::uint64_t scalar =
      config.model.precision == Precision::kFloat ? sizeof(float) : sizeof(double);
  if (config.communication.mode == CommunicationMode::kShared) {
    return estimateSharedMemory(config, d, scalar, snapshots);
  }
  const std::uint64_t averaging =
      config.optimizer.averaging == Averaging::kLast ? 0 : 2 * sizeof(double) * d;
  // x, the error memory, and optimizer.momentum's velocity
  const std::uint64_t trainerVectors = config.optimizer.momentum > 0.0 ? 3 : 2;
  const std::uint64_t denseWire = wireValueBytes(config.communication.valueType) * d;
  MemoryEstimate estimate;
  estimate.trainer = kFixedBytes + trainerVectors * scalar * d + averaging;
  if (config.compression.method == "none") {
    estimate.trainer += denseWire;
  } else {
    estimate.trainer += sparseStepBytes(config, d, scalar, static_cast<std::uint64_t>(ranks));
    if (config.compression.warmupSteps > 0) {
      estimate.trainer += denseWire;  // the warm-up steps' DenseExchange
    }
  }
  estimate.run = scalar * d + 2 * sizeof(double) * d;
  if (config.log.checkpointEvery > 0 || !config.resumeFrom.empty()) {
    estimate.run += trainerVectors * scalar * d + averaging;
  }
  return estimate;
}

std::uint64_t estimateOptimumMemory(std::uint64_t parameters) {
  std::uint64_t bytes = kOptimumVectors * sizeof(double) * parameters;
  if (parameters <= static_cast<std::uint64_t>(kMaxDenseNewtonDim)) {
    // The Hessian and its LDL^T copy, and the block of scaled rows of dense data.
    bytes += 2 * sizeof(double) * parameters * parameters +
             kHessianBlockRows * sizeof(double) * parameters;
  }
  return bytes;
}

void requireMemory(std::uint64_t bytesPerRank, std::uint64_t sharedBytes, std::uint64_t dim,
                   std::uint64_t parameters, const DimOrigin& origin, const Communicator& comm) {
  const int ranksOnNode = comm.ranksOnNode();
  comm.agreeOn([&] {
    const AvailableMemory available = availableMemory();
    const auto onNode = static_cast<std::uint64_t>(ranksOnNode);
    if (saturatingMulAdd(bytesPerRank, onNode, sharedBytes) <= available.bytes) return;
    const std::string d =
        "d = " + std::to_string(dim) +
        (parameters != dim ? " (p = " + std::to_string(parameters) + " parameters)" : "");
    const std::string needs =
        " needs an estimated " + inGib(bytesPerRank) + " per rank" +
        (onNode > 1 ? " x " + std::to_string(onNode) + " ranks on this node" : "") +
        (sharedBytes > 0 ? " and " + inGib(sharedBytes) + " they share" : "") + ", more than the " +
        inGib(available.bytes) + " available (" + available.limitedBy + ")";
    if (origin.configured()) {
      throw ConfigError(origin.key + ": " + d + needs +
                        "; lower data.dim, or run fewer ranks per node");
    }
    throw DataError(origin.file, origin.line,
                    "feature index " + std::to_string(dim) + " sets " + d + ", which" + needs +
                        "; check that index (d is the largest index unless data.dim sets it), "
                        "or run fewer ranks per node");
  });
}

void requireSnapshotMemory(const MemoryEstimate& estimate, std::uint64_t snapshotCount,
                           std::uint64_t evalEvery, const Communicator& comm) {
  const auto onNode = static_cast<std::uint64_t>(comm.ranksOnNode());
  comm.agreeOn([&] {
    const AvailableMemory available = availableMemory();
    const std::uint64_t needed = estimate.onNode(onNode);
    if (needed <= available.bytes) return;
    throw ConfigError(
        "log.eval_every = " + std::to_string(evalEvery) + ": its " + std::to_string(snapshotCount) +
        " snapshots of x need an estimated " + inGib(estimate.snapshots) +
        " in the shared window and as much again in each of the " + std::to_string(onNode) +
        " ranks' copies, which with the rest of the run come to " + inGib(needed) +
        ", more than the " + inGib(available.bytes) + " available (" + available.limitedBy +
        "); raise log.eval_every, or run fewer ranks");
  });
}

}  // namespace memsgd
