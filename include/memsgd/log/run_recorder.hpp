#pragma once

#include <iosfwd>
#include <optional>
#include <utility>
#include <vector>

#include "memsgd/comm/communicator.hpp"
#include "memsgd/config/run_config.hpp"
#include "memsgd/io/run_file.hpp"
#include "memsgd/log/console.hpp"
#include "memsgd/optim/evaluator.hpp"
#include "memsgd/optim/trainer.hpp"

namespace memsgd {

// Turns evaluations into rows of the run file and progress lines. Every rank calls it (the byte
// counters are gathered from all ranks); only rank 0 writes and prints.
class RunRecorder {
 public:
  // Collective: rank 0 creates the run file, or with `resumeAfterRows` reopens it to continue
  // after that many rows; a failure there stops all ranks (AgreedError).
  RunRecorder(const LogConfig& config, const Communicator& comm,
              const std::vector<std::pair<std::string, AttributeValue>>& attributes,
              std::ostream& console, std::optional<std::uint64_t> resumeAfterRows = std::nullopt);

  // Collective. Appends one row for the trainer's current state and `evaluation`.
  void record(const Trainer& trainer, const Evaluation& evaluation, double elapsedSeconds);
  // Rank 0 prints the closing summary.
  void finish(const Trainer& trainer);
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
};

}  // namespace memsgd
