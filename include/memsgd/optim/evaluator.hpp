#pragma once

#include <optional>

#include "memsgd/data/dataset.hpp"
#include "memsgd/model/model.hpp"
#include "memsgd/mpi/communicator.hpp"
#include "memsgd/optim/evaluation.hpp"

namespace memsgd {

// Evaluates an iterate of `model` over every rank's shards, combined with one MPI_Allreduce.
// Collective. Scalar is the model's precision; the sums are double. The model and the shards must
// outlive the evaluator.
template <typename Scalar>
class Evaluator {
 public:
  Evaluator(const Communicator& comm, const Model<Scalar>& model, const Dataset<Scalar>& train,
            const Dataset<Scalar>* test, std::optional<double> optimum = std::nullopt);

  // One pass over each shard (training, test); no allocation once the scratch is sized.
  [[nodiscard]] Evaluation evaluate(const ConstVectorRefOf<Scalar>& x);

 private:
  const Communicator& comm_;
  const Model<Scalar>& model_;
  const Dataset<Scalar>& train_;
  const Dataset<Scalar>* test_;
  std::optional<double> optimum_;
  VectorOf<Scalar> scratch_;  // the model's, reused by every shard pass
};

}  // namespace memsgd
