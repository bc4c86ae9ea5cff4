// Microseconds per exchange and apply through memsgd's SparseExchange and DenseExchange on 2
// ranks, each next to the raw MPI collective that moves the same bytes followed by the least
// apply those bytes allow (x_j -= value read straight from the gathered buffer), as the trainer's
// step applies the aggregate after every exchange:
//   - exchange/sparse/k:K — K (uint32 index, fp32 value) pairs per rank with the default codec,
//     every rank's size known (top-k: one MPI_Allgather); raw: MPI_Allgather of 8K bytes (K
//     indices, then K floats per rank) and the P K pairs subtracted from x.
//   - exchange/sparse_sizes_gathered/k:K — the same message with sizes unknown, as threshold or
//     varint messages are (a count MPI_Allgather, then MPI_Allgatherv); the same raw bound.
//   - exchange/dense — SGD's d = 47236 (rcv1) vector in fp32 through DenseExchange; raw:
//     MPI_Allreduce of d floats in place, then x -= the sum.
//   - exchange/collective/NAME/k:K — the message of exchange/sparse/k:K through the collective
//     that communication.collective = NAME builds (dense: densified and MPI_Allreduce'd;
//     split_allgather: owner ranges summed, then gathered), against the same raw MPI_Allgather
//     of 8K bytes and apply: what summing on the way costs where allgather is the alternative.
// memsgd's time includes what the trainer pays per step beyond the collective: encoding the own
// message and reading all P (sparse), converting to and from fp32 (dense), and applying the
// aggregate to x (comm/aggregate.hpp's subtractScaled, as the trainer calls it). Messages are
// built once, before timing. Every iteration times one memsgd exchange and one raw collective, in
// alternating order, so both meet the same load. Counters: median_us and raw_us (medians over the
// iterations: a rank that the machine's other jobs deschedule inflates the mean, the benchmark's
// time, but not these), ratio_to_raw = median_us / raw_us, and bytes_per_rank (handed to MPI per
// exchange, counts excluded).
//
// Every rank must run the same collectives in the same order, so every benchmark has a fixed
// iteration count, and only rank 0 reports. Times are wall-clock: ranks spin while they wait.
// Run from build/: launch/mpirun.sh -np 2 tests/bench/memsgd_exchange_benchmark
//   --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <mpi.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "memsgd/comm/aggregate.hpp"
#include "memsgd/comm/collective_factory.hpp"
#include "memsgd/comm/comm_counters.hpp"
#include "memsgd/comm/dense_exchange.hpp"
#include "memsgd/comm/sparse_exchange.hpp"
#include "memsgd/compress/compressor_factory.hpp"
#include "memsgd/compress/selection.hpp"
#include "memsgd/config/choices.hpp"
#include "memsgd/config/run_config.hpp"
#include "memsgd/mpi/communicator.hpp"
#include "memsgd/mpi/mpi_check.hpp"
#include "memsgd/util/random.hpp"
#include "paired_timing.hpp"
#include "rank_zero_reporting.hpp"

