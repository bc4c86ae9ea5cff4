#pragma once

#include "memsgd/core/vector.hpp"
#include "memsgd/data/dataset.hpp"
#include "memsgd/model/model.hpp"
#include "memsgd/mpi/communicator.hpp"

namespace memsgd {

// Why findOptimum stopped: at the tolerance, or above it for one of two reasons.
enum class OptimumStop {
  kTolerance,      // ||grad f|| <= the tolerance
  kRoundingLevel,  // no Newton step (halved down to 1e-6) lowers f or ||grad f|| any more
  kNewtonLimit,    // 50 Newton steps were not enough
};

// The dense Hessian is O(p^2) memory and traffic per Newton step; above this size (or for a model
// without one) the Newton direction comes from conjugate gradients on Hessian-vector products
// (O(p) each) instead.
inline constexpr Eigen::Index kMaxDenseNewtonDim = 4096;

// The minimiser of the full objective f(x) = (1/n) sum_i loss_i(x) + (lambda/2)||x||^2 over the
// rows of all ranks: the f* that suboptimality f(x_bar) - f* is measured against.
struct OptimumResult {
  Vector x;                   // x*
  double value = 0.0;         // f* = f(x*)
  double gradientNorm = 0.0;  // ||grad f(x*)||_2, absolute
  int iterations = 0;         // L-BFGS iterations plus Newton steps
  int newtonSteps = 0;        // of which Newton steps (polish after L-BFGS)
  int hessianProducts = 0;    // Hessian-vector products of the conjugate-gradient Newton steps
  int evaluations = 0;        // full objective + gradient evaluations (one Allreduce each)
  OptimumStop stop = OptimumStop::kTolerance;
};

// Collective: the full objective and its gradient at x, each rank contributing its shard `data`
// and the sums taken with one Allreduce, so every rank gets the same values. Returns f(x). The
// model must be convex (model.convex() != nullptr; else std::invalid_argument), as for findOptimum.
double fullObjective(const Model<double>& model, const Dataset<double>& data,
                     const Communicator& comm, const ConstVectorRef& x, VectorRef gradient);

// Collective: full-batch L-BFGS (LBFGSpp, strong-Wolfe line search) from x = 0 to ||grad f|| <=
// 1e-7, then Newton steps with a backtracking line search until the ABSOLUTE gradient norm is <=
// gradientTolerance. The Newton direction solves the dense Hessian (summed over ranks) for
// p <= 4096 and runs conjugate gradients on Hessian-vector products (one Allreduce of p values
// each) above. `stop` says why it ended; the caller checks gradientNorm. Every rank runs the
// identical iterations. maxIterations bounds the L-BFGS iterations (Newton steps are at most 50
// more). When the line search gives up, the L-BFGS part of `iterations` counts evaluations
// instead (LBFGSpp does not report its count).
OptimumResult findOptimum(const Model<double>& model, const Dataset<double>& data,
                          const Communicator& comm, double gradientTolerance = 1e-10,
                          int maxIterations = 10000);

}  // namespace memsgd
