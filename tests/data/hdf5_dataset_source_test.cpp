#include <gtest/gtest.h>
#include <hdf5.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "file_test.hpp"
#include "memsgd/core/error.hpp"
#include "memsgd/data/data_fingerprint.hpp"
#include "memsgd/data/hdf5_dataset_source.hpp"
#include "memsgd/data/hdf5_dataset_writer.hpp"
#include "memsgd/util/hdf5_handle.hpp"

namespace memsgd {
namespace {

constexpr RowRange kAll{0, std::numeric_limits<std::uint64_t>::max()};

// Rows given as (label, {(0-based index, value)...}), with maxIndex as a reader sets it.
RowBlock rowsOf(const std::vector<std::pair<double, std::vector<std::pair<int, double>>>>& rows) {
  RowBlock block;
  for (const auto& [label, entries] : rows) {
    block.labels.push_back(label);
    ++block.labelCounts[label];
    block.labelLines.emplace(label, block.rows());
    for (const auto& [index, value] : entries) {
      block.indices.push_back(index);
      block.values.push_back(value);
      if (static_cast<std::uint64_t>(index) + 1 > block.maxIndex) {
        block.maxIndex = index + 1;
        block.maxIndexLine = block.rows();
      }
    }
    block.rowOffsets.push_back(static_cast<std::int64_t>(block.indices.size()));
  }
  return block;
}

// Five rows, d = 6, one of them empty.
RowBlock sample() {
  return rowsOf({{1.0, {{0, 0.5}, {3, -2.0}}},
                 {-1.0, {{1, 1.25}}},
                 {1.0, {}},
                 {-1.0, {{0, 3.0}, {2, 0.1}, {5, 7.0}}},
                 {1.0, {{4, -0.75}}}});
}

// Writes `rows` in two appends (rows [0, 2) and [2, n)), as the converter writes blocks.
void writeRows(const std::string& path, const RowBlock& rows, Hdf5DatasetOptions options = {}) {
  Hdf5DatasetWriter writer(path, std::move(options));
  const auto slice = [&](std::uint64_t begin, std::uint64_t end) {
    RowBlock part;
    for (std::uint64_t row = begin; row < end; ++row) {
      part.labels.push_back(rows.labels[row]);
      for (auto k = rows.rowOffsets[row]; k < rows.rowOffsets[row + 1]; ++k) {
        part.indices.push_back(rows.indices[k]);
        part.values.push_back(rows.values[k]);
        part.maxIndex = std::max<std::uint64_t>(part.maxIndex, rows.indices[k] + 1);
      }
      part.rowOffsets.push_back(static_cast<std::int64_t>(part.indices.size()));
    }
    writer.append(part, fingerprintRows(part, begin));
  };
  slice(0, 2);
  slice(2, rows.rows());
  writer.finish();
}

void expectSameRows(const RowBlock& expected, const RowBlock& found) {
  EXPECT_EQ(found.labels, expected.labels);
  EXPECT_EQ(found.rowOffsets, expected.rowOffsets);
  EXPECT_EQ(found.indices, expected.indices);
  EXPECT_EQ(found.values, expected.values);
  EXPECT_EQ(found.maxIndex, expected.maxIndex);
}

// Edits a written file with the HDF5 API, as a user's own writer might have got it wrong.
class Edit {
 public:
  explicit Edit(const std::string& path)
      : path_(path),
        file_(MEMSGD_HDF5_CHECK(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), path, "")) {}

  template <typename T>
  void set(const char* name, std::uint64_t at, T value, hid_t type) {
    const Hdf5Handle dataset(
        MEMSGD_HDF5_CHECK(H5Dopen2(file_.get(), name, H5P_DEFAULT), path_, name));
    const Hdf5Handle space(MEMSGD_HDF5_CHECK(H5Dget_space(dataset.get()), path_, name));
    const std::array<hsize_t, 1> start{at};
    const std::array<hsize_t, 1> count{1};
    MEMSGD_HDF5_CHECK(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start.data(), nullptr,
                                          count.data(), nullptr),
                      path_, name);
    const Hdf5Handle memory(
        MEMSGD_HDF5_CHECK(H5Screate_simple(1, count.data(), nullptr), path_, name));
    MEMSGD_HDF5_CHECK(H5Dwrite(dataset.get(), type, memory.get(), space.get(), H5P_DEFAULT, &value),
                      path_, name);
  }

