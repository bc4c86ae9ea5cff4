#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <span>
#include <sstream>
#include <string>

#include "load_checks.hpp"
#include "memsgd/data/data_fingerprint.hpp"
#include "memsgd/data/distributed_load.hpp"
#include "memsgd/data/hdf5_dataset_source.hpp"
#include "memsgd/data/hdf5_dataset_writer.hpp"
#include "memsgd/data/libsvm_reader.hpp"
#include "memsgd/io/run_file_reader.hpp"
#include "memsgd/run/training_run.hpp"
#include "run_helpers.hpp"
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

// 96 rows of d = 8, about 80% of the cells nonzero (so data.layout = auto stores them dense),
// with a stored -0 (no entry, in either storage) and a row of zeros only.
RowBlock denseShapedRows() {
  RowBlock rows;
  for (int row = 0; row < 96; ++row) {
    rows.labels.push_back(row % 3 == 0 ? 1.0 : -1.0);
    for (int column = 0; column < 8; ++column) {
      if (row == 5 || (row + column) % 5 == 0) continue;
      rows.indices.push_back(column);
      rows.values.push_back(row == 7 && column == 2 ? -0.0
                                                    : 0.125 * ((row * 7 + column) % 11) - 0.5);
    }
    rows.rowOffsets.push_back(static_cast<std::int64_t>(rows.indices.size()));
  }
  rows.maxIndex = 8;
  return rows;
}

// `rows` written as /dense (denseDim 8) or CSR (0), float64 or float32.
void writeTwin(const std::string& path, std::uint64_t denseDim, hdf5_dataset::ValueType values) {
  const RowBlock rows = denseShapedRows();
  Hdf5DatasetWriter writer(path, {.values = values, .denseDim = denseDim});
  writer.append(rows, fingerprintRows(rows, 0));
  writer.finish();
}

// A /dense file is delivered dense (no CSR copy), its d the file's, its rows and fingerprint
// those of its CSR twin; float32 values widened alike.
TEST(Hdf5DatasetMpi, ADenseFileIsDeliveredDenseAsItsCsrTwin) {
  const Communicator comm;
  for (const auto values : {hdf5_dataset::ValueType::kFloat64, hdf5_dataset::ValueType::kFloat32}) {
    const bool single = values == hdf5_dataset::ValueType::kFloat32;
    const SharedFile dense(comm, sharedPath(comm, single ? "dense32.h5" : "dense64.h5"),
                           [&](const std::string& path) { writeTwin(path, 8, values); });
    const SharedFile csr(comm, sharedPath(comm, single ? "csr32.h5" : "csr64.h5"),
                         [&](const std::string& path) { writeTwin(path, 0, values); });
    const RowShard found = Hdf5DatasetSource(dense.path()).readShard(comm, {});
    const RowShard twin = Hdf5DatasetSource(csr.path()).readShard(comm, {});
    ASSERT_TRUE(found.isDense());
    ASSERT_FALSE(twin.isDense());
    EXPECT_EQ(found.dim, 8U);
    EXPECT_EQ(found.range.begin, twin.range.begin);
    EXPECT_EQ(found.rows.labels, twin.rows.labels);
    EXPECT_EQ(found.rows.labelCounts, twin.rows.labelCounts);
    const Dataset<double> expected = toDataset<double>(twin, 8);
    const Dataset<double>::DenseRows cells = expected.sparseRows().toDense();
    ASSERT_EQ(found.dense.rows(), cells.rows());
    for (Eigen::Index row = 0; row < cells.rows(); ++row) {
      for (Eigen::Index column = 0; column < cells.cols(); ++column) {
        // bit for bit: the -0 stored is delivered as +0
        EXPECT_EQ(std::bit_cast<std::uint64_t>(found.dense(row, column)),
                  std::bit_cast<std::uint64_t>(cells(row, column)))
            << row << ", " << column;
      }
    }
    EXPECT_EQ(fingerprintRows(found.dense, found.rows.labels, found.range.begin),
              fingerprintRows(twin.rows, twin.range.begin));
  }
}

