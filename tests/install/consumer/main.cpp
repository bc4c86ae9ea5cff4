// An application on memsgd's public API with a model of its own (smoothed_hinge.hpp): registers
// it as model.type = smoothed_hinge, trains it with top-k and error memory over MPI on a LIBSVM
// file into the HDF5 run file, checks what it wrote, and solves the model's f* with memsgd's
// optimum solver to check the trained loss against it.
//   mpirun -np 2 memsgd_consumer TRAIN.libsvm RUN.h5
#include <cstdint>
#include <exception>
#include <iostream>
#include <optional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "memsgd/cli/options.hpp"
#include "memsgd/config/run_config.hpp"
#include "memsgd/data/distributed_load.hpp"
#include "memsgd/io/run_file_reader.hpp"
#include "memsgd/model/model_factory.hpp"
#include "memsgd/mpi/communicator.hpp"
#include "memsgd/mpi/mpi_environment.hpp"
#include "memsgd/optim/optimum.hpp"
#include "memsgd/run/training_run.hpp"
#include "smoothed_hinge.hpp"

namespace {

constexpr const char* kModel = "smoothed_hinge";

// The run's settings as a command line, parsed by memsgd as memsgd-train parses its own: after
// registerModel, model.type accepts the model, and the run file records every resolved key.
memsgd::RunConfig configure(const std::string& train, const std::string& output) {
  const std::vector<std::string> arguments{
      "memsgd_consumer",        "--data.train=" + train,
      "--data.normalize=l2",    std::string("--model.type=") + kModel,
      "--optimizer.epochs=5",   "--compression.method=top_k",
      "--compression.k=2",      "--compression.memory=true",
      "--log.output=" + output, "--log.overwrite=true",
      "--log.quiet=true"};
  std::vector<const char*> argv;
  for (const std::string& argument : arguments) argv.push_back(argument.c_str());
  std::ostream nowhere(nullptr);
  return *memsgd::parseCommandLine(static_cast<int>(argv.size()), argv.data(), nowhere);
}

// f* of the configured problem, by memsgd's solver on the model's convex part. Collective.
double optimum(const memsgd::RunConfig& config, const memsgd::Communicator& comm) {
  const memsgd::ShardedData<double> shards =
      memsgd::loadShards<double>(config.data, comm, memsgd::labelKindOf(config.model.type));
  const auto model = memsgd::makeModel(config.model, shards.train);
  return memsgd::findOptimum(*model, shards.train, comm).value;
}

// What the run must have produced; empty when it did.
std::string problemsWith(const memsgd::TrainingOutcome& outcome, const std::string& runFile,
                         int ranks, double fStar) {
  const memsgd::RunFileReader reader(runFile);
  if (!reader.isComplete()) {
    return "the run file is not marked complete";
  }
  const memsgd::AttributeValue type = reader.readConfigAttribute("model.type");
  if (!std::holds_alternative<std::string>(type) || std::get<std::string>(type) != kModel) {
    return std::string("the run file's model.type is not ") + kModel;
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
  // No iterate is below the minimum, and 5 epochs close most of the gap from the start.
  if (loss.back() < fStar - 1e-12 || !(loss.back() - fStar < 0.1 * (loss.front() - fStar))) {
    return "the training loss went from " + std::to_string(loss.front()) + " to " +
           std::to_string(loss.back()) + " for f* = " + std::to_string(fStar);
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
    memsgd::registerModel<consumer::SmoothedHinge>(kModel);
    std::optional<memsgd::RunConfig> config;
    // Every rank parses the same words; a refusal is agreed on and printed once.
    comm.agreeOn([&] { config = configure(argv[1], argv[2]); });
    const memsgd::TrainingOutcome outcome = memsgd::runTraining(*config, comm, std::cout);
    const double fStar = optimum(*config, comm);
    if (comm.rank() == 0) {
      const std::string problem = problemsWith(outcome, argv[2], comm.size(), fStar);
      if (!problem.empty()) {
        std::cerr << "memsgd_consumer: " << problem << "\n";
        comm.abort(1);
      }
      std::cout << "memsgd_consumer: " << kModel << ", " << outcome.steps << " steps, train_loss "
                << outcome.last.trainLoss << ", f* " << fStar << "\n";
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