  void setAttribute(const char* name, std::uint64_t value) {
    const Hdf5Handle attribute(
        MEMSGD_HDF5_CHECK(H5Aopen(file_.get(), name, H5P_DEFAULT), path_, name));
    MEMSGD_HDF5_CHECK(H5Awrite(attribute.get(), H5T_NATIVE_UINT64, &value), path_, name);
  }

  void remove(const char* name) {
    MEMSGD_HDF5_CHECK(H5Ldelete(file_.get(), name, H5P_DEFAULT), path_, name);
  }

  // Replaces `name` by a dataset of `type` and `length` zeros.
  void replace(const char* name, hid_t type, hsize_t length) {
    remove(name);
    const Hdf5Handle space(MEMSGD_HDF5_CHECK(H5Screate_simple(1, &length, nullptr), path_, name));
    const Hdf5Handle dataset(MEMSGD_HDF5_CHECK(
        H5Dcreate2(file_.get(), name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
        path_, name));
    const std::vector<double> zeros(length, 0.0);
    MEMSGD_HDF5_CHECK(
        H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros.data()),
        path_, name);
  }

 private:
  std::string path_;
  Hdf5Handle file_;
};

class Hdf5DatasetTest : public test::FileTest {
 protected:
  // A written copy of sample() (CSR unless `options` say dense).
  std::string written(Hdf5DatasetOptions options = {}) {
    std::string path = (dir_ / "rows.h5").string();
    writeRows(path, sample(), std::move(options));
    return path;
  }
};

TEST_F(Hdf5DatasetTest, CsrRoundTripKeepsRowsAttributesAndFingerprint) {
  const std::string path = written({.source = "rows.svm"});
  const Hdf5DatasetHeader header = readHdf5DatasetHeader(path);
  EXPECT_EQ(header.rows, 5U);
  EXPECT_EQ(header.dim, 6U);
  EXPECT_EQ(header.entries, 7U);
  EXPECT_FALSE(header.dense);
  EXPECT_FALSE(header.normalized);
  EXPECT_EQ(header.source, "rows.svm");
  EXPECT_EQ(header.fingerprint, fingerprintRows(sample(), 0));
  EXPECT_EQ(header.sourceFingerprint, header.fingerprint);
  const RowBlock rows = readHdf5DatasetRows(path, kAll);
  expectSameRows(sample(), rows);
  EXPECT_EQ(rows.labelCounts.at(1.0), 3U);
  EXPECT_EQ(rows.labelLines.at(-1.0), 2U);  // the row's number from 1
  EXPECT_EQ(rows.maxIndexLine, 4U);
}

TEST_F(Hdf5DatasetTest, DenseRoundTripGivesTheSameRows) {
  const std::string path = written({.denseDim = 6});
  const Hdf5DatasetHeader header = readHdf5DatasetHeader(path);
  EXPECT_TRUE(header.dense);
  EXPECT_EQ(header.entries, 30U);
  EXPECT_EQ(header.fingerprint, fingerprintRows(sample(), 0));
  RowBlock expected = sample();
  expected.maxIndex = 6;  // every dense row has all d columns
  expectSameRows(expected, readHdf5DatasetRows(path, kAll));
}

