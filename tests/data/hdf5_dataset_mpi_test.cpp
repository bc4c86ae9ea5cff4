#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <span>
#include <string>

#include "load_checks.hpp"
#include "memsgd/data/data_fingerprint.hpp"
#include "memsgd/data/distributed_load.hpp"
#include "memsgd/data/hdf5_dataset_source.hpp"
#include "memsgd/data/hdf5_dataset_writer.hpp"
#include "memsgd/data/libsvm_reader.hpp"
#include "test_paths.hpp"

namespace memsgd {
namespace {

// A file every rank names alike: rank 0's process id in a name of the temporary folder.
std::string sharedPath(const Communicator& comm, const std::string& name) {
  const std::uint64_t pid =
      comm.allreduceMax(comm.rank() == 0 ? static_cast<std::uint64_t>(::getpid()) : 0);
  return (std::filesystem::temp_directory_path() /
          ("memsgd_hdf5_mpi_" + std::to_string(pid) + "_" + name))
      .string();
}

// Rank 0 writes `path` by `write` and removes it when the test ends; the others wait for both.
template <typename Write>
class SharedFile {
 public:
  SharedFile(const Communicator& comm, std::string path, Write write)
      : comm_(comm), path_(std::move(path)) {
    comm_.agreeOn([&] {
      if (comm_.rank() == 0) write(path_);
    });
  }
  ~SharedFile() {
    comm_.agreeOn([&] {});
    if (comm_.rank() == 0) std::filesystem::remove(path_);
  }
  SharedFile(const SharedFile&) = delete;
  SharedFile& operator=(const SharedFile&) = delete;
  SharedFile(SharedFile&&) = delete;
  SharedFile& operator=(SharedFile&&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  const Communicator& comm_;
  std::string path_;
};

// The LIBSVM file converted block by block, as memsgd-convert does.
void convertLibsvm(const std::string& input, const std::string& output) {
  Hdf5DatasetWriter writer(output, {.source = input});
  LibsvmRowStream stream(input);
  for (RowBlock rows = stream.next(1000); rows.rows() > 0; rows = stream.next(1000)) {
    const std::uint64_t fingerprint = fingerprintRows(rows, writer.rows());
    writer.append(rows, fingerprint);
  }
  writer.finish();
}

TEST(Hdf5DatasetMpi, EachRankReadsTheLibsvmBlockOfConvertedA9a) {
  const Communicator comm;
  const std::string a9a = test::sourcePath("configs/data/a9a.bz2");
  const SharedFile converted(comm, sharedPath(comm, "a9a.h5"),
                             [&](const std::string& path) { convertLibsvm(a9a, path); });
  const RowShard shard = Hdf5DatasetSource(converted.path()).readShard(comm, {});
  DataConfig config;
  config.train = a9a;
  const ShardedData<double> loaded = loadShards<double>(config, comm);

  EXPECT_EQ(shard.globalRows, loaded.train.globalRows());
  EXPECT_EQ(shard.range.begin, loaded.train.globalRange().begin);
  EXPECT_EQ(shard.range.end, loaded.train.globalRange().end);
  const RowBlock libsvm = readLibsvmRows(a9a, shard.range);
  EXPECT_EQ(shard.rows.labels, libsvm.labels);
  EXPECT_EQ(shard.rows.rowOffsets, libsvm.rowOffsets);
  EXPECT_EQ(shard.rows.indices, libsvm.indices);
  EXPECT_EQ(shard.rows.values, libsvm.values);
  EXPECT_EQ(shard.rows.labelCounts, libsvm.labelCounts);
  EXPECT_EQ(comm.allreduceMax(shard.rows.maxIndex), static_cast<std::uint64_t>(loaded.train.dim()));
  std::uint64_t fingerprint = fingerprintRows(shard.rows, shard.range.begin);
  comm.allreduceSum(std::span<std::uint64_t>(&fingerprint, 1));
  EXPECT_EQ(fingerprint, loaded.trainFingerprint);
  EXPECT_EQ(readHdf5DatasetHeader(converted.path()).fingerprint, loaded.trainFingerprint);
}

// Through the registry (data.format = auto, with a LIBSVM test set; then = hdf5, which names the
// format of both splits, without one): the shards and fingerprints of the converted file are
// those of the LIBSVM file, value for value, normalised as configured.
TEST(Hdf5DatasetMpi, LoadShardsOfTheConversionAreThoseOfTheSource) {
  const Communicator comm;
  const std::string a9a = test::sourcePath("configs/data/a9a.bz2");
  const SharedFile converted(comm, sharedPath(comm, "a9a_load.h5"),
                             [&](const std::string& path) { convertLibsvm(a9a, path); });
  DataConfig source;
  source.train = a9a;
  source.test = test::sourcePath("configs/data/a9a.t.bz2");
  source.normalize = Normalization::kL2;
  const ShardedData<double> expected = loadShards<double>(source, comm);
  for (const std::string format : {"auto", "hdf5"}) {
    DataConfig config = source;
    config.train = converted.path();
    config.format = format;
    if (format == "hdf5") config.test.clear();
    const ShardedData<double> loaded = loadShards<double>(config, comm);
    EXPECT_EQ(loaded.trainFingerprint, expected.trainFingerprint) << format;
    if (format == "auto") EXPECT_EQ(loaded.testFingerprint, expected.testFingerprint);
    ASSERT_EQ(loaded.train.dim(), expected.train.dim());
    ASSERT_EQ(loaded.train.rows(), expected.train.rows());
    EXPECT_EQ(loaded.train.labels(), expected.train.labels());
    const auto& found = loaded.train.sparseRows();
    const auto& wanted = expected.train.sparseRows();
    ASSERT_EQ(found.nonZeros(), wanted.nonZeros());
    EXPECT_TRUE(
        std::equal(found.valuePtr(), found.valuePtr() + found.nonZeros(), wanted.valuePtr()));
    EXPECT_TRUE(std::equal(found.innerIndexPtr(), found.innerIndexPtr() + found.nonZeros(),
                           wanted.innerIndexPtr()));
  }
}

// A file whose `normalized` attribute says "l2" is not normalised again by data.normalize = l2:
// rows of norm 5 that claim unit norm load as stored.
TEST(Hdf5DatasetMpi, ANormalizedFileIsNotNormalizedAgain) {
  const Communicator comm;
  const SharedFile stored(comm, sharedPath(comm, "normalized.h5"), [](const std::string& path) {
    Hdf5DatasetWriter writer(path, {.normalized = true});
    RowBlock rows;
    for (int row = 0; row < 8; ++row) {
      rows.labels.push_back(row % 2 == 0 ? 1.0 : -1.0);
      rows.indices.insert(rows.indices.end(), {0, 1});
      rows.values.insert(rows.values.end(), {3.0, 4.0});
      rows.rowOffsets.push_back(static_cast<std::int64_t>(rows.indices.size()));
    }
    rows.maxIndex = 2;
    writer.append(rows, 0);
    writer.finish();
  });
  DataConfig config;
  config.train = stored.path();
  config.normalize = Normalization::kL2;
  config.layout = RowLayout::kSparse;
  const ShardedData<double> loaded = loadShards<double>(config, comm);
  ASSERT_EQ(loaded.train.rows() > 0, true);
  for (Eigen::Index row = 0; row < loaded.train.rows(); ++row) {
    EXPECT_EQ(loaded.train.sparseRows().row(row).norm(), 5.0);
  }
}

// 300,000 rows of 10 random features below 1,000: about 38 MB.
void writeRandomRows(const std::string& path) {
  std::mt19937_64 random(12);
  std::uniform_real_distribution<double> value(-1.0, 1.0);
  Hdf5DatasetWriter writer(path, {});
  for (int block = 0; block < 75; ++block) {
    RowBlock rows;
    for (int row = 0; row < 4000; ++row) {
      rows.labels.push_back(row % 2 == 0 ? 1.0 : -1.0);
      for (int k = 0; k < 10; ++k) {
        rows.indices.push_back(k * 100 + static_cast<int>(random() % 100));
        rows.values.push_back(value(random));
      }
      rows.rowOffsets.push_back(static_cast<std::int64_t>(rows.indices.size()));
    }
    rows.maxIndex = 1000;
    writer.append(rows, 0);
  }
  writer.finish();
}

TEST(Hdf5DatasetMpi, EachRankReadsOnlyItsRows) {
  const Communicator comm;
  const SharedFile file(comm, sharedPath(comm, "random.h5"), writeRandomRows);
  const auto size = static_cast<double>(std::filesystem::file_size(file.path()));
  const std::uint64_t before = test::bytesRead();
  const RowShard shard = Hdf5DatasetSource(file.path()).readShard(comm, {});
  const auto read = static_cast<double>(test::bytesRead() - before);
  EXPECT_EQ(shard.rows.rows(), shard.range.end - shard.range.begin);
  // Its share of the file, and at most a partial chunk (64 Ki elements) of each dataset at either
  // end of its block: 2 x (3 x 512 KiB + 256 KiB).
  const double share = size / comm.size();
  EXPECT_LE(read, share + 4.0 * (1 << 20)) << "of " << size << " bytes";
  EXPECT_GE(read, 0.9 * share) << "of " << size << " bytes: rchar does not see HDF5's reads";
  RecordProperty("bytes_read", std::to_string(static_cast<std::uint64_t>(read)));
  RecordProperty("file_bytes", std::to_string(static_cast<std::uint64_t>(size)));
}

}  // namespace
}  // namespace memsgd
