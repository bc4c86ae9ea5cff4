#pragma once

#include "memsgd/comm/communicator.hpp"
#include "memsgd/data/dataset.hpp"
#include "memsgd/model/logistic_regression.hpp"

namespace memsgd {

// Dense Newton is O(d^2) memory and traffic per step; above this, L-BFGS alone has to do.
inline constexpr Eigen::Index kMaxNewtonDim = 4096;

// The minimiser of the full objective f(x) = (1/n) sum_i loss_i(x) + (lambda/2)||x||^2 over the
// rows of all ranks: the f* that suboptimality f(x_bar) - f* is measured against.
struct OptimumResult {
  Vector x;                   // x*
  double value = 0.0;         // f* = f(x*)
  double gradientNorm = 0.0;  // ||grad f(x*)||_2, absolute
  int iterations = 0;         // L-BFGS iterations plus Newton steps
  int newtonSteps = 0;        // of which dense Newton steps (polish after L-BFGS)
  int evaluations = 0;        // full objective + gradient evaluations (one Allreduce each)
};

// Collective: the full objective and its gradient at x, each rank contributing its shard and the
// sums taken with one Allreduce, so every rank gets the same values. Returns f(x).
double fullObjective(const LogisticRegression<double>& model, const Communicator& comm,
                     const ConstVectorRef& x, VectorRef gradient);

// Collective: full-batch L-BFGS (LBFGSpp, strong-Wolfe line search) from x = 0, then, for
// d <= 4096, dense Newton steps (Hessian summed over ranks) until the ABSOLUTE gradient norm is
// <= gradientTolerance. For larger d, L-BFGS alone runs to the tolerance or until f stalls; the
// caller checks gradientNorm. Every rank runs the identical iterations. maxIterations bounds the
// L-BFGS iterations (Newton steps are at most 50 more). When the line search gives up, the
// L-BFGS part of `iterations` counts evaluations instead (LBFGSpp does not report its count).
OptimumResult findOptimum(const LogisticRegression<double>& model, const Communicator& comm,
                          double gradientTolerance = 1e-10, int maxIterations = 10000);

}  // namespace memsgd
