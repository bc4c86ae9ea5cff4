#include "memsgd/optim/optimum.hpp"

#include <LBFGS.h>
#include <Eigen/Cholesky>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <exception>
#include <stdexcept>
#include <vector>

#include "memsgd/core/error.hpp"

namespace memsgd {
namespace {

constexpr int kMaxNewtonSteps = 50;
// L-BFGS hands over to Newton at this gradient norm; Newton then needs one or two steps.
constexpr double kNewtonStartTolerance = 1e-7;
// Conjugate gradients stop at ||H s + g|| <= min(kMaxForcing, sqrt(||g||)) ||g|| (an inexact
// Newton step that still converges superlinearly), or after this many products.
constexpr double kMaxForcing = 0.1;
constexpr int kMaxConjugateGradientSteps = 1000;

// The model's convex part: what every function here needs of it.
const ConvexObjective& convexPart(const Model<double>& model) {
  const ConvexObjective* convex = model.convex();
  if (convex == nullptr) {
    throw std::invalid_argument("f* of a model that is not convex");
  }
  return *convex;
}

// Adapts fullObjective to LBFGSpp's functor interface and remembers the lowest point it saw:
// when the line search gives up near the optimum (f flat to rounding), that point is kept.
class Objective {
 public:
  Objective(const Model<double>& model, const Dataset<double>& data, const Communicator& comm)
      : model_(model), data_(data), comm_(comm) {}

  double operator()(const Vector& x, Vector& gradient) {
    // LBFGSpp's line search can propose a NaN step near the optimum and then evaluates NaN points
    // forever; leaving it makes findOptimum continue from the best point seen.
    if (!x.allFinite()) {
      throw std::runtime_error("the line search proposed a non-finite point");
    }
    const double value = fullObjective(model_, data_, comm_, x, gradient);
    ++evaluations_;
    if (evaluations_ == 1 || value < bestValue_ ||
        (value == bestValue_ && gradient.norm() < bestGradient_.norm())) {
      bestValue_ = value;
      bestX_ = x;
      bestGradient_ = gradient;
    }
    return value;
  }

  [[nodiscard]] int evaluations() const { return evaluations_; }
  [[nodiscard]] const Vector& bestX() const { return bestX_; }
  [[nodiscard]] double bestValue() const { return bestValue_; }
  [[nodiscard]] const Vector& bestGradient() const { return bestGradient_; }

