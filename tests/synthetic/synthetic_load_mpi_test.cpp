#include <gtest/gtest.h>

#include <array>

#include "memsgd/core/error.hpp"
#include "memsgd/data/distributed_load.hpp"
#include "memsgd/data/row_partition.hpp"
#include "memsgd/data/synthetic_data.hpp"

namespace memsgd {
namespace {

// {nonzeros, label sum} over all ranks' shards.
std::array<double, 2> globalTotals(const Dataset<double>& shard, const Communicator& comm) {
  std::array<double, 2> totals{static_cast<double>(shard.nonZeros()), shard.labels().sum()};
  comm.allreduceSum(totals);
  return totals;
}

TEST(SyntheticLoad, ShardsAddUpToTheSerialDataSet) {
  const Communicator comm;
  DataConfig config;
  config.train = "synthetic:rcv1";
  config.test = "synthetic:rcv1";
  config.rows = 2000;
  config.normalize = Normalization::kL2;
  const ShardedData<double> shards = loadShards<double>(config, comm);

  const RowRange expectedRange = shardOf(2000, comm.rank(), comm.size());
  EXPECT_EQ(shards.train.globalRange().begin, expectedRange.begin);
  EXPECT_EQ(shards.train.globalRange().end, expectedRange.end);
  ASSERT_TRUE(shards.test.has_value());
  EXPECT_EQ(shards.test->globalRows(), 200U);
  EXPECT_EQ(shards.test->dim(), shards.train.dim());

  // Every rank can afford the single-rank generation to know the expected totals.
  for (const auto split : {SyntheticSplit::kTrain, SyntheticSplit::kTest}) {
    const Dataset<double> serial = generateSynthetic(config, split, 0, 1);
    const auto totals =
        globalTotals(split == SyntheticSplit::kTrain ? shards.train : *shards.test, comm);
    EXPECT_EQ(totals[0], static_cast<double>(serial.nonZeros()));
    EXPECT_EQ(totals[1], serial.labels().sum());
  }
}

TEST(SyntheticLoad, UnknownGeneratorFailsOnEveryRank) {
  const Communicator comm;
  DataConfig config;
  config.train = "synthetic:nope";
  try {
    (void)loadShards<double>(config, comm);
    ADD_FAILURE() << "expected AgreedError";
  } catch (const AgreedError& error) {
    EXPECT_EQ(error.exitCode(), kExitConfigError);
  }
}

}  // namespace
}  // namespace memsgd
