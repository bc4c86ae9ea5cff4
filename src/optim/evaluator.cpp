#include "memsgd/optim/evaluator.hpp"

#include <array>

namespace memsgd {

template <typename Scalar>
Evaluator<Scalar>::Evaluator(const Communicator& comm, const LogisticRegression<Scalar>& train,
                             const Dataset<Scalar>* test, std::optional<double> optimum)
    : comm_(comm), train_(train), optimum_(optimum) {
  if (test != nullptr) {
    test_.emplace(*test, train.lambda());
  }
}

template <typename Scalar>
Evaluation Evaluator<Scalar>::evaluate(const ConstVectorRefOf<Scalar>& x) {
  // {train loss sum, test loss sum, test correct}: one reduction for all of them.
  std::array<double, 3> sums{train_.shardSums(x, products_).loss, 0.0, 0.0};
  if (test_) {
    const auto test = test_->shardSums(x, products_);
    sums[1] = test.loss;
    sums[2] = static_cast<double>(test.correct);
  }
  comm_.allreduceSum(sums, "the evaluation's sum of losses");
  Evaluation result;
  result.trainLoss =
      sums[0] / static_cast<double>(train_.data().globalRows()) + train_.regularizer(x);
  if (optimum_) {
    result.suboptimality = result.trainLoss - *optimum_;
  }
  if (test_) {
    const auto testRows = static_cast<double>(test_->data().globalRows());
    result.testLoss = sums[1] / testRows;
    result.testAccuracy = sums[2] / testRows;
  }
  return result;
}

template class Evaluator<float>;
template class Evaluator<double>;

}  // namespace memsgd
