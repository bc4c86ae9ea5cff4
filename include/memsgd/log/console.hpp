#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "memsgd/model/metric.hpp"

namespace memsgd {

// What rank 0 prints after each evaluation.
struct ProgressLine {
  double epoch = 0.0;
  std::uint64_t samples = 0;
  double trainLoss = 0.0;
  std::optional<double> suboptimality;  // when f* is known
  Metric metric = Metric::kAccuracy;    // the model's, named even without a test set
  std::optional<double> testMetric;     // with a test set
  double megabytesSent = 0.0;           // all ranks, logical fan-out model
  double elapsedSeconds = 0.0;
};

std::string formatProgress(const ProgressLine& line);

// What rank 0 prints before the first evaluation: the settings resolved from the data.
struct RunStart {
  std::string method;
  bool sendsK = false;  // whether k applies to the method
  std::uint64_t k = 0;  // in force (a percentage resolved against p)
  bool memory = false;
  int ranks = 1;
  std::uint64_t rows = 0;
  std::uint64_t dim = 0;
  std::uint64_t parameters = 0;  // p, shown when it is not d
};

std::string formatStart(const RunStart& start);

// Where rank 0's time went, for speed figures: loading (or generating) its shards, and the
// trainer's steps alone, without evaluations, checkpoints and logging.
struct RunTiming {
  double loadSeconds = 0.0;
  double stepSeconds = 0.0;
  double epochsStepped = 0.0;  // by this process: less than the run's epochs when it resumed
};

// The closing lines of a run: final loss, traffic, timing, where the run file is.
struct RunSummary {
  ProgressLine last;
  RunTiming timing;
  std::uint64_t steps = 0;
  std::uint64_t paperBits = 0;
  std::string outputPath;
  // Per rank: the share of its step time it spent waiting in the step's exchange; the slowest
  // (smallest share) and the fastest rank's (largest) are printed with 2 ranks or more.
  std::vector<double> waitShares;
};

std::string formatSummary(const RunSummary& summary);

}  // namespace memsgd
