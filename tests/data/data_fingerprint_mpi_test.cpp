#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "memsgd/data/data_fingerprint.hpp"
#include "memsgd/data/distributed_load.hpp"
#include "memsgd/data/libsvm_reader.hpp"
#include "memsgd/data/synthetic_data.hpp"
#include "test_paths.hpp"

namespace memsgd {
namespace {

// The fingerprint of a whole file read serially on this rank, the reference every rank count
// must reproduce.
std::uint64_t serialFingerprint(const std::string& path) {
  return fingerprintRows(readLibsvmRows(path, {0, std::numeric_limits<std::uint64_t>::max()}), 0);
}

TEST(DataFingerprintMpi, AnyRankCountGivesTheSerialFingerprint) {
  const Communicator comm;
  DataConfig config;
  config.train = test::sourcePath("configs/data/a9a.bz2");
  config.test = test::sourcePath("configs/data/a9a.t.bz2");
  const ShardedData<double> shards = loadShards<double>(config, comm);
  EXPECT_EQ(shards.trainFingerprint, serialFingerprint(config.train));
  ASSERT_TRUE(shards.testFingerprint.has_value());
  EXPECT_EQ(*shards.testFingerprint, serialFingerprint(config.test));
  EXPECT_NE(shards.trainFingerprint, *shards.testFingerprint);
}

TEST(DataFingerprintMpi, PrecisionAndNormalisationDoNotChangeIt) {
  const Communicator comm;
  DataConfig config;
  config.train = test::sourcePath("configs/data/heart_scale");
  const std::uint64_t plain = loadShards<double>(config, comm).trainFingerprint;
  config.normalize = Normalization::kL2;
  EXPECT_EQ(loadShards<double>(config, comm).trainFingerprint, plain);
  EXPECT_EQ(loadShards<float>(config, comm).trainFingerprint, plain);
  EXPECT_FALSE(loadShards<float>(config, comm).testFingerprint.has_value());
}

TEST(DataFingerprintMpi, SyntheticSourcesHashTheirGeneratedRows) {
  const Communicator comm;
  DataConfig config;
  config.train = "synthetic:epsilon";
  config.test = "synthetic:epsilon";
  config.rows = 200;
  config.dim = 30;
  const ShardedData<float> shards = loadShards<float>(config, comm);
  for (const auto split : {SyntheticSplit::kTrain, SyntheticSplit::kTest}) {
    const RowShard serial = generateSynthetic(config, split, 0, 1);
    EXPECT_EQ(split == SyntheticSplit::kTrain ? shards.trainFingerprint : *shards.testFingerprint,
              fingerprintRows(serial.dense, serial.rows.labels, 0));
  }
  config.rows = 201;  // a longer stream is another data set
  EXPECT_NE(loadShards<double>(config, comm).trainFingerprint, shards.trainFingerprint);
}

}  // namespace
}  // namespace memsgd
