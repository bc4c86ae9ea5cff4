#include "memsgd/data/synthetic_data.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "memsgd/core/error.hpp"

namespace memsgd {
namespace {

DataConfig syntheticConfig(const std::string& train, std::uint64_t rows, std::uint64_t dim = 0) {
  DataConfig config;
  config.train = train;
  config.test = train;
  config.rows = rows;
  config.dim = dim;
  return config;
}

// The split's rows `rank` of `ranks` as the loader stores them in double.
Dataset<double> generated(const DataConfig& config, SyntheticSplit split, int rank = 0,
                          int ranks = 1) {
  RowShard shard = generateSynthetic(config, split, rank, ranks);
  const std::uint64_t dim = shard.dim;
  return toDataset<double>(std::move(shard), dim);
}

// Row `row` of `data` as a dense vector, so dense and sparse sets compare the same way.
Vector rowOf(const Dataset<double>& data, Eigen::Index row) {
  if (data.isDense()) return data.denseRows().row(row).transpose();
  return Vector(data.sparseRows().row(row).transpose());
}

void expectSameRows(const Dataset<double>& expected, Eigen::Index expectedRow,
                    const Dataset<double>& actual, Eigen::Index actualRow) {
  // Bitwise: the same draws must give the same doubles.
  EXPECT_TRUE(rowOf(expected, expectedRow) == rowOf(actual, actualRow)) << "row " << expectedRow;
  EXPECT_EQ(expected.label(expectedRow), actual.label(actualRow)) << "row " << expectedRow;
}

void expectSameData(const Dataset<double>& expected, const Dataset<double>& actual) {
  ASSERT_EQ(expected.rows(), actual.rows());
  ASSERT_EQ(expected.dim(), actual.dim());
  for (Eigen::Index row = 0; row < expected.rows(); ++row) {
    expectSameRows(expected, row, actual, row);
  }
}

double plantedAccuracy(const DataConfig& config) {
  const Dataset<double> data = generated(config, SyntheticSplit::kTrain);
  const Vector model = plantedModel(config, SyntheticSplit::kTrain);
  Eigen::Index correct = 0;
  for (Eigen::Index row = 0; row < data.rows(); ++row) {
    correct += data.rowDot(row, model) * data.label(row) > 0.0 ? 1 : 0;
  }
  return static_cast<double>(correct) / static_cast<double>(data.rows());
}

const std::vector<DataConfig>& smallConfigs() {
  static const std::vector<DataConfig> configs{syntheticConfig("synthetic:epsilon", 301, 200),
                                               syntheticConfig("synthetic:rcv1", 301)};
  return configs;
}

TEST(SyntheticData, EpsilonHasDenseUnitRowsOfTheDefaultDimension) {
  const Dataset<double> data =
      generated(syntheticConfig("synthetic:epsilon", 500), SyntheticSplit::kTrain);
  EXPECT_TRUE(data.isDense());
  EXPECT_EQ(data.dim(), 2000);
  EXPECT_EQ(data.rows(), 500);
  EXPECT_EQ(data.globalRows(), 500U);
  for (Eigen::Index row = 0; row < data.rows(); ++row) {
    EXPECT_NEAR(data.denseRows().row(row).norm(), 1.0, 1e-12);
  }
}

TEST(SyntheticData, Rcv1HasSparseUnitRowsWithAbout70SortedNonZeros) {
  const Dataset<double> data =
      generated(syntheticConfig("synthetic:rcv1", 2000), SyntheticSplit::kTrain);
  EXPECT_FALSE(data.isDense());
  EXPECT_EQ(data.dim(), 47236);
  const Dataset<double>::SparseRows& rows = data.sparseRows();
  for (Eigen::Index row = 0; row < data.rows(); ++row) {
    const auto begin = rows.outerIndexPtr()[row];
    const auto end = rows.outerIndexPtr()[row + 1];
    EXPECT_GE(end - begin, 35);
    EXPECT_LE(end - begin, 105);
    EXPECT_TRUE(std::is_sorted(rows.innerIndexPtr() + begin, rows.innerIndexPtr() + end,
                               std::less_equal<>()))
        << "indices of row " << row << " are not strictly ascending";
    EXPECT_TRUE(std::all_of(rows.valuePtr() + begin, rows.valuePtr() + end,
                            [](double value) { return value > 0.0; }));
    EXPECT_NEAR(rows.row(row).norm(), 1.0, 1e-12);
  }
  const double meanNonZeros = static_cast<double>(data.nonZeros()) / 2000.0;
  EXPECT_GT(meanNonZeros, 67.0);
  EXPECT_LT(meanNonZeros, 73.0);
}

TEST(SyntheticData, Rcv1FeatureFrequenciesFollowAPowerLaw) {
  const Dataset<double> data =
      generated(syntheticConfig("synthetic:rcv1", 2000), SyntheticSplit::kTrain);
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(data.dim()));
  const Dataset<double>::SparseRows& rows = data.sparseRows();
  std::for_each(rows.innerIndexPtr(), rows.innerIndexPtr() + rows.nonZeros(),
                [&counts](std::int32_t index) { ++counts[static_cast<std::size_t>(index)]; });
  std::sort(counts.begin(), counts.end(), std::greater<>());
  const auto topDecile = static_cast<std::ptrdiff_t>(counts.size() / 10);
  const auto top = std::accumulate(counts.begin(), counts.begin() + topDecile, std::uint64_t{0});
  // Uniform features would give the top decile about 10 % (plus sampling noise).
  EXPECT_GT(static_cast<double>(top) / static_cast<double>(data.nonZeros()), 0.6);
}

TEST(SyntheticData, DimensionOverrideKeepsRowsValid) {
  const Dataset<double> data =
      generated(syntheticConfig("synthetic:rcv1", 200, 100), SyntheticSplit::kTrain);
  EXPECT_EQ(data.dim(), 100);
  for (Eigen::Index row = 0; row < data.rows(); ++row) {
    EXPECT_LE(data.sparseRows().row(row).nonZeros(), 50);
  }
}

TEST(SyntheticData, LabelsAreSignsOfBothClasses) {
  for (const DataConfig& config : smallConfigs()) {
    const Dataset<double> data = generated(config, SyntheticSplit::kTrain);
    EXPECT_TRUE(data.labels().cwiseAbs().isOnes()) << config.train;
    const double positive = (data.labels().array() > 0.0).cast<double>().mean();
    EXPECT_GT(positive, 0.3) << config.train;
    EXPECT_LT(positive, 0.7) << config.train;
  }
}

TEST(SyntheticData, PlantedModelClassifiesMostRows) {
  EXPECT_GT(plantedAccuracy(syntheticConfig("synthetic:epsilon", 2000, 500)), 0.8);
  EXPECT_GT(plantedAccuracy(syntheticConfig("synthetic:rcv1", 2000)), 0.8);
}

TEST(SyntheticData, RepeatedCallsAreBitwiseEqual) {
  for (const DataConfig& config : smallConfigs()) {
    expectSameData(generated(config, SyntheticSplit::kTrain),
                   generated(config, SyntheticSplit::kTrain));
    EXPECT_TRUE(plantedModel(config, SyntheticSplit::kTrain) ==
                plantedModel(config, SyntheticSplit::kTrain));
  }
}

TEST(SyntheticData, ShardsDoNotDependOnTheRankCount) {
  for (const DataConfig& config : smallConfigs()) {
    const Dataset<double> whole = generated(config, SyntheticSplit::kTrain);
    for (const int ranks : {2, 3}) {
      Eigen::Index next = 0;
      for (int rank = 0; rank < ranks; ++rank) {
        const Dataset<double> shard = generated(config, SyntheticSplit::kTrain, rank, ranks);
        EXPECT_EQ(shard.globalRange().begin, static_cast<std::uint64_t>(next));
        EXPECT_EQ(shard.globalRows(), whole.globalRows());
        for (Eigen::Index row = 0; row < shard.rows(); ++row) {
          expectSameRows(whole, next++, shard, row);
        }
      }
      EXPECT_EQ(next, whole.rows()) << config.train << " on " << ranks << " ranks";
    }
  }
}

TEST(SyntheticData, TestSplitContinuesTheTrainingStream) {
  for (const DataConfig& config : smallConfigs()) {
    const Dataset<double> test = generated(config, SyntheticSplit::kTest);
    EXPECT_EQ(test.rows(), 30);
    DataConfig longer = config;
    longer.rows = config.rows + 30;
    const Dataset<double> train = generated(longer, SyntheticSplit::kTrain);
    for (Eigen::Index row = 0; row < test.rows(); ++row) {
      expectSameRows(train, static_cast<Eigen::Index>(config.rows) + row, test, row);
    }
  }
}

TEST(SyntheticData, UnknownGeneratorNamesTheKeyAndTheKnownOnes) {
  DataConfig config = syntheticConfig("synthetic:rcv1", 100);
  config.test = "synthetic:mnist";
  try {
    (void)generateSynthetic(config, SyntheticSplit::kTest, 0, 1);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("data.test = synthetic:mnist"), std::string::npos) << message;
    EXPECT_NE(message.find("synthetic:epsilon, synthetic:rcv1"), std::string::npos) << message;
  }
}

TEST(SyntheticData, FewerRowsThanRanksIsAConfigError) {
  EXPECT_THROW(
      (void)generateSynthetic(syntheticConfig("synthetic:rcv1", 3), SyntheticSplit::kTrain, 0, 4),
      ConfigError);
  // 30 rows leave 3 test rows.
  EXPECT_THROW(
      (void)generateSynthetic(syntheticConfig("synthetic:rcv1", 30), SyntheticSplit::kTest, 0, 4),
      ConfigError);
}

}  // namespace
}  // namespace memsgd
