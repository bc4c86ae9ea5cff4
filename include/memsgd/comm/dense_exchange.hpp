#pragma once

#include <vector>

#include "memsgd/comm/collective.hpp"
#include "memsgd/comm/comm_counters.hpp"
#include "memsgd/config/run_config.hpp"
#include "memsgd/core/vector.hpp"
#include "memsgd/mpi/communicator.hpp"

namespace memsgd {

// The uncompressed baseline: every rank's dense vector summed with one in-place MPI_Allreduce, in
// the configured wire precision (fp32 or fp64). A reused wire buffer of that precision (the
// other of the two stays empty), no indices, no copies beyond rounding v into it: dense SGD's
// step is a few passes over d. As the collective communication.collective = dense, a rank's
// sparse message is densified into the wire vector and summed the same way: the aggregate is the
// dense sum (subtractSum).
class DenseExchange final : public Collective {
 public:
  // Throws std::invalid_argument for fp16, which has no MPI sum (for users, makeCodec refuses
  // it with the config's words before a run starts).
  DenseExchange(const Communicator& comm, ValueType valueType);

  // Collective. c = v rounded to the wire precision is summed over ranks; v keeps v - c (what the
  // peers never see, for an error memory) or, with keepRemainder false, becomes 0. Scalar is float
  // or double (explicitly instantiated).
  template <typename Scalar>
  void exchange(VectorRefOf<Scalar> v, bool keepRemainder, CommCounters& counters);
  // x -= scale * (the sum of the last exchange), in double, rounded once to Scalar.
  // Collective. The message (in the wire precision already) scattered into a zeroed vector of
  // its dimension, then summed as above; counted as d wire values to and from each peer, and as
  // the message's pairs for the paper's bits and the pair count.
  void exchange(const SparseMessage& mine, std::optional<std::size_t> fixedPairs,
                CommCounters& counters) override;
  [[nodiscard]] Aggregate aggregate() const override { return {{}, this}; }
  // x -= scale * (the sum of the last exchange), in double, rounded once to Scalar.
  template <typename Scalar>
  void subtractSum(double scale, VectorRefOf<Scalar> x) const;

  [[nodiscard]] std::size_t valueBytes() const;
  // Seconds this rank spent inside the exchange's MPI_Allreduce so far (watched by the
  // communicator's watchdog): waiting for the slowest rank, and the reduction itself.
  [[nodiscard]] double waitSeconds() const override { return waitSeconds_; }

 private:
  // The in-place MPI_Allreduce of the first d wire values, watched, timed and counted as value
  // bytes.
  void sumWire(int d, CommCounters& counters);

  const Communicator& comm_;
  ValueType valueType_;
  std::vector<float> floatWire_;    // fp32
  std::vector<double> doubleWire_;  // fp64
  double waitSeconds_ = 0.0;
};

}  // namespace memsgd
