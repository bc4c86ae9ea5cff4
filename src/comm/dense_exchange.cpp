#include "memsgd/comm/dense_exchange.hpp"

#include <stdexcept>

#include "memsgd/mpi/mpi_check.hpp"
#include "memsgd/mpi/wall_clock.hpp"

namespace memsgd {
namespace {

// v rounded into the wire buffer and v's remainder, in one pass.
template <typename Scalar, typename Wire>
void roundIntoWire(VectorRefOf<Scalar> v, bool keepRemainder, std::vector<Wire>& wire) {
  wire.resize(static_cast<std::size_t>(v.size()));
  Scalar* values = v.data();
  Wire* out = wire.data();
  for (Eigen::Index j = 0; j < v.size(); ++j) {
    const Wire sent = static_cast<Wire>(values[j]);
    out[j] = sent;
    values[j] = keepRemainder ? static_cast<Scalar>(values[j] - sent) : Scalar{0};
  }
}

// The message's values (exact in Wire: rounded to the wire already) at their indices, zeros
// elsewhere.
template <typename Wire>
void scatterIntoWire(const SparseMessage& message, std::vector<Wire>& wire) {
  wire.assign(static_cast<std::size_t>(message.dim), Wire{0});
  for (std::size_t i = 0; i < message.size(); ++i) {
    wire[message.indices[i]] = static_cast<Wire>(message.values[i]);
  }
}

template <typename Scalar, typename Wire>
void subtractScaled(const std::vector<Wire>& sum, double scale, VectorRefOf<Scalar> x) {
  Scalar* values = x.data();
  for (Eigen::Index j = 0; j < x.size(); ++j) {
    values[j] = static_cast<Scalar>(values[j] - scale * static_cast<double>(sum[j]));
  }
}

}  // namespace

DenseExchange::DenseExchange(const Communicator& comm, ValueType valueType)
    : comm_(comm), valueType_(valueType) {
  if (valueType != ValueType::kFloat32 && valueType != ValueType::kFloat64) {
    throw std::invalid_argument(
        "DenseExchange: dense vectors are summed in fp32 or fp64; fp16 has no MPI sum");
  }
}

std::size_t DenseExchange::valueBytes() const {
  return valueType_ == ValueType::kFloat32 ? sizeof(float) : sizeof(double);
}

template <typename Scalar>
void DenseExchange::exchange(VectorRefOf<Scalar> v, bool keepRemainder, CommCounters& counters) {
  const auto d = static_cast<int>(v.size());
  const bool fp32 = valueType_ == ValueType::kFloat32;
  if (fp32) {
    roundIntoWire(v, keepRemainder, floatWire_);
  } else {
    roundIntoWire(v, keepRemainder, doubleWire_);
  }
  sumWire(d, counters);
  counters.paperBits += 64 * static_cast<std::uint64_t>(d);
  counters.pairs += static_cast<std::uint64_t>(d);
}

void DenseExchange::exchange(const SparseMessage& mine, std::optional<std::size_t> /*fixedPairs*/,
                             CommCounters& counters) {
  const auto d = static_cast<int>(mine.dim);
  if (valueType_ == ValueType::kFloat32) {
    scatterIntoWire(mine, floatWire_);
  } else {
    scatterIntoWire(mine, doubleWire_);
  }
  sumWire(d, counters);
  counters.paperBits += 64 * static_cast<std::uint64_t>(mine.size());
  counters.pairs += mine.size();
}

void DenseExchange::sumWire(int d, CommCounters& counters) {
  const bool fp32 = valueType_ == ValueType::kFloat32;
  {
    const auto watched = comm_.watch("the step's exchange");
    const ScopedSeconds timed(waitSeconds_);
    MEMSGD_MPI_CHECK(MPI_Allreduce(
        MPI_IN_PLACE, fp32 ? static_cast<void*>(floatWire_.data()) : doubleWire_.data(), d,
        fp32 ? MPI_FLOAT : MPI_DOUBLE, MPI_SUM, comm_.raw()));
  }
  const auto payload = valueBytes() * static_cast<std::uint64_t>(d);
  const auto peers = static_cast<std::uint64_t>(comm_.size() - 1);
  counters.sent.value += payload * peers;
  counters.received.value += payload * peers;
}

template <typename Scalar>
void DenseExchange::subtractSum(double scale, VectorRefOf<Scalar> x) const {
  if (valueType_ == ValueType::kFloat32) {
    subtractScaled(floatWire_, scale, x);
  } else {
    subtractScaled(doubleWire_, scale, x);
  }
}

template void DenseExchange::exchange<float>(VectorRefOf<float>, bool, CommCounters&);
template void DenseExchange::exchange<double>(VectorRefOf<double>, bool, CommCounters&);
template void DenseExchange::subtractSum<float>(double, VectorRefOf<float>) const;
template void DenseExchange::subtractSum<double>(double, VectorRefOf<double>) const;

}  // namespace memsgd
