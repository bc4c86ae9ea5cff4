// An application on memsgd's public API: trains L2 logistic regression with top-k and error memory
// over MPI on a LIBSVM file, writes the HDF5 run file, then checks what it wrote.
//   mpirun -np 2 memsgd_consumer TRAIN.libsvm RUN.h5
#include <cstdint>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "memsgd/config/run_config.hpp"
#include "memsgd/io/run_file_reader.hpp"
#include "memsgd/mpi/communicator.hpp"
#include "memsgd/mpi/mpi_environment.hpp"
#include "memsgd/run/training_run.hpp"

namespace {

memsgd::RunConfig configure(const std::string& train, const std::string& output) {
  memsgd::RunConfig config;
  config.data.train = train;
  config.data.normalize = memsgd::Normalization::kL2;
  config.optimizer.epochs = 5;
  config.compression.method = "top_k";
  config.compression.k = 2;
  config.compression.memory = true;
  config.log.output = output;
  config.log.overwrite = true;
  config.log.quiet = true;
  return config;
}

// What the run must have produced; empty when it did.
std::string problemsWith(const memsgd::TrainingOutcome& outcome, const std::string& runFile,
                         int ranks) {
  const memsgd::RunFileReader reader(runFile);
  if (!reader.isComplete()) {
    return "the run file is not marked complete";
  }
  const std::vector<double> loss = reader.readColumn("/metrics/train_loss");
  if (loss.size() < 3) {
    return "the run file has " + std::to_string(loss.size()) + " rows, expected at least 3";
  }
  if (!(loss.back() < 0.9 * loss.front())) {
    return "the training loss went from " + std::to_string(loss.front()) + " to " +
           std::to_string(loss.back()) + ", not down by 10%";
  }
  if (loss.back() != outcome.last.trainLoss) {
    return "the run file's last loss differs from the outcome's";
  }
  const auto sent = reader.readMatrix("/ranks/bytes_sent");
  if (sent.size() != loss.size()) {
    return "/ranks/bytes_sent has " + std::to_string(sent.size()) + " rows for " +
           std::to_string(loss.size()) + " evaluations";
  }
  for (std::size_t rank = 0; rank < sent.back().size(); ++rank) {
    if (sent.back()[rank] <= 0) {
      return "rank " + std::to_string(rank) + " sent no bytes";
    }
  }
  if (sent.back().size() != static_cast<std::size_t>(ranks)) {
    return "/ranks/bytes_sent has " + std::to_string(sent.back().size()) + " columns for " +
           std::to_string(ranks) + " ranks";
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  memsgd::MpiEnvironment mpi(argc, argv);
  const memsgd::Communicator comm;
  if (argc != 3) {
    if (comm.rank() == 0) {
      std::cerr << "usage: memsgd_consumer TRAIN.libsvm RUN.h5\n";
    }
    return 2;
  }
  try {
    const memsgd::TrainingOutcome outcome =
        memsgd::runTraining(configure(argv[1], argv[2]), comm, std::cout);
    if (comm.rank() == 0) {
      const std::string problem = problemsWith(outcome, argv[2], comm.size());
      if (!problem.empty()) {
        std::cerr << "memsgd_consumer: " << problem << "\n";
        comm.abort(1);
      }
      std::cout << "memsgd_consumer: " << outcome.steps << " steps, train_loss "
                << outcome.last.trainLoss << "\n";
    }
    return 0;
  } catch (const memsgd::AgreedError& error) {
    // Every rank has it; rank 0 prints it once.
    if (comm.rank() == 0) {
      std::cerr << "memsgd_consumer: " << error.what() << "\n";
    }
    return error.exitCode();
  } catch (const std::exception& error) {
    std::cerr << "memsgd_consumer: rank " << comm.rank() << ": " << error.what() << "\n";
    comm.abort(1);
  }
}
