// Byte-offset splitting of plain LIBSVM and CSV text (text_split.hpp): at every rank count, each
// rank's block equals the rows that sequential reading gives, with the same line numbers, while a
// rank reads about 2/P of the file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "archives.hpp"
#include "load_checks.hpp"
#include "memsgd/core/error.hpp"
#include "memsgd/data/csv_reader.hpp"
#include "memsgd/data/csv_source.hpp"
#include "memsgd/data/distributed_load.hpp"
#include "memsgd/data/libsvm_reader.hpp"
#include "memsgd/data/libsvm_source.hpp"
#include "memsgd/util/random.hpp"

namespace memsgd {
namespace {

constexpr std::uint64_t kAll = std::numeric_limits<std::uint64_t>::max();

// One folder for all ranks (rank 0's pid), written by rank 0 before the others read.
class TextSplitMpi : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto pid = comm_.allreduceMax(comm_.rank() == 0 ? std::uint64_t(::getpid()) : 0U);
    dir_ = std::filesystem::temp_directory_path() /
           ("memsgd_text_split_np" + std::to_string(comm_.size()) + "_" + std::to_string(pid));
    if (comm_.rank() == 0) std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    (void)comm_.allreduceMax(std::uint64_t{0});  // every rank has read
    if (comm_.rank() == 0) std::filesystem::remove_all(dir_);
  }

  // Rank 0 writes `bytes` to `name`; every rank returns its path once it is written.
  std::string write(const std::string& name, const std::string& bytes) const {
    const std::string path = (dir_ / name).string();
    if (comm_.rank() == 0) std::ofstream(path, std::ios::binary) << bytes;
    (void)comm_.allreduceMax(std::uint64_t{0});
    return path;
  }

  // This rank's block through the source equals the same rows read from the file's start.
  void expectSequentialRows(const std::string& path) const {
    const RowShard shard = LibsvmSource(path).readShard(comm_, {});
    const std::uint64_t n = countLibsvmRows(path);
    ASSERT_EQ(shard.globalRows, n);
    const RowRange expected = shardOf(n, comm_.rank(), comm_.size());
    expectBlock(shard, expected, readLibsvmRows(path, expected));
  }

  // The same for a CSV file read with `config`'s header and label column.
  void expectSequentialCsvRows(const std::string& path, const DataConfig& config) const {
    const RowShard shard = CsvSource(path, config).readShard(comm_, {});
    const std::uint64_t n = countCsvRows(path, config);
    ASSERT_EQ(shard.globalRows, n);
    const RowRange expected = shardOf(n, comm_.rank(), comm_.size());
    expectBlock(shard, expected, readCsvRows(path, config, expected));
  }

  static void expectBlock(const RowShard& shard, RowRange expected, const RowBlock& serial) {
    ASSERT_EQ(shard.range.begin, expected.begin);
    ASSERT_EQ(shard.range.end, expected.end);
    ASSERT_GT(serial.rows(), 0U);
    EXPECT_EQ(shard.rows.labels, serial.labels);
    EXPECT_EQ(shard.rows.rowOffsets, serial.rowOffsets);
    EXPECT_EQ(shard.rows.indices, serial.indices);
    EXPECT_EQ(shard.rows.values, serial.values);
    EXPECT_EQ(shard.rows.labelLines, serial.labelLines);  // the same line numbers
    EXPECT_EQ(shard.rows.maxIndex, serial.maxIndex);
    EXPECT_EQ(shard.rows.maxIndexLine, serial.maxIndexLine);
  }

  Communicator comm_;
  std::filesystem::path dir_;
};

// Rows of a few to a few hundred bytes among blank lines, comments and rows without features,
// with a byte-order mark, CRLF on some lines and no newline at the end.
std::string awkwardFile(std::uint64_t rows, std::uint64_t seed) {
  Rng rng(seed);
  std::ostringstream text;
  text << "\xef\xbb\xbf# a comment line first\n";
  for (std::uint64_t i = 0; i < rows; ++i) {
    switch (rng.below(6)) {
      case 0:
        text << "\n";
        break;
      case 1:
        text << "   # only a comment\r\n";
        break;
      case 2:
        text << (i % 2 == 0 ? "+1" : "-1") << "\r\n";
        continue;  // no features
      default:
        break;
    }
    text << (rng.below(2) == 0 ? "-1" : "+1");
    std::uint64_t index = 0;
    for (std::uint64_t f = rng.below(40); f > 0; --f) {
      index += 1 + rng.below(9);
      text << ' ' << index << ':' << 0.125 * static_cast<double>(1 + rng.below(16));
    }
    text << (rng.below(4) == 0 ? " # tail\n" : "\n");
  }
  text << "+1 3:1";  // the last row without its newline
  return text.str();
}

// `rows` CSV rows (label first, three features, some zero, some padded with blanks) among blank
// lines, after a byte-order mark, a blank line and the header `header` (none when empty), with
// CRLF on some lines and no newline at the end.
std::string awkwardCsv(std::uint64_t rows, std::uint64_t seed, const std::string& header) {
  Rng rng(seed);
  std::ostringstream text;
  text << "\xef\xbb\xbf\r\n";
  if (!header.empty()) text << header << "\r\n";
  for (std::uint64_t i = 0; i < rows; ++i) {
    if (rng.below(5) == 0) text << (rng.below(2) == 0 ? "\n" : "  \r\n");
    text << (rng.below(2) == 0 ? "-1" : "1");
    for (int feature = 0; feature < 3; ++feature) {
      text << ',';
      if (rng.below(3) == 0) {
        text << " 0 ";
      } else {
        text << 0.125 * static_cast<double>(rng.below(1000)) - 60;
      }
    }
    text << (rng.below(3) == 0 ? "\r\n" : "\n");
  }
  text << "1,0,0.5,2";
  return text.str();
}

