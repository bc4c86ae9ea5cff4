#pragma once

#include <Eigen/Core>

#include "memsgd/core/vector.hpp"
#include "memsgd/data/dataset.hpp"

namespace memsgd {

// The Hessian of a linear model's data term over one shard, sum_i w_i a_i a_i^T with w_i the
// loss's second derivative at row i, and its product with a vector: what the linear models'
// ConvexObjective shares.

// sum_i weights[i] a_i a_i^T (d x d, both triangles), weights >= 0.
Eigen::MatrixXd weightedGram(const Dataset<double>& data, const Vector& weights);

// out += sum_i weights[i] a_i (a_i . v), without forming the matrix.
void addWeightedGramTimes(const Dataset<double>& data, const Vector& weights,
                          const ConstVectorRef& v, VectorRef out);

}  // namespace memsgd
