#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "archives.hpp"
#include "load_checks.hpp"
#include "memsgd/core/error.hpp"
#include "memsgd/data/distributed_load.hpp"
#include "memsgd/data/libsvm_reader.hpp"
#include "test_paths.hpp"

namespace memsgd {
namespace {

const std::string kHeartScale = test::sourcePath("configs/data/heart_scale");

// The shortest text that reads back as `value`.
std::string shortest(double value) {
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return {buffer.data(), result.ptr};
}

// heart_scale as dense CSV: a header, the 13 features with their zeros, the label last.
std::string heartScaleCsv() {
  const RowBlock rows = readLibsvmRows(kHeartScale, {0, std::numeric_limits<std::uint64_t>::max()});
  constexpr std::int32_t kDim = 13;
  std::string text;
  for (std::int32_t j = 0; j < kDim; ++j) text += "x" + std::to_string(j + 1) + ",";
  text += "label\r\n";  // CRLF, as a spreadsheet writes it
  for (std::uint64_t row = 0; row < rows.rows(); ++row) {
    std::vector<double> dense(kDim, 0.0);
    for (auto k = rows.rowOffsets[row]; k < rows.rowOffsets[row + 1]; ++k) {
      dense[static_cast<std::size_t>(rows.indices[k])] = rows.values[k];
    }
    for (const double value : dense) text += shortest(value) + ",";
    text += shortest(rows.labels[row]) + "\r\n";
    if (row % 50 == 0) text += "\n";  // blank lines are not rows
  }
  return text;
}

// A folder all ranks of this job share (the np1/np2/np4 jobs run at once), written by rank 0
// before any rank reads; removed at the end.
class CsvLoadMpi : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::uint64_t> pids(static_cast<std::size_t>(comm_.size()));
    const auto pid = static_cast<std::uint64_t>(::getpid());
    comm_.allgather(std::span<const std::uint64_t>(&pid, 1), pids);
    dir_ = std::filesystem::temp_directory_path() / ("memsgd_csv_load_" + std::to_string(pids[0]));
  }
  void TearDown() override {
    comm_.agreeOn([&] {
      if (comm_.rank() == 0) std::filesystem::remove_all(dir_);
    });
  }

  // Rank 0 writes `bytes` to `name`; every rank returns its path once it exists.
  [[nodiscard]] std::string write(const std::string& name, const std::string& bytes) const {
    std::string path = (dir_ / name).string();
    comm_.agreeOn([&] {
      if (comm_.rank() != 0) return;
      std::filesystem::create_directories(dir_);
      std::ofstream(path, std::ios::binary) << bytes;
    });
    return path;
  }

  Communicator comm_;
  std::filesystem::path dir_;
};

// The CSV file's shard is the LIBSVM file's, row for row, and so is the fingerprint: it hashes
// the parsed rows, whatever the format.
TEST_F(CsvLoadMpi, DenseCsvLoadsAsTheLibsvmFile) {
  const std::string text = heartScaleCsv();
  DataConfig libsvm;
  libsvm.train = kHeartScale;
  libsvm.layout = RowLayout::kSparse;  // 96% dense: compared as CSR rows
  const ShardedData<double> expected = loadShards<double>(libsvm, comm_);
  for (const std::string& path :
       {write("heart.csv", text), write("heart.csv.gz", test::gzip(text))}) {
    DataConfig csv;
    csv.train = path;
    csv.test = path;
    csv.labelColumn = kLastColumn;
    csv.layout = RowLayout::kSparse;
    const ShardedData<double> shards = loadShards<double>(csv, comm_);
    EXPECT_EQ(shards.trainFingerprint, expected.trainFingerprint) << path;
    EXPECT_EQ(shards.testFingerprint, expected.trainFingerprint) << path;
    EXPECT_EQ(shards.train.dim(), 13);
    EXPECT_EQ(shards.train.globalRows(), 270U);
    EXPECT_EQ(shards.train.globalRange().begin, expected.train.globalRange().begin);
    ASSERT_EQ(shards.train.rows(), expected.train.rows());
    for (Eigen::Index row = 0; row < shards.train.rows(); ++row) {
      ASSERT_EQ(shards.train.label(row), expected.train.label(row)) << row;
      const auto got = shards.train.sparseRows().row(row);
      const auto want = expected.train.sparseRows().row(row);
      ASSERT_EQ(Eigen::VectorXd(got.transpose()), Eigen::VectorXd(want.transpose())) << row;
    }
  }
  // One value changed: another fingerprint.
  std::string changed = text;
  changed.replace(changed.find("\r\n") + 2, 1, "9");
  DataConfig other;
  other.train = write("changed.csv", changed);
  other.labelColumn = kLastColumn;
  EXPECT_NE(loadShards<double>(other, comm_).trainFingerprint, expected.trainFingerprint);
}

// A bad line in the last rank's block stops every rank with its file:line.
TEST_F(CsvLoadMpi, ABadLineOnOneRankIsEveryRanksError) {
  std::string text = "y,a,b\n";
  for (int row = 0; row < 40; ++row)
    text += (row % 2 == 0 ? "1," : "-1,") + std::to_string(row) + ",1\n";
  text += "1,2,x\n";
  DataConfig config;
  config.train = write("bad.csv", text);
  EXPECT_TRUE(test::loadRefused(config, LabelKind::kBinary, kExitDataError,
                                config.train + ":42: bad value 'x' in column 2"));
  text.resize(text.size() - 6);
  text += "1,2\n";
  config.train = write("short.csv", text);
  EXPECT_TRUE(test::loadRefused(
      config, LabelKind::kBinary, kExitDataError,
      config.train + ":42: has 2 fields, but the first data line (line 2) has 3"));
  config.labelColumn = 3;
  EXPECT_TRUE(test::loadRefused(config, LabelKind::kBinary, kExitConfigError,
                                "data.label_column = 3: " + config.train + ":2"));
}

TEST_F(CsvLoadMpi, TheCsvKeysAreRefusedForALibsvmFile) {
  DataConfig config;
  config.train = kHeartScale;
  config.header = true;
  EXPECT_TRUE(test::loadRefused(
      config, LabelKind::kBinary, kExitConfigError,
      "data.header is set, but data.train = " + kHeartScale + " is read as libsvm"));
}

}  // namespace
}  // namespace memsgd
