#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace memsgd {

// What rank 0 prints after each evaluation.
struct ProgressLine {
  double epoch = 0.0;
  std::uint64_t samples = 0;
  double trainLoss = 0.0;
  std::optional<double> testAccuracy;
  double megabytesSent = 0.0;  // all ranks, logical fan-out model
  double elapsedSeconds = 0.0;
};

std::string formatProgress(const ProgressLine& line);

// The closing lines of a run: final loss, traffic, where the run file is.
struct RunSummary {
  ProgressLine last;
  std::uint64_t steps = 0;
  std::uint64_t paperBits = 0;
  std::string outputPath;
};

std::string formatSummary(const RunSummary& summary);

}  // namespace memsgd