namespace memsgd {
namespace {

constexpr std::uint64_t kSeed = 1;
constexpr std::uint64_t kDim = 47236;  // rcv1's dimension
constexpr std::array<std::size_t, 5> kPairCounts{1, 10, 100, 1000, 10000};

// About 0.1 s per repetition on shared memory whatever the size: latency-bound below 1000 pairs.
benchmark::IterationCount iterationsFor(std::size_t bytesPerRank) {
  return std::max<benchmark::IterationCount>(500, 40000000 / (400 + bytesPerRank));
}

// Times one memsgd `exchange` (the benchmark's time) against one `raw` collective per iteration
// (see the top of the file).
template <typename Exchange, typename Raw>
void timeAgainstRaw(benchmark::State& state, const Communicator& comm, std::size_t bytesPerRank,
                    Exchange exchange, Raw raw) {
  const PairedMedians medians = timePaired(state, comm, exchange, raw);
  state.counters["median_us"] = medians.measured * 1e6;
  state.counters["raw_us"] = medians.bound * 1e6;
  state.counters["ratio_to_raw"] = medians.measured / medians.bound;
  state.counters["bytes_per_rank"] = static_cast<double>(bytesPerRank);
}

// K distinct ascending indices of kDim with values in [-1, 1), different on every rank, rounded
// to the wire as the trainer rounds them.
SparseMessage randomMessage(std::size_t pairs, const MessageCodec& codec, int rank) {
  Rng rng(kSeed, static_cast<std::uint64_t>(rank), 0);
  SelectionScratch scratch;
  SparseMessage message;
  selectRandomK(kDim, pairs, rng, message.indices, scratch);
  message.values.resize(pairs);
  std::generate(message.values.begin(), message.values.end(),
                [&rng] { return 2.0 * rng.uniform() - 1.0; });
  message.dim = kDim;
  codec.roundToWire(message);
  return message;
}

// The raw bound's bytes for `message`: its indices, then its values as floats (8 bytes a pair, as
// the default codec's).
std::vector<std::byte> rawBytes(const SparseMessage& message) {
  std::vector<std::byte> bytes(message.size() * (sizeof(std::uint32_t) + sizeof(float)));
  std::byte* cursor = bytes.data();
  for (const std::uint32_t index : message.indices) {
    std::memcpy(cursor, &index, sizeof index);
    cursor += sizeof index;
  }
  for (const double value : message.values) {
    const auto wire = static_cast<float>(value);
    std::memcpy(cursor, &wire, sizeof wire);
    cursor += sizeof wire;
  }
  return bytes;
}

// The raw bound: `rawSend` (`pairs` pairs) gathered from every rank, then each rank's pairs
// subtracted from x straight from the gathered bytes, in rank order.
struct RawGatherAndApply {
  const Communicator& comm;
  std::size_t pairs;
  std::vector<std::byte> rawSend;
  std::vector<std::byte> rawGathered;
  Vector x;

  RawGatherAndApply(const Communicator& communicator, const SparseMessage& mine)
      : comm(communicator),
        pairs(mine.size()),
        rawSend(rawBytes(mine)),
        rawGathered(rawSend.size() * static_cast<std::size_t>(communicator.size())),
        x(Vector::Zero(static_cast<Eigen::Index>(mine.dim))) {}

  void operator()() {
    const auto bytes = static_cast<int>(rawSend.size());
    MEMSGD_MPI_CHECK(MPI_Allgather(rawSend.data(), bytes, MPI_BYTE, rawGathered.data(), bytes,
                                   MPI_BYTE, comm.raw()));
    for (std::size_t r = 0; r < static_cast<std::size_t>(comm.size()); ++r) {
      const std::byte* indices = rawGathered.data() + r * rawSend.size();
      const std::byte* values = indices + pairs * sizeof(std::uint32_t);
      for (std::size_t i = 0; i < pairs; ++i) {
        std::uint32_t index = 0;
        float value = 0.0F;
        std::memcpy(&index, indices + i * sizeof index, sizeof index);
        std::memcpy(&value, values + i * sizeof value, sizeof value);
        x[index] -= static_cast<double>(value);
      }
    }
  }
};

void sparseExchange(benchmark::State& state, const Communicator& comm, std::size_t pairs,
                    bool sizesKnown) {
  const auto codec = makeCodec(CompressionConfig{}, CommunicationConfig{});
  const SparseMessage mine = randomMessage(pairs, *codec, comm.rank());
  RawGatherAndApply raw(comm, mine);
  SparseExchange exchange(comm, *codec);
  CommCounters counters;
  Vector x = Vector::Zero(static_cast<Eigen::Index>(kDim));
  const std::optional<std::size_t> fixedPairs = sizesKnown ? std::optional(pairs) : std::nullopt;
  timeAgainstRaw(
      state, comm, raw.rawSend.size(),
      [&] {
        exchange.exchange(mine, fixedPairs, counters);
        subtractScaled<double>(exchange.aggregate(), 1.0, x);
      },
      std::ref(raw));
}

void collectiveExchange(benchmark::State& state, const Communicator& comm, std::size_t pairs,
                        CollectiveKind kind) {
  const CompressionConfig compression;
  CommunicationConfig communication;
  communication.collective = kind;
  const auto codec = makeCodec(compression, communication);
  const SparseMessage mine = randomMessage(pairs, *codec, comm.rank());
  RawGatherAndApply raw(comm, mine);
  const auto collective = makeCollective(compression, communication, comm, *codec);
  CommCounters counters;
  Vector x = Vector::Zero(static_cast<Eigen::Index>(kDim));
  timeAgainstRaw(
      state, comm, raw.rawSend.size(),
      [&] {
        collective->exchange(mine, pairs, counters);
        subtractScaled<double>(collective->aggregate(), 1.0, x);
      },
      std::ref(raw));
}

void denseExchange(benchmark::State& state, const Communicator& comm) {
  const CommunicationConfig config;
  Rng rng(kSeed, static_cast<std::uint64_t>(comm.rank()), 0);
  Vector mine(kDim);
  std::generate(mine.begin(), mine.end(), [&rng] { return 2.0 * rng.uniform() - 1.0; });
  std::vector<float> rawValues(kDim, 0.0F);  // zeros: summing in place leaves them finite
  Vector x = Vector::Zero(static_cast<Eigen::Index>(kDim));
  Vector rawX = x;
  DenseExchange exchange(comm, config.valueType);
  CommCounters counters;
  // With memory, as Mem-SGD's dense path runs it: mine keeps what fp32 rounding drops.
  timeAgainstRaw(
      state, comm, exchange.valueBytes() * kDim,
      [&] {
        exchange.exchange<double>(mine, /*keepRemainder=*/true, counters);
        exchange.subtractSum<double>(1.0, x);
      },
      [&] {
        MEMSGD_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, rawValues.data(), static_cast<int>(kDim),
                                       MPI_FLOAT, MPI_SUM, comm.raw()));
        for (std::size_t j = 0; j < kDim; ++j) {
          rawX[static_cast<Eigen::Index>(j)] -= static_cast<double>(rawValues[j]);
        }
      });
}

}  // namespace

