#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <string>

#include "file_test.hpp"
#include "load_checks.hpp"
#include "memsgd/core/error.hpp"
#include "memsgd/data/data_format.hpp"
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
    RowShard generated = generateSynthetic(config, split, 0, 1);
    const std::uint64_t dim = generated.dim;
    const Dataset<double> serial = toDataset<double>(std::move(generated), dim);
    const auto totals =
        globalTotals(split == SyntheticSplit::kTrain ? shards.train : *shards.test, comm);
    EXPECT_EQ(totals[0], static_cast<double>(serial.nonZeros()));
    EXPECT_EQ(totals[1], serial.labels().sum());
  }
}

DataConfig smallConfig(const std::string& source) {
  DataConfig config;
  config.train = source;
  config.test = source;
  config.rows = 301;
  config.dim = source == "synthetic:epsilon" ? 40 : 0;
  return config;
}

// The loaded shard holds this rank's generated rows bit for bit (rounded once to Scalar), in the
// storage the generator made them in.
template <typename Scalar>
void expectGeneratedRows(const Dataset<Scalar>& loaded, const DataConfig& config,
                         SyntheticSplit split, const Communicator& comm) {
  RowShard generated = generateSynthetic(config, split, comm.rank(), comm.size());
  const bool dense = generated.isDense();
  const std::uint64_t dim = generated.dim;
  const Dataset<Scalar> expected = toDataset<Scalar>(std::move(generated), dim);
  ASSERT_EQ(loaded.isDense(), dense);
  ASSERT_EQ(loaded.dim(), expected.dim());
  EXPECT_EQ(loaded.globalRows(), expected.globalRows());
  EXPECT_EQ(loaded.globalRange().begin, expected.globalRange().begin);
  EXPECT_TRUE(loaded.labels() == expected.labels());
  if (dense) {
    EXPECT_TRUE(loaded.denseRows() == expected.denseRows());
    return;
  }
  const auto& a = loaded.sparseRows();
  const auto& b = expected.sparseRows();
  ASSERT_EQ(a.nonZeros(), b.nonZeros());
  EXPECT_TRUE(std::equal(a.outerIndexPtr(), a.outerIndexPtr() + a.rows() + 1, b.outerIndexPtr()));
  EXPECT_TRUE(std::equal(a.innerIndexPtr(), a.innerIndexPtr() + a.nonZeros(), b.innerIndexPtr()));
  EXPECT_TRUE(std::equal(a.valuePtr(), a.valuePtr() + a.nonZeros(), b.valuePtr()));
}

TEST(SyntheticLoad, EachRankHoldsItsGeneratedRowsBitForBit) {
  const Communicator comm;
  for (const std::string source : {"synthetic:epsilon", "synthetic:rcv1"}) {
    SCOPED_TRACE(source);
    const DataConfig config = smallConfig(source);
    const ShardedData<double> inDouble = loadShards<double>(config, comm);
    expectGeneratedRows(inDouble.train, config, SyntheticSplit::kTrain, comm);
    expectGeneratedRows(*inDouble.test, config, SyntheticSplit::kTest, comm);
    const ShardedData<float> inFloat = loadShards<float>(config, comm);
    expectGeneratedRows(inFloat.train, config, SyntheticSplit::kTrain, comm);
    EXPECT_EQ(inFloat.trainFingerprint, inDouble.trainFingerprint);
    EXPECT_EQ(inDouble.dimOrigin.key, source == "synthetic:epsilon" ? "data.dim" : "data.train");
  }
}

// A generator is one entry of the format registry, chosen by its name whatever data.format says
// and without opening a file; data.format has no word for it.
TEST(SyntheticLoad, TheGeneratorsAreARegistryEntryChosenByName) {
  EXPECT_EQ(formatOf("synthetic:rcv1", "auto").name, "synthetic");
  EXPECT_EQ(formatOf("synthetic:nope", "libsvm").name, "synthetic");
  const std::vector<std::string> words = dataFormatNames();
  EXPECT_EQ(std::ranges::find(words, "synthetic"), words.end());
  EXPECT_THROW((void)formatOf("anything", "synthetic"), ConfigError);
}

// data.layout applies to generated rows as to a file's: sparse rows asked for dense are stored
// dense; dense rows stay dense.
TEST(SyntheticLoad, DataLayoutStoresGeneratedRowsAsAFilesRows) {
  const Communicator comm;
  DataConfig config = smallConfig("synthetic:rcv1");
  config.dim = 2000;  // about 3.5% dense: auto keeps CSR
  EXPECT_FALSE(loadShards<double>(config, comm).train.isDense());
  config.layout = RowLayout::kDense;
  const ShardedData<double> dense = loadShards<double>(config, comm);
  EXPECT_TRUE(dense.train.isDense());
  EXPECT_TRUE(dense.test->isDense());
  EXPECT_EQ(dense.train.dim(), 2000);
  EXPECT_TRUE(loadShards<double>(smallConfig("synthetic:epsilon"), comm).train.isDense());
}

class SyntheticTestSplit : public test::FileTest {};

// A generated test split takes the training file's d, as a test file would.
TEST_F(SyntheticTestSplit, TakesTheTrainingFilesDimension) {
  const Communicator comm;
  DataConfig config;
  config.train = write("train.svm", "+1 1:1 7:0.5\n-1 2:1\n+1 3:1\n-1 4:1\n");
  config.test = "synthetic:rcv1";
  const ShardedData<double> shards = loadShards<double>(config, comm);
  EXPECT_EQ(shards.train.dim(), 7);
  ASSERT_TRUE(shards.test.has_value());
  EXPECT_EQ(shards.test->dim(), 7);
  EXPECT_EQ(shards.test->globalRows(), 20242U / 10);
}

// The refusals of a generated split keep their words and exit codes.
TEST_F(SyntheticTestSplit, IsRefusedToAClassModelAndRefusesALabelsFile) {
  DataConfig config;
  config.train = write("train.svm", "1 1:1\n2 2:1\n3 3:1\n1 4:1\n");
  config.test = "synthetic:rcv1";
  EXPECT_TRUE(test::loadRefused(config, LabelKind::kClasses, kExitConfigError,
                                "data.test = synthetic:rcv1: a synthetic source has binary labels; "
                                "this model trains on class labels from a file"));
  config.train = "synthetic:rcv1";
  config.rows = 100;
  config.test.clear();
  config.trainLabels = config.train;
  EXPECT_TRUE(test::loadRefused(config, LabelKind::kBinary, kExitConfigError,
                                "data.train_labels = synthetic:rcv1 is set"));
  config.trainLabels.clear();
  config.format = "libsvm";
  EXPECT_TRUE(test::loadRefused(config, LabelKind::kBinary, kExitConfigError,
                                "data.format = libsvm names a file format, but data.train = "
                                "synthetic:rcv1 is generated and no data.test file is read"));
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
