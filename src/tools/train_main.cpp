// memsgd-train: Mem-SGD (and its baselines) on a LIBSVM data set over MPI.
//   mpirun -np 2 memsgd-train configs/quickstart.ini [--section.key=value ...]
#include <exception>
#include <iostream>
#include <optional>

#include "memsgd/comm/communicator.hpp"
#include "memsgd/comm/mpi_environment.hpp"
#include "memsgd/config/options.hpp"
#include "memsgd/error.hpp"
#include "memsgd/optim/training_run.hpp"

namespace {

int failLocally(const memsgd::Communicator& comm, const std::string& message, int exitCode) {
  // Only this rank knows: print and take the whole job down rather than leave peers waiting.
  std::cerr << "memsgd-train: error on rank " << comm.rank() << ": " << message << std::endl;
  comm.abort(exitCode);
}

}  // namespace

int main(int argc, char** argv) {
  memsgd::MpiEnvironment mpi(argc, argv);
  const memsgd::Communicator comm;
  try {
    std::optional<memsgd::RunConfig> config;
    std::exception_ptr failure;
    try {
      // Only rank 0 prints --help; every rank parses the same argv and reaches the same verdict.
      std::ostream nowhere(nullptr);
      config = memsgd::parseCommandLine(argc, argv, comm.rank() == 0 ? std::cout : nowhere);
    } catch (...) {
      failure = std::current_exception();
    }
    comm.agreeOnFailure(failure);
    if (!config) {
      return 0;
    }
    memsgd::runTraining(*config, comm, std::cout);
    return 0;
  } catch (const memsgd::AgreedError& error) {
    if (comm.rank() == 0) {
      std::cerr << "memsgd-train: error";
      if (comm.size() > 1) {
        std::cerr << " (rank " << error.originRank() << ")";
      }
      std::cerr << ": " << error.what() << std::endl;
    }
    return error.exitCode();
  } catch (const memsgd::Error& error) {
    return failLocally(comm, error.what(), error.exitCode());
  } catch (const std::exception& error) {
    return failLocally(comm, error.what(), memsgd::kExitRuntimeError);
  }
}
