#pragma once

#include <span>
#include <vector>

#include "memsgd/comm/comm_counters.hpp"
#include "memsgd/comm/communicator.hpp"
#include "memsgd/config/run_config.hpp"
#include "memsgd/data/dataset.hpp"

namespace memsgd {

// The uncompressed baseline: every rank's dense vector summed with one MPI_Allreduce, in the
// configured wire precision. Buffers are reused across steps.
class DenseExchange {
 public:
  DenseExchange(const Communicator& comm, ValueType valueType)
      : comm_(comm), valueType_(valueType) {}

  // Sets `sum` to the sum over ranks of `mine`, whose values are already in wire precision (so
  // an error memory has kept exactly the rounding the peers never see). Collective.
  void allreduce(std::span<const double> mine, Vector& sum, CommCounters& counters);
  [[nodiscard]] std::size_t valueBytes() const;

 private:
  const Communicator& comm_;
  ValueType valueType_;
  std::vector<float> floatBuffer_;
};

}  // namespace memsgd
