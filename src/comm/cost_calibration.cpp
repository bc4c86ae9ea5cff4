#include "memsgd/comm/cost_calibration.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "memsgd/comm/aggregate.hpp"
#include "memsgd/mpi/mpi_check.hpp"
#include "memsgd/mpi/wall_clock.hpp"

namespace memsgd {
namespace {

constexpr int kSmallBytes = 8;
constexpr int kLargeBytes = 1 << 16;
constexpr int kSmallRepeats = 21;
constexpr int kLargeRepeats = 7;
constexpr int kLoopRepeats = 5;
constexpr std::uint64_t kFewestTimedPairs = 4096;  // fewer: the clock's resolution shows
constexpr std::uint64_t kTimedPairs = std::uint64_t{1} << 15;
constexpr std::uint64_t kTimedCoordinates = std::uint64_t{1} << 16;

// Keeps the timed loops' results observable, so the compiler cannot drop them.
volatile double sink = 0.0;

// Median WallClock seconds of `repeats` runs of `work`.
template <typename Work>
double medianSeconds(int repeats, Work&& work) {
  std::vector<double> seconds;
  for (int i = 0; i < repeats; ++i) {
    const auto start = WallClock::now();
    work();
    seconds.push_back(std::chrono::duration<double>(WallClock::now() - start).count());
  }
  const auto middle = seconds.begin() + static_cast<std::ptrdiff_t>(seconds.size() / 2);
  std::nth_element(seconds.begin(), middle, seconds.end());
  return *middle;
}

// Median seconds of one MPI_Allgather of `bytes` per rank, after a warm-up gather.
double gatherSeconds(const Communicator& comm, int bytes, int repeats) {
  std::vector<std::byte> send(static_cast<std::size_t>(bytes));
  std::vector<std::byte> received(send.size() * static_cast<std::size_t>(comm.size()));
  const auto gather = [&] {
    const auto watched = comm.watch("the collectives' calibration");
    MEMSGD_MPI_CHECK(
        MPI_Allgather(send.data(), bytes, MPI_BYTE, received.data(), bytes, MPI_BYTE, comm.raw()));
  };
  gather();
  {
    const auto watched = comm.watch("the collectives' calibration");
    MEMSGD_MPI_CHECK(MPI_Barrier(comm.raw()));
  }
  return medianSeconds(repeats, gather);
}

// alpha and beta through the times of a small and a large gather.
void fitLatencyAndBandwidth(const Communicator& comm, CollectiveCosts& costs) {
  if (comm.size() == 1) return;  // no peers: the model has no MPI terms
  const double small = gatherSeconds(comm, kSmallBytes, kSmallRepeats);
  const double large = gatherSeconds(comm, kLargeBytes, kLargeRepeats);
  const double peers = comm.size() - 1;
  const auto rounds = static_cast<double>(std::bit_width(static_cast<unsigned>(comm.size() - 1)));
  costs.betaPerByte = std::max(0.0, (large - small) / (peers * (kLargeBytes - kSmallBytes)));
  costs.alpha = std::max(0.0, (small - costs.betaPerByte * peers * kSmallBytes) / rounds);
}

// The per-pair and per-coordinate constants, from loops over a message of up to kTimedPairs.
void timeLoops(const MessageCodec& codec, std::uint64_t dim, std::uint64_t pairs,
               CollectiveCosts& costs) {
  const std::uint64_t span = std::clamp<std::uint64_t>(dim, 1, kTimedCoordinates * 16);
  const SparseMessage message = evenlySpacedMessage(
      span, std::clamp<std::uint64_t>(pairs, kFewestTimedPairs, kTimedPairs), codec);
  const auto count = static_cast<double>(message.size());
  std::vector<std::byte> wire(codec.encodedSize(message).total());
  costs.encodePerPair = medianSeconds(kLoopRepeats, [&] { codec.encode(message, wire); }) / count;
  SparseMessage decoded;
  costs.decodePerPair =
      medianSeconds(kLoopRepeats, [&] { codec.decode(wire, span, decoded); }) / count;
  // The trainer's own apply, so the constant times the loop a step runs.
  VectorOf<double> x = VectorOf<double>::Zero(static_cast<Eigen::Index>(span));
  const MessageView part = viewOf(decoded);
  const Aggregate aggregate{std::span(&part, 1), nullptr};
  costs.applyPerPair =
      medianSeconds(kLoopRepeats, [&] { subtractScaled<double>(aggregate, 0.5, x); }) / count;
  // A dense sum: the wire vector zeroed for the scatter, then subtracted from x.
  const std::uint64_t coordinates = std::min(span, kTimedCoordinates);
  std::vector<float> sum(coordinates);
  costs.densePerCoordinate = medianSeconds(kLoopRepeats,
                                           [&] {
                                             std::fill(sum.begin(), sum.end(), 1.0F);
                                             for (std::size_t j = 0; j < sum.size(); ++j) {
                                               x[static_cast<Eigen::Index>(j)] -=
                                                   0.5 * static_cast<double>(sum[j]);
                                             }
                                           }) /
                             static_cast<double>(coordinates);
  sink = sink + x[0];
}

// `mine` where the config gives none, the maximum over the ranks.
double givenOrAgreed(const Communicator& comm, const std::optional<double>& given, double mine) {
  const double agreed = comm.allreduceMax(mine);  // every rank calls it, given or not
  return given.value_or(agreed);
}

}  // namespace

Calibration calibrateCosts(const Communicator& comm, const MessageCodec& codec,
                           const CommunicationConfig& given, std::uint64_t dim,
                           std::uint64_t pairs) {
  Calibration calibration;
  const bool timeNetwork = !given.alphaSeconds || !given.betaSecondsPerByte;
  const bool timeLoopsToo = !given.encodeSecondsPerPair || !given.decodeSecondsPerPair ||
                            !given.applySecondsPerPair || !given.denseSecondsPerCoordinate;
  calibration.measured = timeNetwork || timeLoopsToo;
  if (!calibration.measured) {
    calibration.costs = {*given.alphaSeconds,         *given.betaSecondsPerByte,
                         *given.encodeSecondsPerPair, *given.decodeSecondsPerPair,
                         *given.applySecondsPerPair,  *given.denseSecondsPerCoordinate};
    return calibration;
  }
  const auto start = WallClock::now();
  CollectiveCosts mine;
  if (timeNetwork) fitLatencyAndBandwidth(comm, mine);
  if (timeLoopsToo) timeLoops(codec, dim, pairs, mine);
  CollectiveCosts& costs = calibration.costs;
  costs.alpha = givenOrAgreed(comm, given.alphaSeconds, mine.alpha);
  costs.betaPerByte = givenOrAgreed(comm, given.betaSecondsPerByte, mine.betaPerByte);
  costs.encodePerPair = givenOrAgreed(comm, given.encodeSecondsPerPair, mine.encodePerPair);
  costs.decodePerPair = givenOrAgreed(comm, given.decodeSecondsPerPair, mine.decodePerPair);
  costs.applyPerPair = givenOrAgreed(comm, given.applySecondsPerPair, mine.applyPerPair);
  costs.densePerCoordinate =
      givenOrAgreed(comm, given.denseSecondsPerCoordinate, mine.densePerCoordinate);
  calibration.seconds =
      comm.allreduceMax(std::chrono::duration<double>(WallClock::now() - start).count());
  return calibration;
}

}  // namespace memsgd