TEST_F(TextSplitMpi, EachRankHoldsTheRowsOfSequentialReading) {
  for (const std::uint64_t rows : {5U, 17U, 400U}) {
    SCOPED_TRACE("rows " + std::to_string(rows));
    expectSequentialRows(
        write("awkward_" + std::to_string(rows) + ".svm", awkwardFile(rows, rows)));
  }
}

// A line longer than a rank's share of the bytes leaves chunks with no line start in them.
TEST_F(TextSplitMpi, LinesLongerThanAChunk) {
  std::string text = "+1 1:1\n-1";
  for (int index = 1; index <= 3000; ++index) text += " " + std::to_string(index) + ":0.5";
  text += "\n+1 2:1\n\n-1 4:1\n+1 5:1\n-1 1:1 2:1\n";
  expectSequentialRows(write("long.svm", text));
}

// A compressed file cannot be entered at an offset; it gives the same blocks read whole.
TEST_F(TextSplitMpi, CompressedFilesGiveTheSameBlocks) {
  expectSequentialRows(write("awkward.svm.gz", test::gzip(awkwardFile(300, 7))));
}

// A malformed row is refused with its line in the whole file, on every rank, wherever it is.
TEST_F(TextSplitMpi, AMalformedRowIsNamedByItsLineInTheFile) {
  std::string text;
  for (int line = 1; line < 500; ++line) text += "+1 1:1 2:0.5\n";
  text += "-1 3:x\n+1 1:1\n";
  const std::string path = write("bad.svm", text);
  DataConfig config;
  config.train = path;
  try {
    (void)loadShards<double>(config, comm_);
    FAIL() << "loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":500: bad value 'x'"), std::string::npos)
        << e.what();
  }
}

// A CSV file's header (named, or numbers with data.header = true) is no rank's row, blank lines
// are none either, and every rank's block is the sequential reading's, plain or compressed.
TEST_F(TextSplitMpi, EachRankHoldsTheCsvRowsOfSequentialReading) {
  DataConfig named;
  DataConfig numbers;
  numbers.header = true;
  DataConfig none;
  none.header = false;
  for (const std::uint64_t rows : {5U, 17U, 400U}) {
    SCOPED_TRACE("rows " + std::to_string(rows));
    const std::string suffix = std::to_string(rows) + ".csv";
    expectSequentialCsvRows(write("named_" + suffix, awkwardCsv(rows, rows, "y, a,b ,c")), named);
    expectSequentialCsvRows(write("numbers_" + suffix, awkwardCsv(rows, rows, "0,1,2,3")), numbers);
    expectSequentialCsvRows(write("none_" + suffix, awkwardCsv(rows, rows, "")), none);
  }
  expectSequentialCsvRows(write("named.csv.gz", test::gzip(awkwardCsv(300, 7, "y,a,b,c"))), named);
}

// A bad line in the last rank's part of a CSV file is named by its line in the whole file, and
// so is the first data line that sets the field count, which that rank never reaches.
TEST_F(TextSplitMpi, ABadCsvLineIsNamedByItsLineInTheFile) {
  std::string text = "\ny,a,b\n\n";  // the first data line is line 4
  for (int line = 4; line < 2000; ++line) text += line % 7 == 0 ? "\r\n" : "1,2,0.5\r\n";
  DataConfig config;
  config.train = write("bad.csv", text + "-1,x,1\n1,1,1\n");
  EXPECT_TRUE(test::loadRefused(config, LabelKind::kBinary, kExitDataError,
                                config.train + ":2000: bad value 'x' in column 1 (from 0)"));
  config.train = write("short.csv", text + "-1,1\n1,1,1\n");
  EXPECT_TRUE(test::loadRefused(
      config, LabelKind::kBinary, kExitDataError,
      config.train + ":2000: has 2 fields, but the first data line (line 4) has 3"));
}

// Each rank of a CSV file reads its first lines, its chunk and its rows: about 2/P of the file.
TEST_F(TextSplitMpi, ACsvRankReadsAboutTwoShares) {
  const std::string path = write("large.csv", awkwardCsv(300000, 3, "y,a,b,c"));
  const auto size = static_cast<double>(std::filesystem::file_size(path));
  const std::uint64_t before = test::bytesRead();
  const RowShard shard = CsvSource(path, DataConfig{}).readShard(comm_, {});
  const auto read = static_cast<double>(test::bytesRead() - before);
  ASSERT_GT(shard.rows.rows(), 0U);
  const double shares = read / (size / comm_.size());
  EXPECT_LT(shares, 2.2) << read << " bytes of " << size;
}

// Each rank reads its chunk and its rows, about 2/P of the file, where sequential reading took
// the whole file to count it.
TEST_F(TextSplitMpi, ARankReadsAboutTwoShares) {
  const std::string path = write("large.svm", awkwardFile(60000, 3));
  const auto size = static_cast<double>(std::filesystem::file_size(path));
  const std::uint64_t before = test::bytesRead();
  const RowShard shard = LibsvmSource(path).readShard(comm_, {});
  const auto read = static_cast<double>(test::bytesRead() - before);
  ASSERT_GT(shard.rows.rows(), 0U);
  const double shares = read / (size / comm_.size());
  EXPECT_LT(shares, 2.2) << read << " bytes of " << size;
}

}  // namespace
}  // namespace memsgd
