// Every rank applies the same P messages in rank order, so the replicas of x must stay bitwise
// identical, whatever the compressor, precision or aggregation.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstring>

#include "memsgd/optim/trainer.hpp"
#include "random_data.hpp"

namespace memsgd {
namespace {

struct Case {
  const char* method;
  bool memory;
  ValueType valueType;
  Aggregation aggregation;
};

template <typename Scalar>
void expectIdenticalReplicas(const Case& c) {
  const Communicator comm;
  // Each rank holds different rows, so every rank's messages differ.
  const Dataset<Scalar> shard =
      test::randomSparseData<Scalar>(40, 30, 100 + static_cast<std::uint64_t>(comm.rank()));
  RunConfig config;
  config.compression.method = c.method;
  config.compression.k = 3;
  config.compression.memory = c.memory;
  config.communication.valueType = c.valueType;
  config.communication.aggregation = c.aggregation;
  config.optimizer.batchSize = 2;
  Trainer<Scalar> trainer(config, comm, shard);
  for (int step = 0; step < 1000; ++step) {
    trainer.step();
  }
  VectorOf<Scalar> reference = trainer.x();
  const auto bytes = sizeof(Scalar) * static_cast<std::size_t>(reference.size());
  MPI_Bcast(reference.data(), static_cast<int>(bytes), MPI_BYTE, 0, comm.raw());
  EXPECT_EQ(std::memcmp(reference.data(), trainer.x().data(), bytes), 0);
  EXPECT_GT(trainer.x().norm(), 0);
  EXPECT_EQ(trainer.samples(), 1000U * 2U * static_cast<std::uint64_t>(comm.size()));
}

class ReplicaConsistency : public ::testing::TestWithParam<Case> {};

TEST_P(ReplicaConsistency, ReplicasAreBitwiseIdenticalAfter1000StepsInDouble) {
  expectIdenticalReplicas<double>(GetParam());
}

TEST_P(ReplicaConsistency, ReplicasAreBitwiseIdenticalAfter1000StepsInFloat) {
  expectIdenticalReplicas<float>(GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    Compressors, ReplicaConsistency,
    ::testing::Values(Case{"top_k", true, ValueType::kFloat32, Aggregation::kSum},
                      Case{"rand_k", true, ValueType::kFloat64, Aggregation::kMean},
                      Case{"top_k", false, ValueType::kFloat32, Aggregation::kMean},
                      Case{"none", false, ValueType::kFloat32, Aggregation::kSum},
                      Case{"none", true, ValueType::kFloat64, Aggregation::kMean}));

}  // namespace
}  // namespace memsgd
