#include "memsgd/model/least_squares.hpp"

namespace memsgd {

template <typename Scalar>
ShardSums SquaredLoss::shardSums(const VectorOf<Scalar>& predictions, const Vector& labels) {
  const double squared = (predictions.template cast<double>() - labels).squaredNorm();
  return {0.5 * squared, squared};
}

template ShardSums SquaredLoss::shardSums(const VectorOf<float>&, const Vector&);
template ShardSums SquaredLoss::shardSums(const VectorOf<double>&, const Vector&);

template class LinearObjective<SquaredLoss>;
template class LinearModel<float, SquaredLoss>;
template class LinearModel<double, SquaredLoss>;

}  // namespace memsgd
