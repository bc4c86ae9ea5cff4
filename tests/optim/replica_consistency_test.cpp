// Every rank applies the same P messages in rank order, so the replicas of x must stay bitwise
// identical, whatever the model, compressor, precision or aggregation.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstring>
#include <string_view>

#include "memsgd/model/model_factory.hpp"
#include "memsgd/optim/trainer.hpp"
#include "random_data.hpp"

namespace memsgd {
namespace {

struct Case {
  const char* model;
  const char* method;
  bool memory;
  ValueType valueType;
  Aggregation aggregation;
  CompressionScope scope = CompressionScope::kGlobal;
};

template <typename Scalar>
void expectIdenticalReplicas(const Case& c) {
  const Communicator comm;
  // Each rank holds different rows, so every rank's messages differ. softmax: 4 classes on sparse
  // rows (p = 4 d); mlp: 3 classes on dense rows, one hidden layer of 8 (p = 8 * 31 + 3 * 9).
  const auto seed = 100 + static_cast<std::uint64_t>(comm.rank());
  const bool softmax = std::string_view(c.model) == "softmax";
  const bool mlp = std::string_view(c.model) == "mlp";
  const std::uint64_t classes = softmax ? 4 : mlp ? 3 : 0;
  const Dataset<Scalar> shard =
      softmax ? test::withClassLabels(test::randomSparseData<Scalar>(40, 30, seed), classes, seed)
      : mlp   ? test::randomClassData<Scalar>(40, 30, classes, seed)
              : test::randomSparseData<Scalar>(40, 30, seed);
  RunConfig config;
  config.model.type = c.model;
  config.compression.method = c.method;
  config.compression.k = 3;
  config.compression.memory = c.memory;
  config.communication.valueType = c.valueType;
  config.communication.aggregation = c.aggregation;
  config.compression.scope = c.scope;
  config.optimizer.batchSize = 2;
  if (std::string_view(c.model) == "least_squares" || mlp) {
    // Rows of squared norm ~4 here: the decay rate's first steps (2n/a) would overflow x.
    config.optimizer.schedule = Schedule::kConstant;
    config.optimizer.constantRate = 0.05;
  }
  if (mlp) config.model.hidden = {8};
  const auto model = makeModel(config.model, shard, classes);
  Trainer<Scalar> trainer(config, comm, *model, shard);
  for (int step = 0; step < 1000; ++step) {
    trainer.step();
  }
  VectorOf<Scalar> reference = trainer.x();
  const auto bytes = sizeof(Scalar) * static_cast<std::size_t>(reference.size());
  MPI_Bcast(reference.data(), static_cast<int>(bytes), MPI_BYTE, 0, comm.raw());
  EXPECT_EQ(std::memcmp(reference.data(), trainer.x().data(), bytes), 0);
  EXPECT_GT(trainer.x().norm(), 0);
  EXPECT_TRUE(trainer.x().allFinite());
  EXPECT_EQ(trainer.samples(), 1000U * 2U * static_cast<std::uint64_t>(comm.size()));
  // The counters are the buffers on the flat vector of p values: k (uint32, value) pairs per
  // message, or p values for dense SGD, to each of the P - 1 peers.
  const std::uint64_t valueBytes = c.valueType == ValueType::kFloat64 ? 8 : 4;
  const std::uint64_t p = trainer.model().parameterCount();
  EXPECT_EQ(p, mlp ? 8U * 31U + 3U * 9U : (softmax ? classes : 1U) * 30U);
  const bool dense = std::string_view(c.method) == "none";
  const std::uint64_t perStep = (dense ? p * valueBytes : config.compression.k * (4 + valueBytes)) *
                                static_cast<std::uint64_t>(comm.size() - 1);
  EXPECT_EQ(trainer.counters().sent.total(), 1000U * perStep);
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
    ::testing::Values(Case{"logistic", "top_k", true, ValueType::kFloat32, Aggregation::kSum},
                      Case{"logistic", "rand_k", true, ValueType::kFloat64, Aggregation::kMean},
                      Case{"logistic", "top_k", false, ValueType::kFloat32, Aggregation::kMean},
                      Case{"logistic", "none", false, ValueType::kFloat32, Aggregation::kSum},
                      Case{"logistic", "none", true, ValueType::kFloat64, Aggregation::kMean},
                      Case{"least_squares", "top_k", true, ValueType::kFloat32, Aggregation::kSum},
                      Case{"least_squares", "rand_k", true, ValueType::kFloat64,
                           Aggregation::kMean},
                      Case{"least_squares", "none", true, ValueType::kFloat32, Aggregation::kSum},
                      Case{"softmax", "top_k", true, ValueType::kFloat32, Aggregation::kSum},
                      Case{"softmax", "rand_k", true, ValueType::kFloat64, Aggregation::kMean},
                      Case{"softmax", "none", true, ValueType::kFloat32, Aggregation::kSum},
                      Case{"mlp", "top_k", true, ValueType::kFloat32, Aggregation::kSum},
                      Case{"mlp", "rand_k", true, ValueType::kFloat64, Aggregation::kMean},
                      Case{"mlp", "none", true, ValueType::kFloat32, Aggregation::kSum},
                      // Per layer: k = 3 split 2 + 1 over the layers, still one message of k.
                      Case{"mlp", "top_k", true, ValueType::kFloat32, Aggregation::kSum,
                           CompressionScope::kLayer},
                      Case{"mlp", "rand_k", true, ValueType::kFloat64, Aggregation::kMean,
                           CompressionScope::kLayer}));

}  // namespace
}  // namespace memsgd
