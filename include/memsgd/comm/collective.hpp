#pragma once

#include <cstddef>
#include <optional>

#include "memsgd/comm/aggregate.hpp"
#include "memsgd/comm/comm_counters.hpp"
#include "memsgd/compress/sparse_message.hpp"

namespace memsgd {

// Step 4 of Mem-SGD behind one interface (communication.collective): every rank's sparse message
// c_r in, the aggregate out. Implementations count what this rank hands to MPI and receives in
// every phase; the paper's bits and the pair count describe the rank's message, however it is
// routed.
class Collective {
 public:
  Collective() = default;
  virtual ~Collective() = default;
  Collective(const Collective&) = delete;
  Collective& operator=(const Collective&) = delete;
  Collective(Collective&&) = delete;
  Collective& operator=(Collective&&) = delete;

  // Collective. `mine` is rounded to the wire (the codec's roundToWire). `fixedPairs`: every rank
  // promises exactly that many pairs (a collective may use it to skip a size exchange).
  virtual void exchange(const SparseMessage& mine, std::optional<std::size_t> fixedPairs,
                        CommCounters& counters) = 0;
  // The aggregate of the last exchange; valid until the next one.
  [[nodiscard]] virtual Aggregate aggregate() const = 0;
  // Seconds this rank spent inside the collective's MPI calls so far.
  [[nodiscard]] virtual double waitSeconds() const = 0;
};

}  // namespace memsgd
