// memsgd-optimum: f* and x* of the run's problem (data set, normalisation, lambda) by full-batch
// L-BFGS polished with Newton steps to ||grad f|| <= 1e-10, written to log.output (HDF5: /x_star,
// /f_star, ...) for model.optimum = FILE of later runs. Takes the same config as memsgd-train and
// ignores the optimizer/compression sections:
//   mpirun -np 2 memsgd-optimum configs/quickstart.ini --log.output=runs/a9a_optimum.h5
#include <chrono>
#include <exception>
#include <iostream>

#include "memsgd/data/distributed_load.hpp"
#include "memsgd/io/optimum_file.hpp"
#include "memsgd/model/model_factory.hpp"
#include "memsgd/optim/memory_estimate.hpp"
#include "memsgd/optim/optimum.hpp"
#include "tool_main.hpp"

namespace {

// Fixed, as options.cpp has no [optimum] section: tight enough for suboptimality down to ~1e-12.
constexpr double kGradientTolerance = 1e-10;
constexpr int kMaxIterations = 10000;

void runOptimum(const memsgd::RunConfig& config, const memsgd::Communicator& comm) {
  const auto start = std::chrono::steady_clock::now();
  // f* is a reference for runs of either model.precision: always solved in double.
  const memsgd::ShardedData<double> shards =
      memsgd::loadShards<double>(config.data, comm, memsgd::labelKindOf(config.model.type));
  const auto dim = static_cast<std::uint64_t>(shards.train.dim());
  const auto rows = shards.train.globalRows();
  const double lambda = memsgd::resolveLambda(config.model.lambda, rows);
  const auto model =
      memsgd::makeModel<double>(config.model.type, {dim, lambda, shards.classLabels.size()});
  const std::uint64_t parameters = model->parameterCount();
  memsgd::requireMemory(memsgd::estimateOptimumMemory(parameters), parameters, shards.dimOrigin,
                        comm);
  const memsgd::OptimumResult result =
      memsgd::findOptimum(*model, shards.train, comm, kGradientTolerance, kMaxIterations);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Only rank 0 writes; its failure is agreed on so that every rank exits with its code.
  comm.agreeOn([&] {
    if (comm.rank() == 0) {
      memsgd::writeOptimumFile(
          config.log.output, result,
          {config.model.type, rows, dim, lambda, config.data.normalize, shards.trainFingerprint},
          {{"data_train", config.data.train},
           {"gradient_tolerance", kGradientTolerance},
           {"ranks", static_cast<std::int64_t>(comm.size())}},
          config.log.overwrite);
    }
  });
  if (comm.rank() == 0) {
    std::cout.precision(17);
    std::cout << "f* = " << result.value << "\n||grad f(x*)|| = " << result.gradientNorm
              << "\niterations = " << result.iterations << " (" << result.newtonSteps << " Newton, "
              << result.hessianProducts
              << " Hessian-vector products), evaluations = " << result.evaluations
              << "\nmodel = " << config.model.type << ", lambda = " << lambda << ", n = " << rows
              << ", d = " << dim << ", p = " << parameters << "\nseconds = " << seconds
              << "\nwritten to " << config.log.output << std::endl;
  }
  if (result.gradientNorm > kGradientTolerance && comm.rank() == 0) {
    std::cerr << "memsgd-optimum: warning: ||grad|| = " << result.gradientNorm
              << " is above the tolerance " << kGradientTolerance << ": "
              << (result.stop == memsgd::OptimumStop::kNewtonLimit
                      ? "50 Newton steps were not enough"
                      : "no Newton step lowers f or ||grad|| any more (rounding level)")
              << std::endl;
  }
}

}  // namespace

int main(int argc, char** argv) {
  return memsgd::tools::runTool("memsgd-optimum", argc, argv, runOptimum);
}
