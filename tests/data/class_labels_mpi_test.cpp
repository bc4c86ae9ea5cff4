// Class labels (LabelKind::kClasses) over all ranks: the exact sorted set of classes whatever the
// rank count, the same map for the test set, and the first bad line of the whole file refused on
// every rank.
#include <gtest/gtest.h>
#include <mpi.h>

#include <fstream>
#include <string>
#include <vector>

#include "memsgd/core/error.hpp"
#include "memsgd/data/distributed_load.hpp"
#include "run_helpers.hpp"

namespace memsgd {
namespace {

class ClassLabelsMpi : public ::testing::Test {
 protected:
  // Writes `lines` (one file line each) as `name` on rank 0 and returns its path for all ranks.
  std::string write(const std::string& name, const std::vector<std::string>& lines) {
    const std::string path = scratch_.path(name);
    if (comm_.rank() == 0) {
      std::ofstream out(path);
      for (const std::string& line : lines) out << line << "\n";
    }
    MPI_Barrier(comm_.raw());
    return path;
  }

  // The AgreedError's message that loading `config` for a class model throws on every rank.
  std::string refusal(const DataConfig& config, int exitCode = kExitDataError) {
    try {
      (void)loadShards<double>(config, comm_, LabelKind::kClasses);
    } catch (const AgreedError& error) {
      EXPECT_EQ(error.exitCode(), exitCode) << error.what();
      return error.what();
    }
    ADD_FAILURE() << "loaded";
    return "";
  }

  // The labels of this rank's rows, as the model sees them.
  static std::vector<double> labels(const Dataset<double>& data) {
    return {data.labels().begin(), data.labels().end()};
  }

  Communicator comm_;
  test::ScratchDirectory scratch_{comm_, "class_labels"};
};

// 12 rows in blocks of one class each, so that at np 4 no rank sees another's classes: the map is
// the sorted union, and every rank's rows carry their class's position in it.
TEST_F(ClassLabelsMpi, MapsTheSortedClassesOfAllRanksToTheirPositions) {
  const std::vector<std::int64_t> written{7, 7, 7, -3, -3, -3, 100, 100, 100, 5, 5, 5};
  std::vector<std::string> lines{"# digits"};
  for (const std::int64_t label : written) lines.push_back(std::to_string(label) + " 1:1 2:0.5");
  DataConfig config;
  config.train = write("train.svm", lines);
  config.test = write("test.svm", {"100 1:1", "-3 2:1", "5 1:1", "100 2:1"});
  const ShardedData<double> shards = loadShards<double>(config, comm_, LabelKind::kClasses);
  EXPECT_EQ(shards.classLabels, (std::vector<std::int64_t>{-3, 5, 7, 100}));
  const std::vector<double> positions{2, 2, 2, 0, 0, 0, 3, 3, 3, 1, 1, 1};
  const RowRange mine = shards.train.globalRange();
  EXPECT_EQ(labels(shards.train),
            std::vector<double>(positions.begin() + static_cast<std::ptrdiff_t>(mine.begin),
                                positions.begin() + static_cast<std::ptrdiff_t>(mine.end)));
  ASSERT_TRUE(shards.test.has_value());
  const std::vector<double> testPositions{3, 0, 1, 3};
  const RowRange testRange = shards.test->globalRange();
  EXPECT_EQ(
      labels(*shards.test),
      std::vector<double>(testPositions.begin() + static_cast<std::ptrdiff_t>(testRange.begin),
                          testPositions.begin() + static_cast<std::ptrdiff_t>(testRange.end)));

  // The fingerprint hashes the labels as written: the same rows with class 100 called 99 are
  // another data set (same positions, other map), so a checkpoint or f* of one refuses the other.
  lines[7] = lines[8] = lines[9] = "99 1:1 2:0.5";
  config.train = write("renamed.svm", lines);
  config.test.clear();
  const ShardedData<double> renamed = loadShards<double>(config, comm_, LabelKind::kClasses);
  EXPECT_EQ(labels(renamed.train), labels(shards.train));
  EXPECT_NE(renamed.trainFingerprint, shards.trainFingerprint);
}

// 40 distinct classes, more than the binary check's 16 gathered labels per rank: all of them.
TEST_F(ClassLabelsMpi, FindsEveryClassNotOnlyTheMostFrequent) {
  std::vector<std::string> lines;
  for (int label = 0; label < 40; ++label) lines.push_back(std::to_string(3 * label) + " 1:1");
  DataConfig config;
  config.train = write("many.svm", lines);
  const ShardedData<double> shards = loadShards<double>(config, comm_, LabelKind::kClasses);
  ASSERT_EQ(shards.classLabels.size(), 40U);
  EXPECT_EQ(shards.classLabels.front(), 0);
  EXPECT_EQ(shards.classLabels.back(), 117);
  EXPECT_EQ(shards.train.label(0), static_cast<double>(shards.train.globalRange().begin));
}

// Bad labels on lines 5, 6 (one rank at np 2 and 4) and 11 (another): line 5 is named on every
// rank whatever the rank count.
TEST_F(ClassLabelsMpi, RefusesTheFirstNonIntegerLabelOfTheFile) {
  std::vector<std::string> lines{"# a comment line counts"};
  for (int row = 0; row < 12; ++row) lines.push_back(std::to_string(row % 3) + " 1:1");
  lines[4] = "1e30 1:1";
  lines[5] = "2.5 1:1";
  lines[10] = "0.5 1:1";
  DataConfig config;
  config.train = write("fractional.svm", lines);
  const std::string message = refusal(config);
  EXPECT_NE(message.find("fractional.svm:5: label 1e+30 is not a class"), std::string::npos)
      << message;
}

TEST_F(ClassLabelsMpi, RefusesATestLabelTheTrainingSetDoesNotHold) {
  DataConfig config;
  config.train = write("train.svm", {"1 1:1", "2 1:1", "3 1:1", "1 2:1", "2 2:1", "3 2:1"});
  config.test = write("test.svm", {"1 1:1", "2 1:1", "", "3 1:1", "4 2:1", "1 1:1", "5 1:1"});
  const std::string message = refusal(config);
  EXPECT_NE(message.find("test.svm:5: label 4 is not one of the training set's 3 classes (1,2,3)"),
            std::string::npos)
      << message;
}

TEST_F(ClassLabelsMpi, RefusesATrainingSetOfOneClass) {
  DataConfig config;
  config.train = write("one.svm", {"4 1:1", "4 2:1", "4 1:1", "4 2:1"});
  const std::string message = refusal(config);
  EXPECT_NE(message.find("one.svm: a class model trains on at least 2 classes; found 1 class (4)"),
            std::string::npos)
      << message;
}

TEST_F(ClassLabelsMpi, RefusesASyntheticSourceNamingTheKey) {
  DataConfig config;
  config.train = "synthetic:epsilon";
  config.rows = 100;
  config.dim = 10;
  const std::string message = refusal(config, kExitConfigError);
  EXPECT_NE(message.find("data.train = synthetic:epsilon"), std::string::npos) << message;
}

}  // namespace
}  // namespace memsgd
