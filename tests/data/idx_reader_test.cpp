#include "memsgd/data/idx_reader.hpp"
#include "memsgd/data/data_format.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "archives.hpp"
#include "file_test.hpp"
#include "memsgd/core/error.hpp"
#include "test_paths.hpp"

namespace memsgd {
namespace {

constexpr RowRange kAllRows{0, std::numeric_limits<std::uint64_t>::max()};

// An IDX header: 00 00 <type> <rank>, then each size as a big-endian 32-bit integer.
std::string header(std::uint8_t type, const std::vector<std::uint32_t>& sizes) {
  std::string bytes{'\0', '\0', static_cast<char>(type), static_cast<char>(sizes.size())};
  for (const std::uint32_t size : sizes) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>(size >> shift));
  }
  return bytes;
}

std::string bytesOf(const std::vector<int>& values) {
  std::string bytes;
  for (const int value : values) bytes.push_back(static_cast<char>(value));
  return bytes;
}

// Three 2 x 3 images with zeros among their pixels, and their labels.
const std::vector<int> kPixels{0, 255, 51, 0, 0, 102,  //
                               7, 0,   0,  0, 0, 0,    //
                               1, 2,   3,  4, 5, 255};
const std::vector<int> kLabels{9, 0, 9};

std::string imagesFile() { return header(0x08, {3, 2, 3}) + bytesOf(kPixels); }
std::string labelsFile() { return header(0x08, {3}) + bytesOf(kLabels); }

class IdxReaderTest : public test::FileTest {};

// Passes when reading `files` whole throws a DataError that names `path` and holds `fragment`.
::testing::AssertionResult fails(const IdxFiles& files, const std::string& path,
                                 const std::string& fragment, DimLimit limit = {}) {
  return test::failsOnFile(path, fragment, [&] { readIdxRows(files, kAllRows, limit); });
}

TEST_F(IdxReaderTest, ReadsPixelsScaledToTheUnitIntervalWithoutZerosAndLabelsAsIntegers) {
  const IdxFiles files{write("images", imagesFile()), write("labels", labelsFile())};
  EXPECT_EQ(countIdxRows(files), 3U);
  const RowBlock rows = readIdxRows(files, kAllRows);
  EXPECT_EQ(rows.rowOffsets, (std::vector<std::int64_t>{0, 3, 4, 10}));
  EXPECT_EQ(rows.indices, (std::vector<std::int32_t>{1, 2, 5, 0, 0, 1, 2, 3, 4, 5}));
  ASSERT_EQ(rows.values.size(), 10U);
  EXPECT_DOUBLE_EQ(rows.values[0], 1.0);
  EXPECT_DOUBLE_EQ(rows.values[1], 51.0 / 255.0);
  EXPECT_DOUBLE_EQ(rows.values[3], 7.0 / 255.0);
  EXPECT_DOUBLE_EQ(rows.values[9], 1.0);
  EXPECT_EQ(rows.labels, (std::vector<double>{9, 0, 9}));
  EXPECT_EQ(rows.labelCounts, (std::map<double, std::uint64_t>{{0, 1}, {9, 2}}));
  EXPECT_EQ(rows.labelLines, (std::map<double, std::uint64_t>{{0, 2}, {9, 1}}));  // image numbers
  EXPECT_EQ(rows.maxIndex, 6U);  // the width, though no image's last pixel but one is nonzero
}

TEST_F(IdxReaderTest, ABlockEqualsTheSameRowsOfTheWholeFilePlainOrCompressed) {
  for (const auto& [name, pack] :
       std::vector<std::pair<std::string, std::string (*)(const std::string&)>>{
           {"plain", [](const std::string& bytes) { return bytes; }},
           {"gzip", [](const std::string& bytes) { return test::gzip(bytes); }},
           {"bzip2", [](const std::string& bytes) { return test::bzip2(bytes); }}}) {
    SCOPED_TRACE(name);
    const IdxFiles files{write(name + "_images", pack(imagesFile())),
                         write(name + "_labels", pack(labelsFile()))};
    EXPECT_EQ(formatOf(files.images, "auto").name, "idx");
    const RowBlock block = readIdxRows(files, {1, 3});
    EXPECT_EQ(block.rowOffsets, (std::vector<std::int64_t>{0, 1, 7}));
    EXPECT_EQ(block.indices, (std::vector<std::int32_t>{0, 0, 1, 2, 3, 4, 5}));
    EXPECT_EQ(block.labels, (std::vector<double>{0, 9}));
    EXPECT_EQ(block.maxIndexLine, 2U);  // the block's first image
    const RowBlock past = readIdxRows(files, {3, 5});
    EXPECT_EQ(past.rows(), 0U);
    EXPECT_EQ(past.maxIndex, 0U);
  }
}

// data.format = auto tells the formats apart by content, whatever the file's name.
TEST_F(IdxReaderTest, TellsIdxFromLibsvmByContent) {
  const auto formatName = [](const std::string& path) { return formatOf(path, "auto").name; };
  EXPECT_EQ(formatName(write("named.txt", labelsFile())), "idx");
  EXPECT_EQ(formatName(test::sourcePath("configs/data/heart_scale")), "libsvm");
  EXPECT_EQ(formatName(test::sourcePath("configs/data/a9a.bz2")), "libsvm");
  EXPECT_EQ(formatName(write("empty", "")), "libsvm");
  EXPECT_EQ(formatName(write("rank0", header(0x08, {}))), "libsvm");
  EXPECT_THROW(formatName((dir_ / "missing").string()), DataError);
}

