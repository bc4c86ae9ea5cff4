#include "memsgd/comm/dense_exchange.hpp"

#include "memsgd/comm/mpi_check.hpp"

namespace memsgd {

std::size_t DenseExchange::valueBytes() const {
  return valueType_ == ValueType::kFloat32 ? sizeof(float) : sizeof(double);
}

void DenseExchange::allreduce(std::span<const double> mine, Vector& sum, CommCounters& counters) {
  const auto d = static_cast<Eigen::Index>(mine.size());
  const Eigen::Map<const Vector> values(mine.data(), d);
  sum.resize(d);
  if (valueType_ == ValueType::kFloat32) {
    floatBuffer_.resize(mine.size());
    Eigen::Map<Eigen::VectorXf> wire(floatBuffer_.data(), d);
    wire = values.cast<float>();
    MEMSGD_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, floatBuffer_.data(), static_cast<int>(d),
                                   MPI_FLOAT, MPI_SUM, comm_.raw()));
    sum = wire.cast<double>();
  } else {
    sum = values;
    MEMSGD_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, sum.data(), static_cast<int>(d), MPI_DOUBLE,
                                   MPI_SUM, comm_.raw()));
  }
  const auto payload = valueBytes() * static_cast<std::uint64_t>(d);
  const auto peers = static_cast<std::uint64_t>(comm_.size() - 1);
  counters.sent.value += payload * peers;
  counters.received.value += payload * peers;
  counters.paperBits += 64 * static_cast<std::uint64_t>(d);
  counters.pairs += static_cast<std::uint64_t>(d);
}

}  // namespace memsgd
