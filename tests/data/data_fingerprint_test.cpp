#include "memsgd/data/data_fingerprint.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "random_data.hpp"

namespace memsgd {
namespace {

// Three rows of d = 4 in compressed-row form, as a LIBSVM file would give them.
RowBlock threeRows() {
  RowBlock rows;
  rows.indices = {0, 2, 1, 3, 0, 1, 2, 3};
  rows.values = {0.5, -1.25, 2.0, 0.1, 1.0, -1.0, 3.0, 1e-3};
  rows.rowOffsets = {0, 2, 4, 8};
  rows.labels = {1.0, -1.0, 1.0};
  rows.maxIndex = 4;
  return rows;
}

// The same rows stored dense.
Dataset<double> threeRowsDense() {
  const RowBlock sparse = threeRows();
  Dataset<double>::DenseRows dense = Dataset<double>::DenseRows::Zero(3, 4);
  for (std::uint64_t row = 0; row < 3; ++row) {
    for (auto k = sparse.rowOffsets[row]; k < sparse.rowOffsets[row + 1]; ++k) {
      dense(static_cast<Eigen::Index>(row), sparse.indices[k]) = sparse.values[k];
    }
  }
  return Dataset<double>::fromDense(std::move(dense), Vector{{1.0, -1.0, 1.0}}, 3, {0, 3});
}

TEST(DataFingerprint, SameForLibsvmRowsSparseAndDenseStorage) {
  const std::uint64_t parsed = fingerprintRows(threeRows(), 0);
  EXPECT_EQ(fingerprintRows(Dataset<double>::fromRows(threeRows(), 4, 3, {0, 3})), parsed);
  EXPECT_EQ(fingerprintRows(threeRowsDense()), parsed);
}

TEST(DataFingerprint, BlocksAddUpToTheWholeSet) {
  const Dataset<double> whole = test::randomSparseData(50, 20, 7);
  const std::uint64_t total = fingerprintRows(whole);
  // Rows [0, 17) and [17, 50) fingerprinted apart, each at its global position.
  RowBlock head;
  RowBlock tail;
  const auto& sparse = whole.sparseRows();
  for (Eigen::Index row = 0; row < whole.rows(); ++row) {
    RowBlock& block = row < 17 ? head : tail;
    for (auto k = sparse.outerIndexPtr()[row]; k < sparse.outerIndexPtr()[row + 1]; ++k) {
      block.indices.push_back(sparse.innerIndexPtr()[k]);
      block.values.push_back(sparse.valuePtr()[k]);
    }
    block.rowOffsets.push_back(static_cast<std::int64_t>(block.values.size()));
    block.labels.push_back(whole.label(row));
  }
  EXPECT_EQ(fingerprintRows(head, 0) + fingerprintRows(tail, 17), total);
  EXPECT_NE(fingerprintRows(tail, 0), fingerprintRows(tail, 17)) << "row numbers must count";
}

TEST(DataFingerprint, OneFlippedLabelChangesIt) {
  RowBlock flipped = threeRows();
  flipped.labels[1] = 1.0;
  EXPECT_NE(fingerprintRows(flipped, 0), fingerprintRows(threeRows(), 0));
}

TEST(DataFingerprint, OneValueChangedInItsLastBitChangesIt) {
  RowBlock changed = threeRows();
  changed.values[5] = std::nextafter(changed.values[5], 0.0);
  EXPECT_NE(fingerprintRows(changed, 0), fingerprintRows(threeRows(), 0));
}

TEST(DataFingerprint, OneIndexMovedChangesIt) {
  RowBlock moved = threeRows();
  moved.indices[1] = 3;  // row 0: features {0, 3} instead of {0, 2}
  EXPECT_NE(fingerprintRows(moved, 0), fingerprintRows(threeRows(), 0));
}

TEST(DataFingerprint, RowsSwappedChangeIt) {
  RowBlock swapped;
  swapped.indices = {1, 3, 0, 2, 0, 1, 2, 3};
  swapped.values = {2.0, 0.1, 0.5, -1.25, 1.0, -1.0, 3.0, 1e-3};
  swapped.rowOffsets = {0, 2, 4, 8};
  swapped.labels = {-1.0, 1.0, 1.0};
  EXPECT_NE(fingerprintRows(swapped, 0), fingerprintRows(threeRows(), 0));
}

TEST(DataFingerprint, NormalisationIsNotPartOfItButValuesAre) {
  Dataset<double> normalized = Dataset<double>::fromRows(threeRows(), 4, 3, {0, 3});
  normalized.normalizeRows();
  // The loader fingerprints before normalising; fingerprinting after would differ.
  EXPECT_NE(fingerprintRows(normalized), fingerprintRows(threeRows(), 0));
}

TEST(DataFingerprint, PrintedAsSixteenHexDigits) {
  EXPECT_EQ(formatFingerprint(0x00ab0000000000ffULL), "00ab0000000000ff");
  EXPECT_EQ(formatFingerprint(fingerprintRows(threeRows(), 0)).size(), 16U);
}

}  // namespace
}  // namespace memsgd