// data.format names a format whatever the content; an unknown name is refused naming the key.
TEST_F(IdxReaderTest, DataFormatOverridesTheContent) {
  const std::string svm = test::sourcePath("configs/data/heart_scale");
  EXPECT_EQ(formatOf(svm, "idx").name, "idx");
  EXPECT_EQ(formatOf(write("named.txt", labelsFile()), "libsvm").name, "libsvm");
  try {
    (void)formatOf(svm, "parquet");
    FAIL() << "an unknown format was taken";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("data.format = parquet"), std::string::npos);
  }
}

TEST_F(IdxReaderTest, RefusesWhatIsNotUnsignedByteImagesWithLabels) {
  const std::string labels = write("labels", labelsFile());
  const std::string images = write("images", imagesFile());
  const std::string text = write("text", "1 1:0.5\n");
  EXPECT_TRUE(fails({images, text}, text, "is not an IDX file: its magic number 31 20 31 3a"));
  const std::string floats = write("floats", header(0x0D, {3, 2, 3}) + std::string(72, '\0'));
  EXPECT_TRUE(fails({floats, labels}, floats, "holds float values (IDX type code 13)"));
  EXPECT_TRUE(fails({labels, labels}, labels, "holds 3 values, not images"));
  EXPECT_TRUE(fails({images, images}, images, "holds 3 x 2 x 3 values, not labels"));
  const std::string four = write("four", header(0x08, {4}) + bytesOf({1, 2, 3, 4}));
  EXPECT_TRUE(fails({images, four}, four, "holds 4 labels, but " + images + " holds 3 images"));
  const std::string empty = write("empty_images", header(0x08, {3, 0, 3}));
  EXPECT_TRUE(fails({empty, labels}, empty, "has images of 0 values"));
  const std::string cut = write("cut_header", header(0x08, {3, 2, 3}).substr(0, 9));
  EXPECT_TRUE(fails({cut, labels}, cut, "ends within its header (size 2 of 3)"));
}

TEST_F(IdxReaderTest, RefusesTruncatedFilesAndTrailingBytesNamingWhere) {
  const std::string labels = write("labels", labelsFile());
  const std::string images = write("images", imagesFile());
  const std::string shortImages = write("short_images", imagesFile().substr(0, 16 + 14));
  EXPECT_TRUE(fails({shortImages, labels}, shortImages,
                    "ends within image 3 of the 3 (3 x 2 x 3) its header announces"));
  const std::string shortLabels = write("short_labels", labelsFile().substr(0, 8 + 1));
  EXPECT_TRUE(fails({images, shortLabels}, shortLabels, "ends at label 2 of the 3"));
  const std::string longImages = write("long_images", imagesFile() + "x");
  EXPECT_TRUE(fails({longImages, labels}, longImages,
                    "has bytes after its last image: the header's sizes (3 x 2 x 3)"));
  const std::string longLabels = write("long_labels", labelsFile() + "x");
  EXPECT_TRUE(fails({images, longLabels}, longLabels, "has bytes after its last label"));
  // A block that ends before the last image does not read to the end, so it sees none of this.
  EXPECT_EQ(readIdxRows({longImages, labels}, {0, 2}).rows(), 2U);
  const std::string cutArchive = write("cut.gz", test::gzip(imagesFile()).substr(0, 20));
  EXPECT_TRUE(fails({cutArchive, labels}, cutArchive, "cannot read: truncated gzip stream"));
}

TEST_F(IdxReaderTest, RefusesImagesWiderThanTheDimension) {
  const IdxFiles files{write("images", imagesFile()), write("labels", labelsFile())};
  EXPECT_TRUE(fails(files, files.images, "has images of 6 values, more than data.dim = 5",
                    {5, DimSource::kDataDim}));
  EXPECT_TRUE(
      fails(files, files.images, "more than the training set's 4", {4, DimSource::kTrainingSet}));
  EXPECT_EQ(readIdxRows(files, kAllRows, {6, DimSource::kDataDim}).rows(), 3U);
}

// The Fashion-MNIST test split as Debian's dataset-fashion-mnist ships it (launch/setup.sh
// installs it): 10,000 images of 28 x 28 and ten balanced classes.
TEST(IdxReaderFashionMnist, ReadsTheTestSplitOfTheDebianPackage) {
  const std::string dir = MEMSGD_FASHION_MNIST_DIR;
  const IdxFiles files{dir + "/t10k-images-idx3-ubyte.gz", dir + "/t10k-labels-idx1-ubyte.gz"};
  ASSERT_EQ(formatOf(files.images, "auto").name, "idx");
  ASSERT_EQ(countIdxRows(files), 10000U);
  const RowBlock rows = readIdxRows(files, kAllRows);
  ASSERT_EQ(rows.rows(), 10000U);
  EXPECT_EQ(rows.maxIndex, 784U);
  ASSERT_EQ(rows.labelCounts.size(), 10U);
  for (const auto& [label, count] : rows.labelCounts) {
    EXPECT_EQ(label, static_cast<double>(static_cast<int>(label)));
    EXPECT_EQ(count, 1000U) << "label " << label;
  }
  EXPECT_EQ(rows.labelCounts.begin()->first, 0.0);
  EXPECT_TRUE(std::all_of(rows.values.begin(), rows.values.end(),
                          [](double value) { return value > 0.0 && value <= 1.0; }));
  EXPECT_EQ(*std::max_element(rows.values.begin(), rows.values.end()), 1.0);
}

}  // namespace
}  // namespace memsgd