// A NaN in a /dense file read dense is refused on every rank, naming the file and the row.
TEST(Hdf5DatasetMpi, ANonFiniteValueOfADenseFileIsRefusedWithItsRow) {
  const Communicator comm;
  const SharedFile dense(comm, sharedPath(comm, "nan.h5"), [](const std::string& path) {
    RowBlock rows = denseShapedRows();
    rows.values[rows.rowOffsets[90] + 1] = std::numeric_limits<double>::quiet_NaN();
    Hdf5DatasetWriter writer(path, {.denseDim = 8});
    writer.append(rows, 0);
    writer.finish();
  });
  DataConfig config;
  config.train = dense.path();
  config.layout = RowLayout::kDense;
  EXPECT_TRUE(test::loadRefused(config, LabelKind::kBinary, kExitDataError,
                                dense.path() + ": row 91: value at index "));
}

// The file's d, not its largest stored index, is the run's, set by data.train: a largest index
// that holds only zeros ("9:0") counts, as when the LIBSVM file is read.
TEST(Hdf5DatasetMpi, TheFilesDimensionIsTheRunsFromDataTrain) {
  const Communicator comm;
  const SharedFile file(comm, sharedPath(comm, "zero_d.h5"), [](const std::string& path) {
    RowBlock rows = denseShapedRows();
    rows.maxIndex = 9;  // as the LIBSVM reader gets "... 9:0"
    Hdf5DatasetWriter writer(path, {});
    writer.append(rows, 0);
    writer.finish();
  });
  EXPECT_EQ(Hdf5DatasetSource(file.path()).readShard(comm, {}).dim, 9U);
  DataConfig config;
  config.train = file.path();
  const ShardedData<double> loaded = loadShards<double>(config, comm);
  EXPECT_EQ(loaded.train.dim(), 9);
  EXPECT_EQ(loaded.dimOrigin.key, "data.train");
}

// Training from a /dense file (delivered dense) and from its CSR twin is the same run, bit for
// bit, under every data.layout (and with rows that data.normalize scales), a test set included.
TEST(Hdf5DatasetMpi, ADenseFileTrainsAsItsCsrTwinInEveryLayout) {
  const Communicator comm;
  const SharedFile dense(comm, sharedPath(comm, "train_dense.h5"), [](const std::string& path) {
    writeTwin(path, 8, hdf5_dataset::ValueType::kFloat64);
  });
  const SharedFile csr(comm, sharedPath(comm, "train_csr.h5"), [](const std::string& path) {
    writeTwin(path, 0, hdf5_dataset::ValueType::kFloat64);
  });
  const test::ScratchDirectory scratch(comm, "hdf5_twin");
  std::ostringstream console;
  for (const std::string layout : {"auto", "dense", "sparse", "auto --data.normalize=l2"}) {
    const auto run = [&](const std::string& train, const std::string& name) {
      const std::string output = scratch.path(name + ".h5");
      std::vector<std::string> arguments{"--data.train=" + train, "--data.test=" + csr.path(),
                                         "--optimizer.epochs=2",  "--compression.method=top_k",
                                         "--compression.k=2",     "--log.output=" + output};
      std::istringstream words(layout);
      std::string word;
      words >> word;
      arguments.push_back("--data.layout=" + word);
      while (words >> word) arguments.push_back(word);
      return std::pair{runTraining(test::configFrom(arguments), comm, console), output};
    };
    const auto [fromDense, denseFile] = run(dense.path(), "dense");
    const auto [fromCsr, csrFile] = run(csr.path(), "csr");
    ASSERT_EQ(fromDense.x.size(), 8) << layout;
    for (Eigen::Index j = 0; j < fromDense.x.size(); ++j) {
      EXPECT_EQ(std::bit_cast<std::uint64_t>(fromDense.x[j]),
                std::bit_cast<std::uint64_t>(fromCsr.x[j]))
          << layout << ", x[" << j << "]";
    }
    if (comm.rank() == 0) {
      const RunFileReader a(denseFile);
      const RunFileReader b(csrFile);
      for (const char* column : {"/metrics/train_loss", "/metrics/test_loss"}) {
        EXPECT_EQ(a.readColumn(column), b.readColumn(column)) << layout << " " << column;
      }
      EXPECT_EQ(a.readAttribute("/config", "train_fingerprint"),
                b.readAttribute("/config", "train_fingerprint"));
    }
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
