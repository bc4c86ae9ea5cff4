// For benchmarks run on several ranks: every rank runs every benchmark (the collectives need
// them all), and only rank 0 reports.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "memsgd/mpi/communicator.hpp"
#include "memsgd/mpi/mpi_environment.hpp"

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

// The main of such a benchmark: MPI up before any Communicator exists, `registerAll(comm)`, the
// rank count and the ratio counter's bound (`ratio`: its name, `bound`: what it divides by) in
// the context, for summaries made from the JSON output; only rank 0 reports.
template <typename Register>
int runOnEveryRank(int argc, char** argv, Register registerAll, const char* ratio,
                   const char* bound) {
  const MpiEnvironment mpi(argc, argv);
  const Communicator comm;
  const bool reports = comm.rank() == 0;
  if (!reports) {
    dropOutputFileArguments(argc, argv);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  registerAll(comm);
  benchmark::AddCustomContext("ranks", std::to_string(comm.size()));
  benchmark::AddCustomContext(ratio, bound);
  if (reports) {
    benchmark::RunSpecifiedBenchmarks();
  } else {
    SilentReporter silent;
    benchmark::RunSpecifiedBenchmarks(&silent);
  }
  benchmark::Shutdown();
  return 0;
}

}  // namespace memsgd
