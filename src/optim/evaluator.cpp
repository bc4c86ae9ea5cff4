#include "memsgd/optim/evaluator.hpp"

#include <array>
#include <cmath>

namespace memsgd {

template <typename Scalar>
Evaluator<Scalar>::Evaluator(const Communicator& comm, const Model<Scalar>& model,
                             const Dataset<Scalar>& train, const Dataset<Scalar>* test,
                             std::optional<double> optimum)
    : comm_(comm), model_(model), train_(train), test_(test), optimum_(optimum) {}

template <typename Scalar>
Evaluation Evaluator<Scalar>::evaluate(const ConstVectorRefOf<Scalar>& x) {
  // {train loss sum, test loss sum, test metric sum}: one reduction for all of them.
  std::array<double, 3> sums{model_.shardSums(train_, x, scratch_).loss, 0.0, 0.0};
  if (test_ != nullptr) {
    const ShardSums test = model_.shardSums(*test_, x, scratch_);
    sums[1] = test.loss;
    sums[2] = test.metric;
  }
  comm_.allreduceSum(sums, "the evaluation's sum of losses");
  Evaluation result;
  result.metric = model_.metric();
  result.trainLoss = sums[0] / static_cast<double>(train_.globalRows()) + model_.regularizer(x);
  if (optimum_) {
    result.suboptimality = result.trainLoss - *optimum_;
  }
  if (test_ != nullptr) {
    const auto testRows = static_cast<double>(test_->globalRows());
    result.testLoss = sums[1] / testRows;
    result.testMetric =
        result.metric == Metric::kAccuracy ? sums[2] / testRows : std::sqrt(sums[2] / testRows);
  }
  return result;
}

template class Evaluator<float>;
template class Evaluator<double>;

}  // namespace memsgd