TEST_F(Hdf5DatasetTest, ReadsOnlyTheRangeAsked) {
  for (const bool dense : {false, true}) {
    const std::string path = written({.denseDim = dense ? 6U : 0U});
    const RowBlock rows = readHdf5DatasetRows(path, {3, 5});
    ASSERT_EQ(rows.rows(), 2U);
    EXPECT_EQ(rows.labels, (std::vector<double>{-1.0, 1.0}));
    EXPECT_EQ(rows.indices, (std::vector<std::int32_t>{0, 2, 5, 4}));
    EXPECT_EQ(rows.labelLines.at(-1.0), 4U);
    EXPECT_EQ(fingerprintRows(rows, 3) + fingerprintRows(readHdf5DatasetRows(path, {0, 3}), 0),
              fingerprintRows(sample(), 0));
  }
}

TEST_F(Hdf5DatasetTest, Float32ValuesAreRoundedAndFingerprintedAsStored) {
  const std::string path = written({.values = hdf5_dataset::ValueType::kFloat32});
  const Hdf5DatasetHeader header = readHdf5DatasetHeader(path);
  EXPECT_EQ(header.values, hdf5_dataset::ValueType::kFloat32);
  const RowBlock rows = readHdf5DatasetRows(path, kAll);
  EXPECT_EQ(rows.values[4], static_cast<double>(0.1F));
  EXPECT_EQ(header.fingerprint, fingerprintRows(rows, 0));
  EXPECT_EQ(header.sourceFingerprint, fingerprintRows(sample(), 0));
  EXPECT_NE(header.fingerprint, header.sourceFingerprint);
}

// The chunk's length along the rows of `name` in `path`.
hsize_t chunkRowsOf(const std::string& path, const char* name) {
  const Hdf5Handle file(
      MEMSGD_HDF5_CHECK(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path, ""));
  const Hdf5Handle dataset(MEMSGD_HDF5_CHECK(H5Dopen2(file.get(), name, H5P_DEFAULT), path, name));
  const Hdf5Handle properties(MEMSGD_HDF5_CHECK(H5Dget_create_plist(dataset.get()), path, name));
  std::array<hsize_t, 2> chunk{};
  MEMSGD_HDF5_CHECK(H5Pget_chunk(properties.get(), 2, chunk.data()), path, name);
  return chunk[0];
}

TEST_F(Hdf5DatasetTest, ATinyFileStaysSmallAndRoundTrips) {
  for (const bool dense : {false, true}) {
    const std::string path = written({.denseDim = dense ? 6U : 0U});
    // Chunks of 64 Ki elements made this file over 1 MB.
    EXPECT_LT(std::filesystem::file_size(path), 64U * 1024) << (dense ? "dense" : "CSR");
    EXPECT_EQ(chunkRowsOf(path, "/labels"), 5U);
    EXPECT_EQ(chunkRowsOf(path, dense ? "/dense" : "/values"), dense ? 5U : 7U);
    RowBlock expected = sample();
    if (dense) expected.maxIndex = 6;
    expectSameRows(expected, readHdf5DatasetRows(path, kAll));
  }
}

TEST_F(Hdf5DatasetTest, AFileOfSeveralChunksGetsFullChunksAndRoundTrips) {
  // 400 rows of 300 entries in blocks of 100 rows: the third block passes one chunk (64 Ki
  // entries), after which blocks are written as they come.
  std::vector<std::pair<double, std::vector<std::pair<int, double>>>> rows;
  for (int row = 0; row < 400; ++row) {
    std::vector<std::pair<int, double>> entries;
    for (int k = 0; k < 300; ++k) entries.emplace_back(2 * k + row % 2, 1.0 + row + k * 1e-3);
    rows.emplace_back(row % 3 == 0 ? 1.0 : -1.0, std::move(entries));
  }
  const RowBlock all = rowsOf(rows);
  const std::string path = (dir_ / "chunks.h5").string();
  Hdf5DatasetWriter writer(path, {});
  for (std::size_t begin = 0; begin < rows.size(); begin += 100) {
    const RowBlock block = rowsOf({rows.begin() + static_cast<std::ptrdiff_t>(begin),
                                   rows.begin() + static_cast<std::ptrdiff_t>(begin + 100)});
    writer.append(block, fingerprintRows(block, begin));
  }
  writer.finish();
  EXPECT_EQ(chunkRowsOf(path, "/values"), hdf5_dataset::kChunkElements);
  EXPECT_EQ(chunkRowsOf(path, "/labels"), hdf5_dataset::kChunkElements);
  const RowBlock found = readHdf5DatasetRows(path, kAll);
  EXPECT_EQ(found.labels, all.labels);
  EXPECT_EQ(found.rowOffsets, all.rowOffsets);
  EXPECT_EQ(found.indices, all.indices);
  EXPECT_EQ(found.values, all.values);
  EXPECT_EQ(readHdf5DatasetHeader(path).fingerprint, fingerprintRows(all, 0));
}