 private:
  const Model<double>& model_;
  const Dataset<double>& data_;
  const Communicator& comm_;
  int evaluations_ = 0;
  double bestValue_ = 0.0;
  Vector bestX_;
  Vector bestGradient_;
};

// The Hessian (1/n) sum over all ranks' rows of the data term's Hessian, + lambda I.
Eigen::MatrixXd fullHessian(const Model<double>& model, const Dataset<double>& data,
                            const Communicator& comm, const ConstVectorRef& x) {
  Eigen::MatrixXd hessian = convexPart(model).shardHessian(data, x);
  comm.allreduceSum(std::span<double>(hessian.data(), static_cast<std::size_t>(hessian.size())));
  hessian /= static_cast<double>(data.globalRows());
  hessian.diagonal().array() += model.lambda();
  return hessian;
}

// The Hessian times v without forming it, at the point of `curvature` (this rank's part), summed
// over ranks with one Allreduce: (1/n) sum_i H_i v + lambda v.
Vector hessianTimes(const Model<double>& model, const Dataset<double>& data,
                    const Communicator& comm, const Vector& curvature, const Vector& v) {
  Vector product = Vector::Zero(v.size());
  convexPart(model).addShardHessianTimes(data, curvature, v, product);
  comm.allreduceSum(std::span<double>(product.data(), static_cast<std::size_t>(product.size())));
  return product / static_cast<double>(data.globalRows()) + model.lambda() * v;
}

// Conjugate gradients on H s = -g from s = 0 (H is positive definite: lambda > 0). Every iterate
// is a descent direction, so a step cut short by the iteration limit is still usable.
Vector conjugateGradientNewtonStep(const Model<double>& model, const Dataset<double>& data,
                                   const Communicator& comm, const ConstVectorRef& x,
                                   const Vector& gradient, int& products) {
  const Vector curvature = convexPart(model).curvature(data, x);
  const double gradientNorm = gradient.norm();
  const double tolerance = std::min(kMaxForcing, std::sqrt(gradientNorm)) * gradientNorm;
  Vector step = Vector::Zero(gradient.size());
  Vector residual = -gradient;  // -g - H s
  Vector direction = residual;
  double residualSquared = residual.squaredNorm();
  for (int i = 0; i < kMaxConjugateGradientSteps && std::sqrt(residualSquared) > tolerance; ++i) {
    const Vector product = hessianTimes(model, data, comm, curvature, direction);
    ++products;
    const double alpha = residualSquared / direction.dot(product);
    step += alpha * direction;
    residual -= alpha * product;
    const double nextSquared = residual.squaredNorm();
    direction = residual + (nextSquared / residualSquared) * direction;
    residualSquared = nextSquared;
  }
  return step;
}

// The Newton direction -H^-1 g: exact from the dense Hessian when p is small and the model offers
// one, else inexact from conjugate gradients. Every rank computes the same direction (all sums
// are over all ranks).
Vector newtonStep(const Model<double>& model, const Dataset<double>& data, const Communicator& comm,
                  const ConstVectorRef& x, const Vector& gradient, int& products) {
  if (convexPart(model).hasDenseHessian() && x.size() <= kMaxDenseNewtonDim) {
    return fullHessian(model, data, comm, x).ldlt().solve(-gradient);
  }
  return conjugateGradientNewtonStep(model, data, comm, x, gradient, products);
}

}  // namespace

double fullObjective(const Model<double>& model, const Dataset<double>& data,
                     const Communicator& comm, const ConstVectorRef& x, VectorRef gradient) {
  const Eigen::Index p = x.size();
  // [gradient sum, loss sum] in one buffer, so one Allreduce per evaluation.
  Vector sums = Vector::Zero(p + 1);
  sums[p] = convexPart(model).addShardLossAndGradient(data, x, sums.head(p));
  comm.allreduceSum(std::span<double>(sums.data(), static_cast<std::size_t>(sums.size())));
  const auto n = static_cast<double>(data.globalRows());
  gradient = sums.head(p) / n + model.lambda() * x;
  return sums[p] / n + model.regularizer(x);
}

OptimumResult findOptimum(const Model<double>& model, const Dataset<double>& data,
                          const Communicator& comm, double gradientTolerance, int maxIterations) {
  const auto d = static_cast<Eigen::Index>(model.parameterCount());
  LBFGSpp::LBFGSParam<double> param;
  param.m = 20;
  // Stop on the absolute gradient norm only (LBFGSpp stops at ||g|| <= max(epsilon,
  // epsilon_rel ||x||)). Newton polishes, so L-BFGS only has to get close: near ||g|| ~ 1e-10
  // its line search works at the rounding level of f and can stall for thousands of iterations.
  // The decrease test (f unchanged to 1e-15 over 10 iterations) ends such stalls in any case.
  param.epsilon = std::max(gradientTolerance, kNewtonStartTolerance);
  param.epsilon_rel = 0.0;
  param.past = 10;
  param.delta = 1e-15;
  param.max_iterations = maxIterations;
  param.linesearch = LBFGSpp::LBFGS_LINESEARCH_BACKTRACKING_STRONG_WOLFE;
  param.max_linesearch = 40;
  LBFGSpp::LBFGSSolver<double, LBFGSpp::LineSearchNocedalWright> solver(param);

  Objective objective(model, data, comm);
  OptimumResult result;
  result.x = Vector::Zero(d);
  try {
    double value = 0.0;
    result.iterations = solver.minimize(objective, result.x, value);
  } catch (const Error&) {
    throw;  // MPI or data failures are not convergence problems
  } catch (const std::exception&) {
    // The line search gives up when f no longer decreases to rounding; every rank sees the same
    // values and gives up at the same point. Continue from the best point seen.
    result.iterations = objective.evaluations();
  }
  result.x = objective.bestX();
  result.value = objective.bestValue();
  Vector gradient = objective.bestGradient();
  result.gradientNorm = gradient.norm();
  result.evaluations = objective.evaluations();

  // Newton polish: quadratic convergence from where L-BFGS stopped (at most a few steps).
  Vector trialGradient(d);
  while (result.gradientNorm > gradientTolerance) {
    if (result.newtonSteps == kMaxNewtonSteps) {
      result.stop = OptimumStop::kNewtonLimit;
      break;
    }
    const Vector step = newtonStep(model, data, comm, result.x, gradient, result.hessianProducts);
    bool accepted = false;
    for (double t = 1.0; t > 1e-6 && !accepted; t *= 0.5) {
      const Vector trial = result.x + t * step;
      const double value = fullObjective(model, data, comm, trial, trialGradient);
      ++result.evaluations;
      const double norm = trialGradient.norm();
      if (value < result.value || norm < result.gradientNorm) {
        result.x = trial;
        result.value = value;
        gradient = trialGradient;
        result.gradientNorm = norm;
        accepted = true;
      }
    }
    if (!accepted) {
      result.stop = OptimumStop::kRoundingLevel;  // no step improves f or ||g||
      break;
    }
    ++result.newtonSteps;
    ++result.iterations;
  }
  return result;
}

}  // namespace memsgd
