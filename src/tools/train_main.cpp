// memsgd-train: Mem-SGD (and its baselines) on a LIBSVM or synthetic data set over MPI.
//   mpirun -np 2 memsgd-train configs/quickstart.ini [--section.key=value ...]
// With --dry-run it prints the run's /config attributes as JSON instead (what launch/sweep.py
// compares with an existing run file's).
#include <iostream>

#include "memsgd/run/training_run.hpp"
#include "tool_main.hpp"

int main(int argc, char** argv) {
  return memsgd::tools::runTool(
      "memsgd-train", argc, argv,
      [](const memsgd::RunConfig& config, const memsgd::Communicator& comm) {
        if (config.dryRun) {
          memsgd::describeRun(config, comm, std::cout);
        } else {
          memsgd::runTraining(config, comm, std::cout);
        }
      });
}