TEST_F(Hdf5DatasetTest, StoredZerosAreDroppedAndTheRowsAfterThemKept) {
  // A zero in the first row moves every later row's entries down in the block read.
  const RowBlock stored =
      rowsOf({{1.0, {{0, 1.0}, {1, 0.0}, {2, 3.0}}}, {-1.0, {{0, 4.0}, {1, 5.0}, {2, 6.0}}}});
  const RowBlock expected =
      rowsOf({{1.0, {{0, 1.0}, {2, 3.0}}}, {-1.0, {{0, 4.0}, {1, 5.0}, {2, 6.0}}}});
  for (const bool dense : {false, true}) {
    const std::string path = (dir_ / (dense ? "dense.h5" : "csr.h5")).string();
    writeRows(path, stored, {.denseDim = dense ? 3U : 0U});
    expectSameRows(expected, readHdf5DatasetRows(path, kAll));
  }
}

TEST_F(Hdf5DatasetTest, TheFilesDimensionCountsWhenItsLargestIndexHoldsOnlyAZero) {
  // As memsgd-convert gets "1 1:0.5 9:0" from the LIBSVM reader: maxIndex 9, the zero dropped.
  RowBlock rows = rowsOf({{1.0, {{0, 0.5}}}, {-1.0, {{1, 1.0}}}});
  rows.maxIndex = 9;
  const std::string path = (dir_ / "zero.h5").string();
  Hdf5DatasetWriter writer(path, {});
  writer.append(rows, fingerprintRows(rows, 0));
  writer.finish();
  EXPECT_EQ(readHdf5DatasetHeader(path).dim, 9U);
  // The rows' largest index is theirs; the source gives d = 9 as the shard's dim, which training
  // takes (hdf5_dataset_mpi_test's TheFilesDimensionIsTheRunsFromDataTrain), as from the LIBSVM
  // file.
  const RowBlock found = readHdf5DatasetRows(path, kAll);
  EXPECT_EQ(found.maxIndex, 2U);
  EXPECT_EQ(found.maxIndexLine, 2U);
}

// float32 values are read 2^18 at a time and widened: a file of several
// parts, /dense and CSR, gives every value rounded to float, in order.
TEST_F(Hdf5DatasetTest, Float32FilesOfSeveralPartsAreWidenedInOrder) {
  RowBlock rows;
  for (int row = 0; row < 700; ++row) {
    rows.labels.push_back(row % 2 == 0 ? 1.0 : -1.0);
    for (int column = 0; column < 400; ++column) {
      rows.indices.push_back(column);
      rows.values.push_back(1.0 / (3.0 + row * 400 + column));
    }
    rows.rowOffsets.push_back(static_cast<std::int64_t>(rows.indices.size()));
  }
  rows.maxIndex = 400;
  RowBlock expected = rows;
  for (double& value : expected.values) value = static_cast<float>(value);
  for (const std::uint64_t denseDim : {0U, 400U}) {
    const std::string path = (dir_ / "parts.h5").string();
    Hdf5DatasetWriter writer(path,
                             {.values = hdf5_dataset::ValueType::kFloat32, .denseDim = denseDim});
    writer.append(rows, 0);
    writer.finish();
    expectSameRows(expected, readHdf5DatasetRows(path, kAll));
    std::filesystem::remove(path);
  }
}

