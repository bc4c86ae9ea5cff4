#pragma once
// The main() skeleton shared by memsgd's MPI tools: parse the command line on every rank, agree on
// parse failures, run the tool, and turn errors into one message and one exit code per job.
#include <exception>
#include <iostream>
#include <optional>
#include <string>

#include "memsgd/cli/options.hpp"
#include "memsgd/core/error.hpp"
#include "memsgd/mpi/communicator.hpp"
#include "memsgd/mpi/mpi_environment.hpp"

namespace memsgd::tools {

// Runs `body(config, comm)` under MPI for the tool called `name` and returns main's exit code.
// Agreed errors are printed once by rank 0; errors met by one rank alone abort the whole job.
template <typename Body>
int runTool(const char* name, int argc, char** argv, Body&& body) {
  MpiEnvironment mpi(argc, argv);
  const Communicator comm;
  // One write per message: mpirun's own abort banner goes to the same stream and must not
  // split it.
  const auto print = [](const std::string& line) { std::cerr << line + "\n" << std::flush; };
  const auto failLocally = [&](const std::string& message, int exitCode) -> int {
    // Only this rank knows: print and take the whole job down rather than leave peers waiting.
    print(std::string(name) + ": error on rank " + std::to_string(comm.rank()) + ": " + message);
    comm.abort(exitCode);
  };
  try {
    // Until the configuration names its own timeout, the default one watches the start-up.
    comm.watchCollectives(CommunicationConfig{}.timeoutSeconds, name);
    std::optional<RunConfig> config;
    comm.agreeOn([&] {
      // Only rank 0 prints --help; every rank parses the same argv and reaches the same verdict.
      std::ostream nowhere(nullptr);
      config = parseCommandLine(argc, argv, comm.rank() == 0 ? std::cout : nowhere);
    });
    if (!config) {
      return 0;
    }
    comm.watchCollectives(config->communication.timeoutSeconds, name);
    body(*config, comm);
    return 0;
  } catch (const AgreedError& error) {
    if (comm.rank() == 0) {
      const std::string origin =
          comm.size() > 1 ? " (rank " + std::to_string(error.originRank()) + ")" : "";
      print(std::string(name) + ": error" + origin + ": " + error.what());
    }
    return error.exitCode();
  } catch (const Error& error) {
    return failLocally(error.what(), error.exitCode());
  } catch (const std::exception& error) {
    return failLocally(error.what(), kExitRuntimeError);
  }
}

}  // namespace memsgd::tools
