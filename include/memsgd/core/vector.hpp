#pragma once

#include <Eigen/Core>

namespace memsgd {

// Vectors of the model's precision (model.precision: x, the error memory, the data values).
template <typename Scalar>
using VectorOf = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
template <typename Scalar>
using VectorRefOf = Eigen::Ref<VectorOf<Scalar>>;
template <typename Scalar>
using ConstVectorRefOf = Eigen::Ref<const VectorOf<Scalar>>;
// Double vectors: accumulators, labels, and everything that does not depend on the precision.
using Vector = VectorOf<double>;
using VectorRef = VectorRefOf<double>;
using ConstVectorRef = ConstVectorRefOf<double>;

}  // namespace memsgd