TEST_F(Hdf5DatasetTest, RecognizesTheHdf5Signature) {
  const std::string head = "\x89HDF\r\n\x1a\n and more";
  EXPECT_TRUE(recognizesHdf5Dataset("x", std::span<const char>(head.data(), head.size())));
  const std::string text = "1 1:0.5\n";
  EXPECT_FALSE(recognizesHdf5Dataset("x.h5", std::span<const char>(text.data(), text.size())));
}

// The refusals: each a DataError naming the file and what is wrong.
TEST_F(Hdf5DatasetTest, RefusesAFileThatIsNotHdf5) {
  const std::string path = write("rows.h5", "1 1:0.5\n");
  EXPECT_TRUE(test::failsOnFile(path, "cannot read it as an HDF5 dataset",
                                [&] { readHdf5DatasetHeader(path); }));
}

TEST_F(Hdf5DatasetTest, RefusesATruncatedFile) {
  const std::string path = written();
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  EXPECT_TRUE(test::failsOnFile(path, "cannot read it as an HDF5 dataset",
                                [&] { readHdf5DatasetRows(path, kAll); }));
}

TEST_F(Hdf5DatasetTest, RefusesAMissingDataset) {
  const std::string path = written();
  Edit(path).remove("indices");
  EXPECT_TRUE(
      test::failsOnFile(path, "has no dataset /indices", [&] { readHdf5DatasetHeader(path); }));
}

TEST_F(Hdf5DatasetTest, RefusesAFileWithoutItsAttributes) {
  const std::string path = (dir_ / "rows.h5").string();
  {
    Hdf5DatasetWriter unfinished(path, {});  // what an interrupted converter leaves
  }
  EXPECT_TRUE(
      test::failsOnFile(path, "has no attribute 'format'", [&] { readHdf5DatasetHeader(path); }));
}

TEST_F(Hdf5DatasetTest, RefusesAttributesThatDisagreeWithTheArrays) {
  const std::string path = written();
  Edit(path).setAttribute("n", 4);
  EXPECT_TRUE(test::failsOnFile(path, "attribute n = 4, but /labels has 5 elements",
                                [&] { readHdf5DatasetHeader(path); }));
  Edit(path).setAttribute("n", 5);
  Edit(path).setAttribute("nnz", 8);
  EXPECT_TRUE(test::failsOnFile(path, "attribute nnz = 8, but /indices has 7 elements",
                                [&] { readHdf5DatasetHeader(path); }));
  const std::string dense = (dir_ / "dense.h5").string();
  writeRows(dense, sample(), {.denseDim = 6});
  Edit(dense).setAttribute("d", 5);
  EXPECT_TRUE(test::failsOnFile(dense, "attribute d = 5, but /dense has 6 columns",
                                [&] { readHdf5DatasetHeader(dense); }));
}

TEST_F(Hdf5DatasetTest, RefusesIndptrOutOfOrderOrRange) {
  const std::string path = written();
  Edit(path).set<std::int64_t>("indptr", 2, 1, H5T_NATIVE_INT64);  // [0, 2, 1, ...]: decreases
  EXPECT_TRUE(test::failsOnFile(path, "row 2: /indptr decreases (/indptr[1] = 2, /indptr[2] = 1)",
                                [&] { readHdf5DatasetRows(path, kAll); }));
  Edit(path).set<std::int64_t>("indptr", 2, 9, H5T_NATIVE_INT64);
  EXPECT_TRUE(test::failsOnFile(path, "row 2: /indptr[2] = 9 is outside [0, nnz = 7]",
                                [&] { readHdf5DatasetRows(path, kAll); }));
  Edit(path).set<std::int64_t>("indptr", 2, 3, H5T_NATIVE_INT64);
  Edit(path).set<std::int64_t>("indptr", 5, 6, H5T_NATIVE_INT64);
  EXPECT_TRUE(test::failsOnFile(path, "row 5: /indptr[n] = 6, but attribute nnz = 7",
                                [&] { readHdf5DatasetRows(path, kAll); }));
}

