// For benchmarks run on several ranks: every rank runs every benchmark (the collectives need
// them all), and only rank 0 reports.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <string_view>
#include <vector>

namespace memsgd {

// Reports nothing: what ranks other than 0 run with.
class SilentReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context& /*context*/) override { return true; }
  void ReportRuns(const std::vector<Run>& /*report*/) override {}
};

// Without this, every rank would open and write the --benchmark_out file.
inline void dropOutputFileArguments(int& argc, char** argv) {
  const auto isOutputFile = [](const char* argument) {
    return std::string_view(argument).starts_with("--benchmark_out");
  };
  argc = static_cast<int>(std::remove_if(argv + 1, argv + argc, isOutputFile) - argv);
}

// Runs the registered benchmarks, reported by rank 0 only.
inline void runReportedByRankZero(bool reports) {
  if (reports) {
    benchmark::RunSpecifiedBenchmarks();
  } else {
    SilentReporter silent;
    benchmark::RunSpecifiedBenchmarks(&silent);
  }
}

}  // namespace memsgd
