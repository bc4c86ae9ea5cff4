#pragma once

#include <mpi.h>
#include <unistd.h>

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "memsgd/cli/options.hpp"
#include "memsgd/mpi/communicator.hpp"

namespace memsgd::test {

// Parses a memsgd-train command line (without the program name) as the executable would.
inline RunConfig configFrom(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), "memsgd-train");
  arguments.emplace_back("--log.quiet=true");
  arguments.emplace_back("--log.overwrite=true");
  std::vector<const char*> argv;
  for (const auto& argument : arguments) {
    argv.push_back(argument.c_str());
  }
  std::ostream nowhere(nullptr);
  return *parseCommandLine(static_cast<int>(argv.size()), argv.data(), nowhere);
}

// A fresh directory shared by all ranks of a test (named by rank 0's pid), removed at the end.
class ScratchDirectory {
 public:
  ScratchDirectory(const Communicator& comm, const std::string& name) : comm_(comm) {
    long long pid = static_cast<long long>(::getpid());
    MPI_Bcast(&pid, 1, MPI_LONG_LONG, 0, comm.raw());
    root_ = std::filesystem::temp_directory_path() / ("memsgd_" + name + "_" + std::to_string(pid));
    if (comm.rank() == 0) {
      std::filesystem::create_directories(root_);
    }
    MPI_Barrier(comm.raw());
  }
  ~ScratchDirectory() {
    MPI_Barrier(comm_.raw());
    if (comm_.rank() == 0) {
      std::filesystem::remove_all(root_);
    }
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  ScratchDirectory(ScratchDirectory&&) = delete;
  ScratchDirectory& operator=(ScratchDirectory&&) = delete;

  [[nodiscard]] std::string path(const std::string& file) const { return (root_ / file).string(); }

 private:
  const Communicator& comm_;
  std::filesystem::path root_;
};

}  // namespace memsgd::test
