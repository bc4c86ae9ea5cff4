#pragma once

#include <iosfwd>
#include <optional>
#include <utility>
#include <vector>

#include "memsgd/comm/comm_counters.hpp"
#include "memsgd/config/run_config.hpp"
#include "memsgd/io/run_file.hpp"
#include "memsgd/log/console.hpp"
#include "memsgd/mpi/communicator.hpp"
#include "memsgd/optim/evaluation.hpp"
#include "memsgd/optim/trainer_status.hpp"

namespace memsgd {

// Turns evaluations into rows of the run file and progress lines. Every rank calls it (the byte
// counters are gathered from all ranks); only rank 0 writes and prints.
class RunRecorder {
 public:
  // Where a resumed run continues its run file: rows of evaluations and of the per-step trace.
  struct ResumePoint {
    std::uint64_t rows = 0;
    std::uint64_t steps = 0;
    CommCounters counters;  // this rank's, where the trace continues from
  };
  // Collective: rank 0 creates the run file, or with `resume` reopens it to continue there; a
  // failure there stops all ranks (AgreedError).
  RunRecorder(const LogConfig& config, const Communicator& comm,
              const std::vector<std::pair<std::string, AttributeValue>>& attributes,
              std::ostream& console, std::optional<ResumePoint> resume = std::nullopt);

  // With log.trace_steps: notes the last step's traffic; call after every step.
  void traceStep(const TrainerStatus& trainer);
  // Collective: writes the steps noted since the last call to /trace (record() calls it too).
  void flushTrace();

  // Collective. Appends one row for the trainer's current state and `evaluation`: wall time
  // since the run started, and time spent in steps alone (both continued across a resume).
  void record(const TrainerStatus& trainer, const Evaluation& evaluation, double elapsedSeconds,
              double stepSeconds);
  // Collective (the ranks' wait times are gathered): rank 0 marks the run file complete and
  // prints the closing summary.
  void finish(const TrainerStatus& trainer, const RunTiming& timing);
  // Rows in the run file (the same number on every rank).
  [[nodiscard]] std::uint64_t rows() const { return rows_; }

 private:
  const Communicator& comm_;
  std::optional<RunFile> file_;
  std::ostream& console_;
  bool quiet_;
  std::uint64_t rows_ = 0;
  ProgressLine last_;
  std::uint64_t paperBits_ = 0;
  std::vector<std::uint64_t> gathered_;
  bool tracing_;
  CommCounters traced_;                // counters at the last traced step
  std::vector<std::int64_t> pending_;  // per noted step: kTraceFields values
};

}  // namespace memsgd
