// Whatever communication.collective sums the messages, every rank applies the same aggregate, so
// the replicas of x stay bitwise identical; the trainer runs the same algorithm through each
// (its x stays near allgather's), and the counters grow by what the collective hands to MPI.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstring>
#include <string_view>
#include <type_traits>

#include "memsgd/model/model_factory.hpp"
#include "memsgd/optim/trainer.hpp"
#include "random_data.hpp"

namespace memsgd {
namespace {

struct Case {
  CollectiveKind collective;
  const char* method;
  double momentum;  // > 0 with memory and top_k: momentum correction; rand_k_unbiased: heavy ball
  ValueType valueType;
};

template <typename Scalar>
Trainer<Scalar> makeTrainer(const Case& c, CollectiveKind collective, const Communicator& comm,
                            const Model<Scalar>& model, const Dataset<Scalar>& shard) {
  RunConfig config;
  config.compression.method = c.method;
  config.compression.k = 4;
  config.compression.memory = std::string_view(c.method) != "rand_k_unbiased";
  config.compression.threshold = 0.01;
  // Dense warm-up steps sum in MPI, which has no fp16 sum.
  config.compression.warmupSteps = c.valueType == ValueType::kFloat16 ? 0 : 3;
  config.optimizer.momentum = c.momentum;
  config.optimizer.batchSize = 2;
  config.communication.valueType = c.valueType;
  config.communication.collective = collective;
  return Trainer<Scalar>(config, comm, model, shard);
}

template <typename Scalar>
void expectIdenticalReplicas(const Case& c) {
  const Communicator comm;
  const Dataset<Scalar> shard =
      test::randomSparseData<Scalar>(40, 30, 100 + static_cast<std::uint64_t>(comm.rank()));
  RunConfig config;
  const auto model = makeModel(config.model, shard, 0);
  Trainer<Scalar> trainer = makeTrainer(c, c.collective, comm, *model, shard);
  Trainer<Scalar> allgather = makeTrainer(c, CollectiveKind::kAllgather, comm, *model, shard);
  for (int step = 0; step < 1000; ++step) {
    trainer.step();
    allgather.step();
  }
  VectorOf<Scalar> reference = trainer.x();
  const auto bytes = sizeof(Scalar) * static_cast<std::size_t>(reference.size());
  MPI_Bcast(reference.data(), static_cast<int>(bytes), MPI_BYTE, 0, comm.raw());
  EXPECT_EQ(std::memcmp(reference.data(), trainer.x().data(), bytes), 0);
  EXPECT_TRUE(trainer.x().allFinite());
  EXPECT_GT(trainer.x().norm(), 0);
  // Sums rounded in another order (and, with dense fp32, in float) move x by rounding only.
  const double tolerance =
      std::is_same_v<Scalar, float> || c.valueType == ValueType::kFloat32 ? 1e-3 : 1e-9;
  EXPECT_LE((trainer.x() - allgather.x()).norm(), tolerance * allgather.x().norm());
  EXPECT_EQ(trainer.counters().pairs, allgather.counters().pairs);
  EXPECT_EQ(trainer.counters().paperBits, allgather.counters().paperBits);
  if (comm.size() > 1) {
    EXPECT_GT(trainer.counters().received.total(), 0U);
  }
}

class CollectiveReplicas : public ::testing::TestWithParam<Case> {};

TEST_P(CollectiveReplicas, ReplicasAreBitwiseIdenticalAfter1000StepsInDouble) {
  expectIdenticalReplicas<double>(GetParam());
}

TEST_P(CollectiveReplicas, ReplicasAreBitwiseIdenticalAfter1000StepsInFloat) {
  expectIdenticalReplicas<float>(GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    Collectives, CollectiveReplicas,
    ::testing::Values(
        Case{CollectiveKind::kDense, "top_k", 0.0, ValueType::kFloat32},
        Case{CollectiveKind::kDense, "rand_k_unbiased", 0.9, ValueType::kFloat64},
        Case{CollectiveKind::kDense, "top_k", 0.9, ValueType::kFloat64},
        Case{CollectiveKind::kSplitAllgather, "top_k", 0.0, ValueType::kFloat32},
        Case{CollectiveKind::kSplitAllgather, "rand_k", 0.0, ValueType::kFloat64},
        Case{CollectiveKind::kSplitAllgather, "rand_k_unbiased", 0.9, ValueType::kFloat64},
        Case{CollectiveKind::kSplitAllgather, "threshold", 0.0, ValueType::kFloat16}));

}  // namespace
}  // namespace memsgd