TEST_F(Hdf5DatasetTest, RefusesIndicesOutOfRangeOrNotIncreasing) {
  const std::string path = written();
  Edit(path).set<std::int32_t>("indices", 1, 6, H5T_NATIVE_INT32);
  EXPECT_TRUE(test::failsOnFile(path, "row 1: index 6 is outside [0, d = 6)",
                                [&] { readHdf5DatasetRows(path, kAll); }));
  Edit(path).set<std::int32_t>("indices", 1, -1, H5T_NATIVE_INT32);
  EXPECT_TRUE(test::failsOnFile(path, "row 1: index -1 is outside [0, d = 6)",
                                [&] { readHdf5DatasetRows(path, kAll); }));
  Edit(path).set<std::int32_t>("indices", 4, 0, H5T_NATIVE_INT32);  // row 4: 0, 0, 5
  Edit(path).set<std::int32_t>("indices", 1, 3, H5T_NATIVE_INT32);
  EXPECT_TRUE(test::failsOnFile(path,
                                "row 4: index 0 is not strictly increasing (previous index 0)",
                                [&] { readHdf5DatasetRows(path, kAll); }));
  // Rows of the other ranks are not read, so their faults do not stop this rank.
  EXPECT_EQ(readHdf5DatasetRows(path, {0, 3}).rows(), 3U);
}

TEST_F(Hdf5DatasetTest, RefusesNonFiniteValuesAndLabels) {
  const std::string path = written();
  Edit(path).set("values", 2, std::numeric_limits<double>::quiet_NaN(), H5T_NATIVE_DOUBLE);
  EXPECT_TRUE(test::failsOnFile(path, "row 2: value at index 1 is NaN or infinite",
                                [&] { readHdf5DatasetRows(path, kAll); }));
  const std::string labels = (dir_ / "labels.h5").string();
  writeRows(labels, sample());
  Edit(labels).set("labels", 4, std::numeric_limits<double>::infinity(), H5T_NATIVE_DOUBLE);
  EXPECT_TRUE(test::failsOnFile(labels, "row 5: label inf is not finite",
                                [&] { readHdf5DatasetRows(labels, kAll); }));
}

TEST_F(Hdf5DatasetTest, RefusesAWrongType) {
  const std::string path = written();
  Edit(path).replace("indices", H5T_IEEE_F64LE, 7);
  EXPECT_TRUE(test::failsOnFile(path, "/indices has the wrong type (expected int32)",
                                [&] { readHdf5DatasetHeader(path); }));
  Edit(path).replace("indices", H5T_STD_I32LE, 7);
  Edit(path).replace("labels", H5T_STD_I64LE, 5);
  EXPECT_TRUE(test::failsOnFile(path, "/labels has the wrong type (expected float64)",
                                [&] { readHdf5DatasetHeader(path); }));
}

TEST_F(Hdf5DatasetTest, RefusesRowsWiderThanTheLimit) {
  const std::string path = written();
  EXPECT_TRUE(test::failsOnFile(path, "row 1: index 4 (1-based) exceeds data.dim = 3", [&] {
    readHdf5DatasetRows(path, kAll, {3, DimSource::kDataDim});
  }));
  EXPECT_TRUE(test::failsOnFile(path,
                                "row 4: index 6 (1-based) exceeds the training dimension 5; set "
                                "data.dim to at least 6",
                                [&] {
                                  readHdf5DatasetRows(path, kAll, {5, DimSource::kTrainingSet});
                                }));
}

TEST_F(Hdf5DatasetTest, OpenRefusesALabelsFile) {
  const SplitFiles files{"rows.h5", "labels.idx", "data.train", "data.train_labels"};
  try {
    openHdf5Dataset(files, DataConfig{});
    ADD_FAILURE() << "opened";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("data.train_labels = labels.idx"), std::string::npos);
  }
}

}  // namespace
}  // namespace memsgd
