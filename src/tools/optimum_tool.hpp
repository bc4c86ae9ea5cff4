#pragma once
// The body of memsgd-optimum (optimum_main.cpp), in a header so that a test tool can register a
// model first and then run exactly what memsgd-optimum runs.
#include <chrono>
#include <cstdint>
#include <iostream>

#include "memsgd/config/run_config.hpp"
#include "memsgd/data/distributed_load.hpp"
#include "memsgd/io/optimum_file.hpp"
#include "memsgd/model/model_factory.hpp"
#include "memsgd/mpi/communicator.hpp"
#include "memsgd/optim/memory_estimate.hpp"
#include "memsgd/optim/optimum.hpp"

namespace memsgd::tools {

// Fixed, as options.cpp has no [optimum] section: tight enough for suboptimality down to ~1e-12.
inline constexpr double kGradientTolerance = 1e-10;
inline constexpr int kMaxIterations = 10000;

// What memsgd-optimum does once the command line is parsed.
inline void runOptimum(const RunConfig& config, const Communicator& comm) {
  // A model without f* is refused before any data is read (every rank agrees; rank 0 prints).
  comm.agreeOn([&] { requireConvex(config.model.type); });
  const auto start = std::chrono::steady_clock::now();
  // f* is a reference for runs of either model.precision: always solved in double.
  const ShardedData<double> shards =
      loadShards<double>(config.data, comm, labelKindOf(config.model.type));
  const auto dim = static_cast<std::uint64_t>(shards.train.dim());
  const auto rows = shards.train.globalRows();
  const double lambda = resolveLambda(config.model.lambda, rows);
  const auto model = makeModel<double>(config.model.type, {dim, lambda, shards.classLabels.size()});
  const std::uint64_t parameters = model->parameterCount();
  requireMemory(estimateOptimumMemory(parameters), 0,
                static_cast<std::uint64_t>(shards.train.dim()), parameters, shards.dimOrigin, comm);
  const OptimumResult result =
      findOptimum(*model, shards.train, comm, kGradientTolerance, kMaxIterations);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Only rank 0 writes; its failure is agreed on so that every rank exits with its code.
  comm.agreeOn([&] {
    if (comm.rank() == 0) {
      writeOptimumFile(
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
              << (result.stop == OptimumStop::kNewtonLimit
                      ? "50 Newton steps were not enough"
                      : "no Newton step lowers f or ||grad|| any more (rounding level)")
              << std::endl;
  }
}

}  // namespace memsgd::tools