void registerExchangeBenchmarks(const Communicator& comm) {
  for (const bool sizesKnown : {true, false}) {
    for (const std::size_t pairs : kPairCounts) {
      const std::string name = std::string("exchange/") +
                               (sizesKnown ? "sparse" : "sparse_sizes_gathered") +
                               "/k:" + std::to_string(pairs);
      benchmark::RegisterBenchmark(name.c_str(), sparseExchange, std::cref(comm), pairs, sizesKnown)
          ->Iterations(iterationsFor(pairs * (sizeof(std::uint32_t) + sizeof(float))))
          ->UseManualTime()
          ->Unit(benchmark::kMicrosecond);
    }
  }
  for (const CollectiveKind kind : {CollectiveKind::kDense, CollectiveKind::kSplitAllgather}) {
    for (const std::size_t pairs : std::array<std::size_t, 3>{1, 100, 1000}) {
      const std::string name =
          "exchange/collective/" + wordOf(kCollectives, kind) + "/k:" + std::to_string(pairs);
      // Dense moves d values whatever k: at least dense SGD's iterations' worth of time.
      const std::size_t bytes = kind == CollectiveKind::kDense
                                    ? kDim * sizeof(float)
                                    : pairs * (sizeof(std::uint32_t) + sizeof(float));
      benchmark::RegisterBenchmark(name.c_str(), collectiveExchange, std::cref(comm), pairs, kind)
          ->Iterations(iterationsFor(bytes))
          ->UseManualTime()
          ->Unit(benchmark::kMicrosecond);
    }
  }
  benchmark::RegisterBenchmark("exchange/dense", denseExchange, std::cref(comm))
      ->Iterations(iterationsFor(kDim * sizeof(float)))
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
}

}  // namespace memsgd

// Only rank 0 reports; every rank runs every benchmark (rank_zero_reporting.hpp).
int main(int argc, char** argv) {
  return memsgd::runOnEveryRank(argc, argv, memsgd::registerExchangeBenchmarks, "ratio_to_raw",
                                "median_us / raw_us: raw MPI_Allgather (dense: MPI_Allreduce) of "
                                "the same bytes and their apply, timed in the same iterations");
}
