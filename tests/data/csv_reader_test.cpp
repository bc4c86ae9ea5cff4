#include "memsgd/data/csv_reader.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <string>
#include <vector>

#include "archives.hpp"
#include "file_test.hpp"
#include "memsgd/core/error.hpp"
#include "memsgd/data/csv_source.hpp"
#include "memsgd/data/data_format.hpp"

namespace memsgd {
namespace {

constexpr RowRange kAllRows{0, std::numeric_limits<std::uint64_t>::max()};

DataConfig csvConfig(std::uint64_t labelColumn = 0, std::optional<bool> header = std::nullopt) {
  DataConfig config;
  config.labelColumn = labelColumn;
  config.header = header;
  return config;
}

// Passes when reading `path` throws a DataError located at `line` whose message has `fragment`.
::testing::AssertionResult failsAt(const std::string& path, std::uint64_t line,
                                   const std::string& fragment,
                                   const DataConfig& config = csvConfig(), DimLimit limit = {},
                                   RowRange range = kAllRows) {
  return test::failsAtLine(path, line, fragment, [&] { readCsvRows(path, config, range, limit); });
}

class CsvReaderTest : public test::FileTest {};

TEST_F(CsvReaderTest, ReadsLabelsAndFeaturesDroppingZeros) {
  const auto path = write("a.csv", "1,0.5,0,2\n-1,0,0,0\n+1,-3,1e2,0\n-0,1,1,1\n");
  EXPECT_EQ(countCsvRows(path, csvConfig()), 4U);
  const RowBlock rows = readCsvRows(path, csvConfig(), kAllRows);
  EXPECT_EQ(rows.labels, (std::vector<double>{1, -1, 1, 0}));
  EXPECT_EQ(rows.rowOffsets, (std::vector<std::int64_t>{0, 2, 2, 4, 7}));
  EXPECT_EQ(rows.indices, (std::vector<std::int32_t>{0, 2, 0, 1, 0, 1, 2}));
  EXPECT_EQ(rows.values, (std::vector<double>{0.5, 2, -3, 100, 1, 1, 1}));
  EXPECT_EQ(rows.labelCounts, (std::map<double, std::uint64_t>{{-1, 1}, {0, 1}, {1, 2}}));
  EXPECT_EQ(rows.labelLines, (std::map<double, std::uint64_t>{{-1, 2}, {0, 4}, {1, 1}}));
  // d is the number of feature columns, explicit zeros included, from the first row read.
  EXPECT_EQ(rows.maxIndex, 3U);
  EXPECT_EQ(rows.maxIndexLine, 1U);
}

TEST_F(CsvReaderTest, ATabWithoutACommaInTheFirstLineMakesItTsv) {
  const auto tsv = write("a.tsv", "1\t0.5\t2\n-1\t1\t0\n");
  const RowBlock rows = readCsvRows(tsv, csvConfig(), kAllRows);
  EXPECT_EQ(rows.labels, (std::vector<double>{1, -1}));
  EXPECT_EQ(rows.values, (std::vector<double>{0.5, 2, 1}));
  // A comma anywhere in the first line makes it CSV, a tab then being padding.
  const auto csv = write("b.csv", "1,\t0.5, 2\n-1 ,1,0\n");
  EXPECT_EQ(readCsvRows(csv, csvConfig(), kAllRows).values, (std::vector<double>{0.5, 2, 1}));
  // The delimiter is the first line's: a comma in a TSV file is inside a field.
  const auto mixed = write("c.tsv", "1\t2\n1,5\t2\n");
  EXPECT_TRUE(failsAt(mixed, 2, "bad label '1,5' in column 0 (from 0)"));
}

TEST_F(CsvReaderTest, SkipsBlankLinesAndTakesCrlfAndAByteOrderMark) {
  const auto path = write("a.csv",
                          "\xef\xbb\xbf"
                          "1,2\r\n\r\n  \n-1,3\r\n\n");
  EXPECT_EQ(countCsvRows(path, csvConfig()), 2U);
  const RowBlock rows = readCsvRows(path, csvConfig(), kAllRows);
  EXPECT_EQ(rows.labels, (std::vector<double>{1, -1}));
  EXPECT_EQ(rows.values, (std::vector<double>{2, 3}));
  EXPECT_EQ(rows.labelLines, (std::map<double, std::uint64_t>{{-1, 4}, {1, 1}}));
}

TEST_F(CsvReaderTest, DetectsAHeaderByAFieldThatIsNotANumber) {
  const auto named = write("named.csv", "\nlabel,x1,x2\n1,2,3\n-1,4,5\n");
  EXPECT_EQ(countCsvRows(named, csvConfig()), 2U);
  const RowBlock rows = readCsvRows(named, csvConfig(), kAllRows);
  EXPECT_EQ(rows.labels, (std::vector<double>{1, -1}));
  EXPECT_EQ(rows.maxIndexLine, 3U);
  // pandas' unnamed index column: an empty name does not decide, "a" does.
  const auto pandas = write("pandas.csv", ",a,b\n1,2,3\n");
  EXPECT_EQ(readCsvRows(pandas, csvConfig(), kAllRows).labels, (std::vector<double>{1}));
  // Numbers only: the first line is data.
  const auto numbers = write("numbers.csv", "1,2,3\n-1,4,5\n");
  EXPECT_EQ(countCsvRows(numbers, csvConfig()), 2U);
  // An empty field does not make a header: the line is data, refused as such.
  const auto empty = write("empty.csv", "1,,3\n-1,4,5\n");
  EXPECT_TRUE(failsAt(empty, 1, "empty field in column 1 (from 0)"));
}

TEST_F(CsvReaderTest, DataHeaderTrueOrFalseOverridesTheDetection) {
  const auto numbers = write("numbers.csv", "0,1,2\n1,4,5\n-1,6,7\n");
  EXPECT_EQ(countCsvRows(numbers, csvConfig(0, true)), 2U);
  EXPECT_EQ(readCsvRows(numbers, csvConfig(0, true), kAllRows).labels,
            (std::vector<double>{1, -1}));
  const auto named = write("named.csv", "label,x1,x2\n1,2,3\n");
  EXPECT_EQ(countCsvRows(named, csvConfig(0, false)), 2U);
  EXPECT_TRUE(failsAt(named, 1, "bad label 'label' in column 0 (from 0)", csvConfig(0, false)));
}

TEST_F(CsvReaderTest, AHeaderMustHaveTheDataFieldCount) {
  const auto path = write("a.csv", "y,x1\n1,2,3\n");
  EXPECT_TRUE(failsAt(path, 1, "the header has 2 fields, but the first data line (line 2) has 3"));
}

TEST_F(CsvReaderTest, TheLabelColumnMayBeFirstMiddleOrLast) {
  const auto path = write("a.csv", "1,2,3\n4,0,6\n");
  const auto read = [&](std::uint64_t column) {
    return readCsvRows(path, csvConfig(column), kAllRows);
  };
  const RowBlock first = read(0);
  EXPECT_EQ(first.labels, (std::vector<double>{1, 4}));
  EXPECT_EQ(first.indices, (std::vector<std::int32_t>{0, 1, 1}));
  EXPECT_EQ(first.values, (std::vector<double>{2, 3, 6}));
  const RowBlock middle = read(1);
  EXPECT_EQ(middle.labels, (std::vector<double>{2, 0}));
  EXPECT_EQ(middle.indices, (std::vector<std::int32_t>{0, 1, 0, 1}));
  EXPECT_EQ(middle.values, (std::vector<double>{1, 3, 4, 6}));
  const RowBlock last = read(kLastColumn);
  EXPECT_EQ(last.labels, (std::vector<double>{3, 6}));
  EXPECT_EQ(last.indices, (std::vector<std::int32_t>{0, 1, 0}));
  EXPECT_EQ(last.values, (std::vector<double>{1, 2, 4}));
  EXPECT_EQ(read(2).values, last.values);
  EXPECT_EQ(last.maxIndex, 2U);
}

TEST_F(CsvReaderTest, ALabelColumnBeyondTheRowsIsAConfigError) {
  const auto path = write("a.csv", "\n1,2,3\n");
  try {
    readCsvRows(path, csvConfig(3), kAllRows);
    FAIL() << "read";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "data.label_column = 3: " + path + ":2 has 3 fields (columns 0 to 2)");
  }
}

TEST_F(CsvReaderTest, RefusesALineWithAnotherFieldCount) {
  const auto more = write("more.csv", "1,2,3\n-1,4,5\n1,2,3,4\n");
  EXPECT_TRUE(
      failsAt(more, 3, "has 4 fields, but the first data line (line 1) has 3 (delimiter ',')"));
  const auto fewer = write("fewer.tsv", "h1\th2\th3\n1\t2\t3\n\n-1\t4\n");
  EXPECT_TRUE(
      failsAt(fewer, 4, "has 2 fields, but the first data line (line 2) has 3 (delimiter tab)"));
}

TEST_F(CsvReaderTest, RefusesATrailingDelimiter) {
  const auto csv = write("a.csv", "1,2,3,\r\n");
  EXPECT_TRUE(failsAt(csv, 1, "ends with the delimiter ',' (a trailing delimiter"));
  const auto tsv = write("a.tsv", "1\t2\n-1\t3\t\n");
  EXPECT_TRUE(failsAt(tsv, 2, "ends with the delimiter tab"));
}

TEST_F(CsvReaderTest, RefusesEachBadFieldNamingItAndItsColumn) {
  const auto check = [&](const std::string& row, const std::string& fragment) {
    const auto path = write("bad.csv", "1,2,3\n" + row + "\n");
    EXPECT_TRUE(failsAt(path, 2, fragment)) << row;
  };
  check("1,,3", "empty field in column 1 (from 0)");
  check("1, ,3", "empty field in column 1 (from 0)");
  check("1,2,x", "bad value 'x' in column 2 (from 0)");
  check("1,2,3x", "bad value '3x' in column 2 (from 0)");
  check("1,nan,3", "value 'nan' in column 1 (from 0) is NaN, infinite or out of the double range");
  check("1,2,-inf", "value '-inf' in column 2 (from 0) is NaN, infinite");
  check("1,1e999,3", "value '1e999' in column 1 (from 0) is NaN, infinite");
  check("1,\"2\",3", "quoted field '\"2\"' in column 1 (from 0): quoted fields are not supported");
  check("yes,2,3", "bad label 'yes' in column 0 (from 0)");
  check("inf,2,3", "label 'inf' in column 0 (from 0) is NaN, infinite");
  check("1,2,\x01", "bad value '\\x01' in column 2 (from 0)");
}

TEST_F(CsvReaderTest, WiderRowsThanTheLimitAreRefused) {
  const auto path = write("a.csv", "1,2,3\n-1,4,5\n");
  EXPECT_TRUE(failsAt(path, 1, "2 feature columns exceed data.dim = 1", csvConfig(), {1}));
  EXPECT_TRUE(failsAt(path, 2,
                      "2 feature columns exceed the training dimension 1; set data.dim to at "
                      "least 2 to train with the test set's features",
                      csvConfig(), {1, DimSource::kTrainingSet}, {1, 2}));
  EXPECT_EQ(readCsvRows(path, csvConfig(), kAllRows, {2}).rows(), 2U);
}

TEST_F(CsvReaderTest, ReadsItsBlockOnlyWithoutParsingTheLinesBeforeIt) {
  const auto path = write("a.csv", "y,a\n1,1\n\n1,x\n-1,3\n1,4\n1,y\n");
  const RowBlock block = readCsvRows(path, csvConfig(), {2, 4});
  EXPECT_EQ(block.labels, (std::vector<double>{-1, 1}));
  EXPECT_EQ(block.values, (std::vector<double>{3, 4}));
  EXPECT_EQ(block.labelLines, (std::map<double, std::uint64_t>{{-1, 5}, {1, 6}}));
  EXPECT_EQ(block.maxIndexLine, 5U);
  EXPECT_TRUE(failsAt(path, 4, "bad value 'x' in column 1", csvConfig(), {}, {0, 2}));
  EXPECT_TRUE(failsAt(path, 7, "bad value 'y' in column 1", csvConfig(), {}, {4, 5}));
}

TEST_F(CsvReaderTest, GzipAndBzip2FilesReadAsThePlainOne) {
  std::string text = "label,a,b,c\n";
  for (int row = 0; row < 500; ++row) {
    text += std::to_string(row % 2) + "," + std::to_string(row * 0.25) + ",0," +
            std::to_string(row % 7) + "\n";
  }
  const RowBlock plain = readCsvRows(write("a.csv", text), csvConfig(), kAllRows);
  ASSERT_EQ(plain.rows(), 500U);
  for (const auto& path :
       {write("a.csv.gz", test::gzip(text)), write("a.csv.bz2", test::bzip2(text))}) {
    EXPECT_EQ(countCsvRows(path, csvConfig()), 500U) << path;
    const RowBlock rows = readCsvRows(path, csvConfig(), kAllRows);
    EXPECT_EQ(rows.labels, plain.labels) << path;
    EXPECT_EQ(rows.indices, plain.indices) << path;
    EXPECT_EQ(rows.values, plain.values) << path;
  }
}

TEST_F(CsvReaderTest, CsvIsRecognisedByItsNameOnly) {
  for (const char* name : {"a.csv", "a.tsv", "A.CSV", "dir/a.tsv.gz", "a.csv.bz2", "a.Csv.GZ"}) {
    EXPECT_TRUE(recognizesCsv(name, {})) << name;
  }
  for (const char* name : {"a.svm", "a.csv.txt", "acsv", "a.csv.xz", "a.gz", "a.txt"}) {
    EXPECT_FALSE(recognizesCsv(name, {})) << name;
  }
}

TEST_F(CsvReaderTest, TheRegistryChoosesCsvByNameOrByDataFormat) {
  const auto named = write("a.csv", "1,2\n");
  EXPECT_EQ(formatOf(named, "auto").name, "csv");
  const auto other = write("a.txt", "1,2\n");
  EXPECT_EQ(formatOf(other, "auto").name, "libsvm");
  EXPECT_EQ(formatOf(other, "csv").name, "csv");
}

// Passes when opening `files` throws a ConfigError whose message is `expected`.
::testing::AssertionResult refusedWith(const SplitFiles& files, const DataConfig& config,
                                       const std::string& expected) {
  try {
    (void)openDataSource(files, config);
  } catch (const ConfigError& e) {
    if (e.what() == expected) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "message \"" << e.what() << "\"";
  }
  return ::testing::AssertionFailure() << "opened " << files.rows;
}

TEST_F(CsvReaderTest, TheCsvKeysAreRefusedForOtherFormatsAndALabelsFileForCsv) {
  const SplitFiles libsvm{write("a.svm", "1 1:1\n"), "", "data.train", "data.train_labels"};
  const std::string tail =
      " is set, but data.train = " + libsvm.rows + " is read as libsvm, not csv: drop ";
  EXPECT_TRUE(
      refusedWith(libsvm, csvConfig(1),
                  "data.label_column" + tail + "data.label_column or set data.format = csv"));
  EXPECT_TRUE(
      refusedWith(libsvm, csvConfig(kLastColumn),
                  "data.label_column" + tail + "data.label_column or set data.format = csv"));
  EXPECT_TRUE(refusedWith(libsvm, csvConfig(0, false),
                          "data.header" + tail + "data.header or set data.format = csv"));
  EXPECT_NO_THROW((void)openDataSource(libsvm, csvConfig()));
  const SplitFiles csv{write("a.csv", "1,1\n"), write("labels", ""), "data.test",
                       "data.test_labels"};
  EXPECT_TRUE(refusedWith(csv, csvConfig(),
                          "data.test_labels = " + csv.labels +
                              " is set, but data.test = " + csv.rows +
                              " is a CSV file, whose rows carry their labels "
                              "(data.label_column): drop data.test_labels"));
}

}  // namespace
}  // namespace memsgd
