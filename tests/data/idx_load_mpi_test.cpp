#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "archives.hpp"
#include "file_test.hpp"
#include "load_checks.hpp"
#include "memsgd/core/error.hpp"
#include "memsgd/data/data_fingerprint.hpp"
#include "memsgd/data/distributed_load.hpp"
#include "memsgd/data/idx_reader.hpp"
#include "memsgd/util/random.hpp"
#include "test_paths.hpp"

namespace memsgd {
namespace {

const std::string kDir = MEMSGD_FASHION_MNIST_DIR;

DataConfig fashionMnistTest() {
  DataConfig config;
  config.train = kDir + "/t10k-images-idx3-ubyte.gz";
  config.trainLabels = kDir + "/t10k-labels-idx1-ubyte.gz";
  return config;
}

TEST(IdxLoadMpi, EachRankHoldsItsBlockOfTheSerialRows) {
  const Communicator comm;
  DataConfig config = fashionMnistTest();
  config.layout = RowLayout::kSparse;  // half of the pixels are not 0: compared as CSR rows
  const ShardedData<double> shards = loadShards<double>(config, comm, LabelKind::kReal);
  const RowBlock serial = readIdxRows({config.train, config.trainLabels},
                                      {0, std::numeric_limits<std::uint64_t>::max()});
  EXPECT_EQ(shards.trainFingerprint, fingerprintRows(serial, 0));
  EXPECT_EQ(shards.train.dim(), 784);
  EXPECT_EQ(shards.train.globalRows(), 10000U);
  const RowRange range = shards.train.globalRange();
  EXPECT_EQ(range.begin, shardOf(10000, comm.rank(), comm.size()).begin);
  ASSERT_EQ(static_cast<std::uint64_t>(shards.train.rows()), range.size());
  for (Eigen::Index row = 0; row < shards.train.rows(); ++row) {
    const auto global = static_cast<std::size_t>(range.begin) + static_cast<std::size_t>(row);
    ASSERT_EQ(shards.train.label(row), serial.labels[global]) << "row " << global;
    ASSERT_EQ(shards.train.sparseRows().row(row).nonZeros(),
              serial.rowOffsets[global + 1] - serial.rowOffsets[global]);
  }
}

TEST(IdxLoadMpi, ATestSplitOfIdxImagesTakesItsOwnLabels) {
  DataConfig config = fashionMnistTest();
  config.test = config.train;
  config.testLabels = config.trainLabels;
  const ShardedData<float> shards = loadShards<float>(config, Communicator(), LabelKind::kReal);
  ASSERT_TRUE(shards.test.has_value());
  EXPECT_EQ(shards.testFingerprint, shards.trainFingerprint);
}

TEST(IdxLoadMpi, IdxImagesNeedTheirLabelsFileAndLibsvmRefusesOne) {
  DataConfig images = fashionMnistTest();
  images.trainLabels.clear();
  EXPECT_TRUE(test::loadRefused(
      images, LabelKind::kReal, kExitConfigError,
      "is an IDX file of images, which carries no labels: set data.train_labels"));
  DataConfig libsvm;
  libsvm.train = test::sourcePath("configs/data/heart_scale");
  libsvm.trainLabels = fashionMnistTest().trainLabels;
  EXPECT_TRUE(test::loadRefused(libsvm, LabelKind::kReal, kExitConfigError,
                                "is not an IDX file (a LIBSVM file carries its labels): drop "
                                "data.train_labels"));
  DataConfig test = fashionMnistTest();
  test.test = test.train;
  EXPECT_TRUE(test::loadRefused(test, LabelKind::kReal, kExitConfigError, "set data.test_labels"));
}

TEST(IdxLoadMpi, AClassModelGetsTheTenClassesInOrder) {
  const ShardedData<double> shards =
      loadShards<double>(fashionMnistTest(), Communicator(), LabelKind::kClasses);
  EXPECT_EQ(shards.classLabels, (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  for (Eigen::Index row = 0; row < shards.train.rows(); ++row) {
    ASSERT_GE(shards.train.label(row), 0.0);
    ASSERT_LE(shards.train.label(row), 9.0);
  }
}

TEST(IdxLoadMpi, TheBinaryModelRefusesTenClassesNamingTheImagesFile) {
  EXPECT_TRUE(test::loadRefused(
      fashionMnistTest(), LabelKind::kBinary, kExitDataError,
      fashionMnistTest().train + ": a binary model trains on exactly two classes"));
}

// Reads of an IDX file: each rank reads its own block of a plain file (one seek), and inflates a
// compressed one once, up to its block's end, however many passes the loader makes.
class IdxReads : public test::FileTest {
 protected:
  static constexpr std::uint64_t kImages = 4000;
  static constexpr std::uint64_t kWidth = 28 * 28;
  // What a rank may read besides its share of the images: headers, the labels file, the
  // buffers of a stream (64 KiB each) and the format's sniffing.
  static constexpr std::uint64_t kSlack = 512 * 1024;

  // Big-endian IDX header of unsigned bytes with `sizes`.
  static std::string header(std::initializer_list<std::uint32_t> sizes) {
    std::string bytes{0, 0, 8, static_cast<char>(sizes.size())};
    for (const std::uint32_t size : sizes) {
      for (const int shift : {24, 16, 8, 0}) bytes.push_back(static_cast<char>(size >> shift));
    }
    return bytes;
  }

  // Images of pixels 0..15 (a quarter of them 0, so gzip has work) and labels 0..9.
  static std::string images() {
    Rng rng(7);
    std::string bytes = header({kImages, 28, 28});
    for (std::uint64_t i = 0; i < kImages * kWidth; ++i) {
      bytes.push_back(static_cast<char>(rng.below(4) == 0 ? 0 : rng.below(16)));
    }
    return bytes;
  }
  static std::string labels() {
    std::string bytes = header({kImages});
    for (std::uint64_t i = 0; i < kImages; ++i) bytes.push_back(static_cast<char>(i % 10));
    return bytes;
  }

  // The bytes this rank reads to load `config`.
  static std::uint64_t bytesToLoad(const DataConfig& config) {
    const std::uint64_t before = test::bytesRead();
    const ShardedData<float> shards = loadShards<float>(config, Communicator(), LabelKind::kReal);
    EXPECT_EQ(shards.train.globalRows(), kImages);
    return test::bytesRead() - before;
  }
};

TEST_F(IdxReads, APlainFileIsReadAtItsBlockOnly) {
  const Communicator comm;
  DataConfig config;
  config.train = write("images.idx", images());
  config.trainLabels = write("labels.idx", labels());
  const std::uint64_t share = (kImages * kWidth) / static_cast<std::uint64_t>(comm.size());
  const std::uint64_t read = bytesToLoad(config);
  EXPECT_LT(read, share + kSlack) << "rank " << comm.rank() << " of " << comm.size();
}

TEST_F(IdxReads, ACompressedFileIsInflatedOncePerRank) {
  const Communicator comm;
  DataConfig config;
  const std::string archive = test::gzip(images());
  config.train = write("images.idx.gz", archive);
  config.trainLabels = write("labels.idx.gz", test::gzip(labels()));
  const std::uint64_t read = bytesToLoad(config);
  EXPECT_LT(read, archive.size() + kSlack) << "rank " << comm.rank() << " of " << comm.size();
}

}  // namespace
}  // namespace memsgd
