#include "memsgd/data/libsvm_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "archives.hpp"
#include "file_test.hpp"
#include "memsgd/core/error.hpp"
#include "memsgd/util/random.hpp"
#include "test_paths.hpp"

namespace memsgd {
namespace {

using test::bzip2;
using test::gzip;

constexpr RowRange kAllRows{0, std::numeric_limits<std::uint64_t>::max()};

// `rows` lines of valid LIBSVM text, varied enough that bzip2 cannot shrink it to a few bytes.
std::string syntheticText(int rows) {
  std::string text;
  for (int row = 0; row < rows; ++row) {
    text += row % 3 == 0 ? "+1" : "-1";
    for (int index = 1 + row % 7; index < 200; index += 1 + (row * index) % 11) {
      text += ' ';
      text += std::to_string(index);
      text += ':';
      text += std::to_string(0.001 * ((row * 31 + index) % 997));
    }
    text += "\n";
  }
  return text;
}

std::uint64_t countPositive(const RowBlock& rows) {
  return static_cast<std::uint64_t>(std::count(rows.labels.begin(), rows.labels.end(), 1.0));
}

// Passes when reading `path` throws a DataError located at `line` whose message has `fragment`.
::testing::AssertionResult failsAt(const std::string& path, std::uint64_t line,
                                   const std::string& fragment, DimLimit limit = {},
                                   RowRange range = kAllRows) {
  return test::failsAtLine(path, line, fragment, [&] { readLibsvmRows(path, range, limit); });
}

class LibsvmReaderTest : public test::FileTest {};

TEST_F(LibsvmReaderTest, KeepsLabelsAsWrittenAndCountsThem) {
  const auto path =
      write("labels", "+1 1:1\n1 1:1\n-1 1:1\n0 1:1\n1.0 1:1\n-1.0 1:1\n+0 1:1\n-0 1:1\n2.5 1:1\n");
  const RowBlock rows = readLibsvmRows(path, kAllRows);
  EXPECT_EQ(rows.labels, (std::vector<double>{1, 1, -1, 0, 1, -1, 0, 0, 2.5}));
  EXPECT_EQ(rows.labelCounts, (std::map<double, std::uint64_t>{{-1, 2}, {0, 3}, {1, 3}, {2.5, 1}}));
}

TEST_F(LibsvmReaderTest, SkipsBlankAndWhitespaceOnlyLines) {
  const auto path = write("blank", "\n   \n+1 1:0.5\n\t\r\n-1 2:1\n\n");
  EXPECT_EQ(countLibsvmRows(path), 2U);
  const RowBlock rows = readLibsvmRows(path, kAllRows);
  EXPECT_EQ(rows.rows(), 2U);
  EXPECT_EQ(rows.labels, (std::vector<double>{1, -1}));
  EXPECT_EQ(rows.indices, (std::vector<std::int32_t>{0, 1}));
}

TEST_F(LibsvmReaderTest, KeepsRowsWithoutFeatures) {
  const auto path = write("empty_rows", "-1 \n-1\n+1 1:1\n-1\t\r\n");
  const RowBlock rows = readLibsvmRows(path, kAllRows);
  EXPECT_EQ(rows.rows(), 4U);
  EXPECT_EQ(rows.rowOffsets, (std::vector<std::int64_t>{0, 0, 0, 1, 1}));
  EXPECT_EQ(rows.labels, (std::vector<double>{-1, -1, 1, -1}));
}

TEST_F(LibsvmReaderTest, IgnoresTrailingWhitespaceCrLfAndTabs) {
  const auto path = write("crlf", "+1 1:1 3:2.5 \t\r\n-1\t2:-1\t\r\n+1 4:1");
  const RowBlock rows = readLibsvmRows(path, kAllRows);
  EXPECT_EQ(rows.rowOffsets, (std::vector<std::int64_t>{0, 2, 3, 4}));
  EXPECT_EQ(rows.indices, (std::vector<std::int32_t>{0, 2, 1, 3}));
  EXPECT_EQ(rows.values, (std::vector<double>{1, 2.5, -1, 1}));
}

TEST_F(LibsvmReaderTest, DropsExplicitZerosButCountsThemInMaxIndex) {
  const auto path = write("zeros", "-1 1:1 5:0 7:2 9:-0.0 123:0\n");
  const RowBlock rows = readLibsvmRows(path, kAllRows);
  EXPECT_EQ(rows.indices, (std::vector<std::int32_t>{0, 6}));
  EXPECT_EQ(rows.values, (std::vector<double>{1, 2}));
  EXPECT_EQ(rows.rowOffsets, (std::vector<std::int64_t>{0, 2}));
  EXPECT_EQ(rows.maxIndex, 123U);
}

TEST_F(LibsvmReaderTest, ParsesValueSpellingsExactly) {
  const auto path = write("values", "+1 1:+0.5 2:-1e-3 3:1E2 4:.5 5:0.708333 6:-0.320755\n");
  const RowBlock rows = readLibsvmRows(path, kAllRows);
  EXPECT_EQ(rows.values, (std::vector<double>{0.5, -1e-3, 100, 0.5, 0.708333, -0.320755}));
}

// Labels and values read to the double strtod gives, bit for bit, whichever path reads them:
// awkward spellings (subnormals, 17 and more digits, mantissas past 2^53, exponents at and past
// the exact powers of ten, '+', ".5", "1.") and random doubles printed at every precision.
TEST_F(LibsvmReaderTest, ParsesEveryValueAsStrtodDoes) {
  std::vector<std::string> spellings = {"1e-320",
                                        "4.9e-324",
                                        "2.2250738585072011e-308",
                                        "2.2250738585072014e-308",
                                        "1.7976931348623157e308",
                                        "+1",
                                        "0.1",
                                        "0.30000000000000004",
                                        "9007199254740992",
                                        "9007199254740993",
                                        "-9007199254740995",
                                        "123456789012345678",
                                        "12345678901234567890123",
                                        "1e22",
                                        "1e23",
                                        "1e-22",
                                        "1.5e-23",
                                        "3.14159265358979323846",
                                        "0.000000000000000000001",
                                        "1E5",
                                        "1e+5",
                                        "-7.2057594037927933e16",
                                        ".5",
                                        "1.",
                                        "5e0",
                                        "00000.1250",
                                        "-2.5E-3",
                                        "0.0000000000000000001234",
                                        "1234567890123456789e-30",
                                        "8.98846567431158e307"};
  Rng rng(5);
  std::array<char, 64> buffer{};
  for (int i = 0; i < 20000; ++i) {
    const double magnitude =
        std::ldexp(rng.uniform() + 0.5, static_cast<int>(rng.below(200)) - 100);
    const double value = rng.below(2) == 0 ? magnitude : -magnitude;
    const int precision = 1 + static_cast<int>(rng.below(17));
    std::snprintf(buffer.data(), buffer.size(), rng.below(2) == 0 ? "%.*g" : "%.*e", precision,
                  value);
    spellings.emplace_back(buffer.data());
    // A mantissa of up to 20 digits with an exponent around the exact powers of ten.
    const auto digits = std::to_string(1 + rng.below(std::uint64_t{1} << (1 + rng.below(63))));
    spellings.push_back(digits + "e" + std::to_string(static_cast<int>(rng.below(61)) - 30));
  }
  std::string text;
  for (const std::string& spelling : spellings) text += spelling + " 1:" + spelling + "\n";
  const RowBlock rows = readLibsvmRows(write("spellings", text), kAllRows);
  ASSERT_EQ(rows.rows(), spellings.size());
  ASSERT_EQ(rows.values.size(), spellings.size());
  for (std::size_t i = 0; i < spellings.size(); ++i) {
    const double expected = std::strtod(spellings[i].c_str(), nullptr);
    EXPECT_EQ(std::bit_cast<std::uint64_t>(rows.values[i]), std::bit_cast<std::uint64_t>(expected))
        << spellings[i];
    EXPECT_EQ(std::bit_cast<std::uint64_t>(rows.labels[i]), std::bit_cast<std::uint64_t>(expected))
        << spellings[i];
  }
}

TEST_F(LibsvmReaderTest, EmptyFileHasNoRows) {
  const auto path = write("empty", "");
  EXPECT_EQ(countLibsvmRows(path), 0U);
  const RowBlock rows = readLibsvmRows(path, kAllRows);
  EXPECT_EQ(rows.rows(), 0U);
  EXPECT_EQ(rows.maxIndex, 0U);
  EXPECT_EQ(rows.rowOffsets, (std::vector<std::int64_t>{0}));
}

TEST_F(LibsvmReaderTest, AcceptsTheLargest32BitIndexAndIndicesUpToMaxDim) {
  const auto path = write("limits", "+1 2147483647:1\n");
  const RowBlock rows = readLibsvmRows(path, kAllRows);
  EXPECT_EQ(rows.indices, (std::vector<std::int32_t>{2147483646}));
  EXPECT_EQ(rows.maxIndex, 2147483647U);
  const auto bounded = write("bounded", "-1 3:1 10:1\n");
  EXPECT_EQ(readLibsvmRows(bounded, kAllRows, {10}).maxIndex, 10U);
}

TEST_F(LibsvmReaderTest, ReportsEachMalformedTokenWithItsLine) {
  struct Case {
    std::string text;
    std::uint64_t line;
    std::string fragment;
    DimLimit limit;
  };
  const std::vector<Case> cases = {
      {"+1 1:1\n\nabc 1:1\n", 3, "bad label 'abc'"},
      {"-1 1:1\n+1x 1:1\n", 2, "bad label '+1x'"},
      {"nan 1:1\n", 1, "bad label 'nan' (expected a number)"},
      {"1 1:1\n-inf 1:1\n", 2, "bad label '-inf'"},
      {"1 qid:a 1:1\n", 1, "bad query id 'qid:a'"},
      {"1 1:1 qid:3\n", 1, "bad index 'qid' in feature 'qid:3'"},
      {"  \n\t\n1 1:1\n 1:1 2:1\n", 4, "bad label '1:1'"},
      {"-1 1:1\r\n\r\n-1 0:1\r\n", 3, "index 0 in feature '0:1'"},
      {"-1 a:1\n", 1, "bad index 'a' in feature 'a:1'"},
      {"-1 -3:1\n", 1, "bad index '-3'"},
      {"-1 :1\n", 1, "bad index '' in feature ':1'"},
      {"-1 1.5:1\n", 1, "bad index '1.5'"},
      {"-1 1:1\n-1 3:1 2:1\n", 2, "index 2 in feature '2:1' is not strictly increasing"},
      {"-1 3:1 3:1\n", 1, "index 3 in feature '3:1' is not strictly increasing"},
      {"-1 3:1 4\n", 1, "missing ':' in feature '4'"},
      {"-1 3:abc\n", 1, "bad value 'abc' in feature '3:abc'"},
      {"-1 3:\n", 1, "bad value '' in feature '3:'"},
      {"\n-1 3:1.5x\n", 2, "bad value '1.5x' in feature '3:1.5x'"},
      {"-1 3:1:2\n", 1, "bad value '1:2'"},
      {"-1 3:nan\n", 1, "value 'nan' in feature '3:nan' is NaN"},
      {"-1 3:-inf\n", 1, "value '-inf' in feature '3:-inf' is NaN, infinite"},
      {"-1 3:1e400\n", 1, "value '1e400' in feature '3:1e400' is NaN, infinite or out of"},
      {"-1 3:2e-324\n", 1, "value '2e-324' in feature '3:2e-324' is NaN, infinite or out of"},
      {"-1 3:0x1p3\n", 1, "bad value '0x1p3' in feature '3:0x1p3'"},
      {"-1 3:1e\n", 1, "bad value '1e' in feature '3:1e'"},
      {"-1 3:--1\n", 1, "bad value '--1' in feature '3:--1'"},
      {"-1 3:1.5e+\n", 1, "bad value '1.5e+'"},
      {"-1 3:12345678901234567890x\n", 1, "bad value '12345678901234567890x'"},
      {"0x1 1:1\n", 1, "bad label '0x1'"},
      {"1e999 1:1\n", 1, "bad label '1e999'"},
      {"-1 10:1\n+1 11:1\n", 2, "index 11 in feature '11:1' exceeds data.dim = 10", {10}},
      {"-1 10:1\n+1 3:1 130:1\n",
       2,
       "index 130 in feature '130:1' exceeds the training dimension 123; set data.dim to at least "
       "130 to train with the test set's features",
       {123, DimSource::kTrainingSet}},
      {"-1 2147483648:1\n", 1,
       "index '2147483648' in feature '2147483648:1' does not fit the 32-bit"},
      {"-1 99999999999999999999999:1\n", 1, "does not fit the 32-bit index"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].text);
    const auto path = write("case" + std::to_string(i), cases[i].text);
    EXPECT_TRUE(failsAt(path, cases[i].line, cases[i].fragment, cases[i].limit));
  }
}

// Hostile input: a single line of over 100 MB (10 million features) between two normal rows.
TEST_F(LibsvmReaderTest, ReadsASingleHundredMegabyteLine) {
  constexpr int kFeatures = 10'000'000;
  std::string text = "-1 1:1\n+1";
  text.reserve(110'000'000);
  for (int j = 1; j <= kFeatures; ++j) {
    text += ' ';
    text += std::to_string(j);
    text += ":0.5";
  }
  text += "\n+1 2:1\n";
  ASSERT_GT(text.size(), 100'000'000U);
  const RowBlock rows = readLibsvmRows(write("long_line", text), kAllRows);
  ASSERT_EQ(rows.rows(), 3U);
  EXPECT_EQ(rows.rowOffsets[2] - rows.rowOffsets[1], kFeatures);
  EXPECT_EQ(rows.maxIndex, static_cast<std::uint64_t>(kFeatures));
  EXPECT_EQ(rows.values[rows.rowOffsets[1] + kFeatures - 1], 0.5);
}

TEST_F(LibsvmReaderTest, MissingFileOrDirectoryCannotBeOpened) {
  const std::string missing = (dir_ / "missing.bz2").string();
  EXPECT_TRUE(test::failsOnFile(missing, "cannot open", [&] { countLibsvmRows(missing); }));
  EXPECT_TRUE(
      test::failsOnFile(missing, "cannot open", [&] { readLibsvmRows(missing, kAllRows); }));
  const std::string directory = dir_.string();
  EXPECT_TRUE(test::failsOnFile(directory, "cannot open", [&] { countLibsvmRows(directory); }));
  EXPECT_TRUE(
      test::failsOnFile(directory, "cannot open", [&] { readLibsvmRows(directory, kAllRows); }));
}

TEST_F(LibsvmReaderTest, ReadsBzip2LikeThePlainFile) {
  const std::string text = "+1 1:1 3:0.25 \r\n\n-1 \n0 2:4 7:0\n" + syntheticText(500);
  const auto plain = write("data", text);
  const auto compressed = write("data.bz2", bzip2(text));
  EXPECT_EQ(countLibsvmRows(compressed), 503U);
  EXPECT_EQ(countLibsvmRows(plain), 503U);
  const RowBlock fromPlain = readLibsvmRows(plain, kAllRows);
  const RowBlock fromBzip2 = readLibsvmRows(compressed, kAllRows);
  EXPECT_EQ(fromBzip2.rows(), 503U);
  EXPECT_EQ(fromBzip2.rowOffsets, fromPlain.rowOffsets);
  EXPECT_EQ(fromBzip2.indices, fromPlain.indices);
  EXPECT_EQ(fromBzip2.values, fromPlain.values);
  EXPECT_EQ(fromBzip2.labels, fromPlain.labels);
  EXPECT_EQ(fromBzip2.maxIndex, fromPlain.maxIndex);
}

TEST_F(LibsvmReaderTest, ReportsTheLineOfAnErrorInsideBzip2) {
  const auto path = write("bad.bz2", bzip2(syntheticText(1000) + "\n-1 5:1 4:1\n"));
  EXPECT_TRUE(failsAt(path, 1002, "index 4 in feature '4:1' is not strictly increasing"));
}

TEST_F(LibsvmReaderTest, TruncatedOrCorruptedBzip2IsADataError) {
  const std::string compressed = bzip2(syntheticText(2000));
  ASSERT_GT(compressed.size(), 1000U);
  const auto truncated = write("truncated.bz2", compressed.substr(0, compressed.size() / 2));
  EXPECT_TRUE(test::failsOnFile(truncated, "cannot read: truncated bzip2 stream after line",
                                [&] { countLibsvmRows(truncated); }));
  EXPECT_TRUE(test::failsOnFile(truncated, "cannot read: truncated bzip2 stream after line",
                                [&] { readLibsvmRows(truncated, kAllRows); }));

  std::string damaged = compressed;
  for (std::size_t i = damaged.size() / 2; i < damaged.size() / 2 + 16; ++i) damaged[i] ^= 0x5a;
  const auto corrupted = write("corrupted.bz2", damaged);
  EXPECT_TRUE(test::failsOnFile(corrupted, "cannot read: corrupted bzip2 data",
                                [&] { countLibsvmRows(corrupted); }));
  // bzip2 checks a block's CRC only after handing out its bytes, so the parser may trip over the
  // garbage first: either way it is a DataError.
  EXPECT_THROW(readLibsvmRows(corrupted, kAllRows), DataError);
}

// The first bytes decide, not the name: a .gz, a .bz2 and a plain file named alike all read.
TEST_F(LibsvmReaderTest, DetectsGzipAndBzip2ByTheirMagicBytesWhateverTheName) {
  const std::string text = "+1 1:1 3:0.25 \r\n\n-1 \n0 2:4 7:0\n" + syntheticText(500);
  const RowBlock plain = readLibsvmRows(write("data", text), kAllRows);
  const std::vector<std::string> paths = {
      write("data.gz", gzip(text)),        write("gzip_unnamed", gzip(text)),
      write("gzip_named.bz2", gzip(text)), write("bzip2_unnamed", bzip2(text)),
      write("plain_named.bz2", text),      write("plain_named.gz", text)};
  for (const std::string& path : paths) {
    SCOPED_TRACE(path);
    EXPECT_EQ(countLibsvmRows(path), 503U);
    const RowBlock rows = readLibsvmRows(path, kAllRows);
    EXPECT_EQ(rows.rowOffsets, plain.rowOffsets);
    EXPECT_EQ(rows.indices, plain.indices);
    EXPECT_EQ(rows.values, plain.values);
    EXPECT_EQ(rows.labels, plain.labels);
    EXPECT_EQ(rows.maxIndex, plain.maxIndex);
  }
  EXPECT_TRUE(failsAt(write("bad.gz", gzip(syntheticText(1000) + "-1 5:1 4:1\n")), 1001,
                      "index 4 in feature '4:1' is not strictly increasing"));
}

TEST_F(LibsvmReaderTest, TruncatedOrCorruptedGzipIsADataError) {
  const std::string compressed = gzip(syntheticText(2000));
  ASSERT_GT(compressed.size(), 1000U);
  const auto truncated = write("truncated", compressed.substr(0, compressed.size() / 2));
  EXPECT_TRUE(test::failsOnFile(truncated, "cannot read: truncated gzip stream after line",
                                [&] { countLibsvmRows(truncated); }));
  EXPECT_TRUE(test::failsOnFile(truncated, "cannot read: truncated gzip stream after line",
                                [&] { readLibsvmRows(truncated, kAllRows); }));
  // Cut inside the 8-byte footer: all the data is there, its checksum is not.
  const auto noFooter = write("no_footer.gz", compressed.substr(0, compressed.size() - 3));
  EXPECT_TRUE(
      test::failsOnFile(noFooter, "truncated gzip stream", [&] { countLibsvmRows(noFooter); }));

  std::string damaged = compressed;
  for (std::size_t i = damaged.size() / 2; i < damaged.size() / 2 + 16; ++i) damaged[i] ^= 0x5a;
  const auto corrupted = write("corrupted.gz", damaged);
  EXPECT_TRUE(test::failsOnFile(corrupted, "cannot read: corrupted gzip data",
                                [&] { countLibsvmRows(corrupted); }));
  EXPECT_THROW(readLibsvmRows(corrupted, kAllRows), DataError);
}

TEST_F(LibsvmReaderTest, IgnoresByteOrderMarkCommentsAndQueryIds) {
  const auto path = write("svmlight",
                          "\xef\xbb\xbf# written by svmlight\n"
                          "+1 qid:3 1:0.5 4:1 # first row\n"
                          "   # an indented comment\n"
                          "-1 qid:3 2:1#no space\n"
                          "+1 3:2\n");
  EXPECT_EQ(countLibsvmRows(path), 3U);
  const RowBlock rows = readLibsvmRows(path, kAllRows);
  EXPECT_EQ(rows.labels, (std::vector<double>{1, -1, 1}));
  EXPECT_EQ(rows.indices, (std::vector<std::int32_t>{0, 3, 1, 2}));
  EXPECT_EQ(rows.values, (std::vector<double>{0.5, 1, 1, 2}));
  EXPECT_EQ(rows.rowOffsets, (std::vector<std::int64_t>{0, 2, 3, 4}));
  EXPECT_EQ(rows.maxIndex, 4U);
  EXPECT_EQ(rows.maxIndexLine, 2U);
  // Only the first line's mark is one: elsewhere its bytes are part of the data, and quoted.
  EXPECT_TRUE(failsAt(write("late_bom", "+1 1:1\n\xef\xbb\xbf-1 1:1\n"), 2,
                      "bad label '\\xef\\xbb\\xbf-1'"));
}

TEST_F(LibsvmReaderTest, QuotesNonPrintableBytesEscaped) {
  EXPECT_TRUE(failsAt(write("binary", std::string("\x7f"
                                                  "ELF\x02\x01 1:1\n")),
                      1, "bad label '\\x7fELF\\x02\\x01'"));
  EXPECT_TRUE(failsAt(write("latin1", "-1 3:caf\xe9\n"), 1, "bad value 'caf\\xe9'"));
  EXPECT_TRUE(failsAt(write("control_in_index",
                            "-1 \x1f"
                            "3:1\n"),
                      1,
                      "bad index '\\x1f"
                      "3'"));
  const std::string longToken(500, 'z');
  EXPECT_TRUE(failsAt(write("long", longToken + " 1:1\n"), 1,
                      "bad label '" + longToken.substr(0, 64) + "'... (500 bytes)"));
}

TEST_F(LibsvmReaderTest, RemembersTheLineOfTheLargestIndex) {
  const auto path = write("widest", "+1 1:1\n-1 9:1\n\n+1 3:1 9:2\n-1 2:0 8:1\n");
  const RowBlock rows = readLibsvmRows(path, kAllRows);
  EXPECT_EQ(rows.maxIndex, 9U);
  EXPECT_EQ(rows.maxIndexLine, 2U);
  EXPECT_EQ(readLibsvmRows(path, {2, 4}).maxIndexLine, 4U);  // lines count from the file's start
}

TEST_F(LibsvmReaderTest, ParsesOnlyTheRowsInRange) {
  // Rows 0 and 4 are malformed: only a range that includes them may fail.
  const auto path = write("range", "bad\n+1 1:1\n\n-1 2:1\n+1 3:1\nbad 1:1\n");
  EXPECT_EQ(countLibsvmRows(path), 5U);
  const RowBlock middle = readLibsvmRows(path, {1, 4});
  EXPECT_EQ(middle.labels, (std::vector<double>{1, -1, 1}));
  EXPECT_EQ(middle.indices, (std::vector<std::int32_t>{0, 1, 2}));
  EXPECT_EQ(middle.rowOffsets, (std::vector<std::int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(readLibsvmRows(path, {2, 2}).rows(), 0U);
  EXPECT_TRUE(failsAt(path, 1, "bad label 'bad'", {}, {0, 1}));
  EXPECT_TRUE(failsAt(path, 6, "bad label 'bad'", {}, {3, 5}));
}

TEST_F(LibsvmReaderTest, StopsReadingAfterTheRange) {
  // With 100 kB blocks the first rows decompress fine; only reading on would hit the cut.
  const std::string text = syntheticText(2000);
  ASSERT_GT(text.size(), 400'000U);
  const std::string compressed = bzip2(text, 1);
  const auto path = write("cut.bz2", compressed.substr(0, compressed.size() / 2));
  EXPECT_EQ(readLibsvmRows(path, {5, 15}).rows(), 10U);
  EXPECT_THROW(readLibsvmRows(path, kAllRows), DataError);
}

TEST_F(LibsvmReaderTest, RangePastTheEndYieldsTheRowsThatExist) {
  const auto path = write("short", "+1 1:1\n-1 2:1\n\n+1 3:1\n");
  const RowBlock tail = readLibsvmRows(path, {1, 100});
  EXPECT_EQ(tail.labels, (std::vector<double>{-1, 1}));
  EXPECT_EQ(readLibsvmRows(path, {5, 9}).rows(), 0U);
}

TEST(LibsvmShippedData, ShardsOfA9aConcatenateToTheWholeFile) {
  const std::string path = test::sourcePath("configs/data/a9a.bz2");
  const std::uint64_t n = countLibsvmRows(path);
  const RowBlock whole = readLibsvmRows(path, {0, n});
  for (const int ranks : {2, 3, 7}) {
    SCOPED_TRACE(ranks);
    RowBlock joined;
    std::uint64_t maxIndex = 0;
    for (int rank = 0; rank < ranks; ++rank) {
      const RowBlock shard = readLibsvmRows(path, shardOf(n, rank, ranks));
      EXPECT_EQ(shard.rows(), shardOf(n, rank, ranks).size());
      const std::int64_t base = joined.rowOffsets.back();
      for (std::size_t row = 1; row < shard.rowOffsets.size(); ++row) {
        joined.rowOffsets.push_back(base + shard.rowOffsets[row]);
      }
      joined.indices.insert(joined.indices.end(), shard.indices.begin(), shard.indices.end());
      joined.values.insert(joined.values.end(), shard.values.begin(), shard.values.end());
      joined.labels.insert(joined.labels.end(), shard.labels.begin(), shard.labels.end());
      maxIndex = std::max(maxIndex, shard.maxIndex);
    }
    EXPECT_EQ(joined.rowOffsets, whole.rowOffsets);
    EXPECT_EQ(joined.indices, whole.indices);
    EXPECT_EQ(joined.values, whole.values);
    EXPECT_EQ(joined.labels, whole.labels);
    EXPECT_EQ(maxIndex, whole.maxIndex);
  }
}

// Expected numbers were counted from the raw files with bzcat | awk.
TEST(LibsvmShippedData, A9aTrain) {
  const std::string path = test::sourcePath("configs/data/a9a.bz2");
  EXPECT_EQ(countLibsvmRows(path), 32561U);
  const RowBlock rows = readLibsvmRows(path, kAllRows, {123});
  EXPECT_EQ(rows.rows(), 32561U);
  EXPECT_EQ(rows.maxIndex, 123U);
  EXPECT_EQ(countPositive(rows), 7841U);
  EXPECT_EQ(rows.values.size(), 451592U);
  EXPECT_TRUE(std::all_of(rows.values.begin(), rows.values.end(), [](double v) { return v == 1; }));
  // Line 1: "-1 3:1 11:1 14:1 19:1 39:1 42:1 55:1 64:1 67:1 73:1 75:1 76:1 80:1 83:1 "
  EXPECT_EQ(rows.rowOffsets[1], 14);
  EXPECT_EQ(rows.indices[0], 2);
  EXPECT_EQ(rows.indices[13], 82);
}

TEST(LibsvmShippedData, A9aTestHasAnExplicitZeroAtIndex123) {
  const std::string path = test::sourcePath("configs/data/a9a.t.bz2");
  EXPECT_EQ(countLibsvmRows(path), 16281U);
  const RowBlock rows = readLibsvmRows(path, kAllRows);
  EXPECT_EQ(rows.rows(), 16281U);
  EXPECT_EQ(rows.maxIndex, 123U);
  EXPECT_EQ(*std::max_element(rows.indices.begin(), rows.indices.end()), 121);
  EXPECT_EQ(rows.values.size(), 225731U);
  EXPECT_EQ(countPositive(rows), 3846U);
}

TEST(LibsvmShippedData, W8aHasEmptyRowsAndATrailingBlankLine) {
  const std::string path = test::sourcePath("configs/data/w8a.bz2");
  EXPECT_EQ(countLibsvmRows(path), 49749U);
  const RowBlock rows = readLibsvmRows(path, kAllRows);
  EXPECT_EQ(rows.rows(), 49749U);
  EXPECT_EQ(rows.maxIndex, 300U);
  EXPECT_EQ(rows.values.size(), 579586U);
  EXPECT_EQ(countPositive(rows), 1479U);
  std::uint64_t emptyRows = 0;
  for (std::size_t row = 0; row < rows.rows(); ++row) {
    emptyRows += rows.rowOffsets[row] == rows.rowOffsets[row + 1] ? 1 : 0;
  }
  EXPECT_EQ(emptyRows, 4203U);
}

TEST(LibsvmShippedData, HeartScalePlainText) {
  const std::string path = test::sourcePath("configs/data/heart_scale");
  EXPECT_EQ(countLibsvmRows(path), 270U);
  const RowBlock rows = readLibsvmRows(path, kAllRows);
  EXPECT_EQ(rows.maxIndex, 13U);
  EXPECT_EQ(rows.values.size(), 3378U);
  EXPECT_EQ(countPositive(rows), 120U);
  // Line 1: "+1 1:0.708333 2:1 3:1 4:-0.320755 ..."
  EXPECT_EQ(rows.values[0], 0.708333);
  EXPECT_EQ(rows.values[3], -0.320755);
}

// The stream's blocks, joined, are the whole file as readLibsvmRows reads it, and each block's
// rows are those of its range.
TEST_F(LibsvmReaderTest, StreamBlocksAreTheRangesOfTheFile) {
  const auto path = write("rows.bz2", bzip2("\n" + syntheticText(250) + "\n\n" + syntheticText(3)));
  const RowBlock whole = readLibsvmRows(path, kAllRows);
  LibsvmRowStream stream(path);
  std::uint64_t begin = 0;
  for (RowBlock block = stream.next(100); block.rows() > 0; block = stream.next(100)) {
    const RowBlock range = readLibsvmRows(path, {begin, begin + 100});
    EXPECT_EQ(block.labels, range.labels);
    EXPECT_EQ(block.rowOffsets, range.rowOffsets);
    EXPECT_EQ(block.indices, range.indices);
    EXPECT_EQ(block.values, range.values);
    EXPECT_EQ(block.labelLines, range.labelLines);  // lines of the file, not of the block
    EXPECT_EQ(block.maxIndexLine, range.maxIndexLine);
    begin += block.rows();
  }
  EXPECT_EQ(begin, whole.rows());
  EXPECT_EQ(begin, 253U);
  EXPECT_EQ(stream.next(100).rows(), 0U);
}

TEST_F(LibsvmReaderTest, StreamReportsTheLineOfAnError) {
  const auto path = write("bad.svm", syntheticText(250) + "-1 5:1 4:1\n");
  LibsvmRowStream stream(path, {});
  EXPECT_EQ(stream.next(200).rows(), 200U);
  try {
    stream.next(200);
    ADD_FAILURE() << "no DataError";
  } catch (const DataError& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with(path + ":251: index 4")) << e.what();
  }
}

}  // namespace
}  // namespace memsgd
