#include "memsgd/run/averaged_evaluation.hpp"

namespace memsgd {

template <typename Scalar>
AveragedEvaluation<Scalar>::AveragedEvaluation(const Trainer<Scalar>& trainer,
                                               Evaluator<Scalar>& evaluator,
                                               DivergenceCheck& divergence)
    : trainer_(trainer), evaluator_(evaluator), divergence_(divergence) {}

template <typename Scalar>
const Evaluation& AveragedEvaluation<Scalar>::now() {
  if (evaluatedAt_ == trainer_.samples()) {
    return last_;
  }
  trainer_.averagedIterate(averaged_);
  last_ = evaluator_.evaluate(averaged_);
  evaluatedAt_ = trainer_.samples();
  divergence_.checkObjective(last_.trainLoss, trainer_.steps(), trainer_.samples());
  return last_;
}

template class AveragedEvaluation<float>;
template class AveragedEvaluation<double>;

}  // namespace memsgd
