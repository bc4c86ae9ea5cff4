#pragma once

#include <optional>

#include "memsgd/data/dataset.hpp"
#include "memsgd/model/logistic_regression.hpp"
#include "memsgd/mpi/communicator.hpp"
#include "memsgd/optim/evaluation.hpp"

namespace memsgd {

// Evaluates an iterate over every rank's shards, combined with one MPI_Allreduce. Collective.
// Scalar is the model's precision; the sums are double.
template <typename Scalar>
class Evaluator {
 public:
  Evaluator(const Communicator& comm, const LogisticRegression<Scalar>& train,
            const Dataset<Scalar>* test, std::optional<double> optimum = std::nullopt);

  // One pass over each shard (training, test); no allocation once the scratch is sized.
  [[nodiscard]] Evaluation evaluate(const ConstVectorRefOf<Scalar>& x);

 private:
  const Communicator& comm_;
  const LogisticRegression<Scalar>& train_;
  std::optional<LogisticRegression<Scalar>> test_;
  std::optional<double> optimum_;
  VectorOf<Scalar> products_;  // A x of one shard
};

}  // namespace memsgd
