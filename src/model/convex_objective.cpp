#include "memsgd/model/convex_objective.hpp"

#include <stdexcept>

namespace memsgd {

Eigen::MatrixXd ConvexObjective::shardHessian(const Dataset<double>& /*data*/,
                                              const ConstVectorRef& /*x*/) const {
  throw std::logic_error("shardHessian of a model without a dense Hessian");
}

}  // namespace memsgd
