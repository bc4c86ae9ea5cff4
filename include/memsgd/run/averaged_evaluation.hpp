#pragma once

#include <cstdint>
#include <optional>

#include "memsgd/optim/evaluator.hpp"
#include "memsgd/optim/trainer.hpp"
#include "memsgd/run/divergence_check.hpp"

namespace memsgd {

// The objective at x_bar of the trainer's current point, computed once per point and checked for
// divergence before anything uses it: the run file's rows and the checkpoints share it.
template <typename Scalar>
class AveragedEvaluation {
 public:
  AveragedEvaluation(const Trainer<Scalar>& trainer, Evaluator<Scalar>& evaluator,
                     DivergenceCheck& divergence);

  // Collective when the point is new.
  const Evaluation& now();

  // The last evaluation and its x_bar (empty before the first).
  [[nodiscard]] const Evaluation& last() const { return last_; }
  [[nodiscard]] const VectorOf<Scalar>& averaged() const { return averaged_; }

 private:
  const Trainer<Scalar>& trainer_;
  Evaluator<Scalar>& evaluator_;
  DivergenceCheck& divergence_;
  std::optional<std::uint64_t> evaluatedAt_;  // samples
  Evaluation last_;
  VectorOf<Scalar> averaged_;
};

}  // namespace memsgd
