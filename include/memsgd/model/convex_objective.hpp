#pragma once

#include <Eigen/Core>

#include "memsgd/core/vector.hpp"
#include "memsgd/data/dataset.hpp"

namespace memsgd {

// What memsgd-optimum needs of a convex model, in double, over one rank's shard. Every call
// returns or adds sums over the shard's rows of the data term only: the caller reduces them over
// ranks, divides by n and adds the regulariser (lambda/2)||x||^2, its gradient and lambda I.
class ConvexObjective {
 public:
  ConvexObjective() = default;
  virtual ~ConvexObjective() = default;
  ConvexObjective(const ConvexObjective&) = delete;
  ConvexObjective& operator=(const ConvexObjective&) = delete;
  ConvexObjective(ConvexObjective&&) = delete;
  ConvexObjective& operator=(ConvexObjective&&) = delete;

  // The shard's loss sum at x; its gradient sum is added into `gradientSum` (p values).
  [[nodiscard]] virtual double addShardLossAndGradient(const Dataset<double>& data,
                                                       const ConstVectorRef& x,
                                                       VectorRef gradientSum) const = 0;
  // What Hessian-vector products at x need of the shard (one curvature per row for the linear
  // models), computed once per Newton step and reused by each product.
  [[nodiscard]] virtual Vector curvature(const Dataset<double>& data,
                                         const ConstVectorRef& x) const = 0;
  // out += the shard's Hessian at the point of `curvature`, times v.
  virtual void addShardHessianTimes(const Dataset<double>& data, const Vector& curvature,
                                    const ConstVectorRef& v, VectorRef out) const = 0;
  // Whether shardHessian is offered: else Newton steps use conjugate gradients alone.
  [[nodiscard]] virtual bool hasDenseHessian() const { return false; }
  // The shard's Hessian at x (p x p, both triangles), when hasDenseHessian().
  [[nodiscard]] virtual Eigen::MatrixXd shardHessian(const Dataset<double>& data,
                                                     const ConstVectorRef& x) const;
};

}  // namespace memsgd
