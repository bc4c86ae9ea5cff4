#include "memsgd/data/dataset.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

#include "test_paths.hpp"

namespace memsgd {
namespace {

// Random CSR rows with about `density` nonzeros per entry; every fifth row is empty.
LibsvmRows randomRows(int rows, int dim, double density, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> value(-2.0, 2.0);
  std::bernoulli_distribution present(density);
  LibsvmRows out;
  for (int row = 0; row < rows; ++row) {
    for (int col = 0; col < dim && row % 5 != 4; ++col) {
      if (!present(rng)) continue;
      out.indices.push_back(col);
      out.values.push_back(value(rng));
      out.maxIndex = static_cast<std::uint64_t>(col) + 1;
    }
    out.rowOffsets.push_back(static_cast<std::int64_t>(out.indices.size()));
    out.labels.push_back(row % 2 == 0 ? 1.0 : -1.0);
  }
  return out;
}

// The same rows written out densely, entry by entry, as the reference.
Dataset::DenseRows denseOf(const LibsvmRows& rows, int dim) {
  Dataset::DenseRows dense = Dataset::DenseRows::Zero(static_cast<Eigen::Index>(rows.rows()), dim);
  for (std::size_t row = 0; row < rows.rows(); ++row) {
    for (auto k = rows.rowOffsets[row]; k < rows.rowOffsets[row + 1]; ++k) {
      dense(static_cast<Eigen::Index>(row), rows.indices[k]) = rows.values[k];
    }
  }
  return dense;
}

Vector labelsOf(const LibsvmRows& rows) {
  return Eigen::Map<const Vector>(rows.labels.data(), static_cast<Eigen::Index>(rows.rows()));
}

Dataset sparseDataset(const LibsvmRows& rows, int dim) {
  return Dataset::fromLibsvm(rows, dim, rows.rows(), {0, rows.rows()});
}

Dataset denseDataset(const LibsvmRows& rows, int dim) {
  return Dataset::fromDense(denseOf(rows, dim), labelsOf(rows), rows.rows(), {0, rows.rows()});
}

// rowDot and addScaledRow against plain loops over the dense reference.
void expectRowOperationsMatch(const Dataset& data, const Dataset::DenseRows& reference) {
  std::mt19937 rng(7);
  std::normal_distribution<double> normal;
  const Eigen::Index dim = reference.cols();
  Vector x(dim);
  for (auto& v : x) v = normal(rng);
  for (Eigen::Index row = 0; row < reference.rows(); ++row) {
    double expected = 0.0;
    double scale = 0.0;
    for (Eigen::Index col = 0; col < dim; ++col) {
      expected += reference(row, col) * x[col];
      scale += std::abs(reference(row, col) * x[col]);
    }
    EXPECT_NEAR(data.rowDot(row, x), expected, 1e-14 * scale) << "row " << row;

    const double alpha = normal(rng);
    Vector out = x;
    data.addScaledRow(row, alpha, out);
    for (Eigen::Index col = 0; col < dim; ++col) {
      const double step = alpha * reference(row, col);
      ASSERT_NEAR(out[col], x[col] + step, 1e-15 * (std::abs(x[col]) + std::abs(step)))
          << "row " << row << " col " << col;
    }
  }
}

TEST(Dataset, FromLibsvmHoldsTheRowsAsCsr) {
  const LibsvmRows rows = randomRows(40, 30, 0.2, 1);
  const Dataset data = Dataset::fromLibsvm(rows, 35, 100, {10, 50});
  EXPECT_FALSE(data.isDense());
  EXPECT_EQ(data.rows(), 40);
  EXPECT_EQ(data.dim(), 35);
  EXPECT_EQ(data.globalRows(), 100U);
  EXPECT_EQ(data.globalRange().begin, 10U);
  EXPECT_EQ(data.globalRange().end, 50U);
  EXPECT_EQ(data.nonZeros(), rows.values.size());
  EXPECT_TRUE(data.sparseRows().isCompressed());
  EXPECT_EQ(data.labels(), labelsOf(rows));
  const Eigen::MatrixXd expected = denseOf(rows, 35);
  EXPECT_EQ(Eigen::MatrixXd(data.sparseRows()), expected);
}

TEST(Dataset, DimensionMayExceedButNotUndercutTheLargestIndex) {
  LibsvmRows rows = randomRows(10, 20, 0.5, 2);
  rows.maxIndex = 25;  // an explicit zero at index 25, as in a9a.t
  EXPECT_EQ(Dataset::fromLibsvm(rows, 25, 10, {0, 10}).dim(), 25);
  EXPECT_EQ(Dataset::fromLibsvm(rows, 123, 10, {0, 10}).dim(), 123);
  EXPECT_THROW(Dataset::fromLibsvm(rows, 24, 10, {0, 10}), std::invalid_argument);
}

TEST(Dataset, RejectsAShardThatDoesNotMatchItsRows) {
  const LibsvmRows rows = randomRows(10, 8, 0.5, 3);
  EXPECT_THROW(Dataset::fromLibsvm(rows, 8, 10, {0, 9}), std::invalid_argument);
  EXPECT_THROW(Dataset::fromLibsvm(rows, 8, 15, {10, 20}), std::invalid_argument);
  EXPECT_THROW(Dataset::fromDense(denseOf(rows, 8), labelsOf(rows), 10, {1, 10}),
               std::invalid_argument);
}

TEST(Dataset, FromDenseChecksLabels) {
  const Dataset::DenseRows rows = Dataset::DenseRows::Ones(3, 4);
  EXPECT_THROW(Dataset::fromDense(rows, Vector::Ones(2), 3, {0, 3}), std::invalid_argument);
  EXPECT_THROW(Dataset::fromDense(rows, Vector::Zero(3), 3, {0, 3}), std::invalid_argument);
  const Dataset data = Dataset::fromDense(rows, -Vector::Ones(3), 3, {0, 3});
  EXPECT_TRUE(data.isDense());
  EXPECT_EQ(data.dim(), 4);
  EXPECT_EQ(data.denseRows(), rows);
}

TEST(Dataset, DenseNonZerosCountsEveryEntry) {
  const LibsvmRows rows = randomRows(12, 9, 0.3, 4);
  EXPECT_EQ(denseDataset(rows, 9).nonZeros(), 12U * 9U);
}

TEST(Dataset, RowOperationsMatchTheDenseReference) {
  for (const double density : {0.02, 0.3, 1.0}) {
    SCOPED_TRACE(density);
    const LibsvmRows rows = randomRows(50, 64, density, 5);
    expectRowOperationsMatch(sparseDataset(rows, 64), denseOf(rows, 64));
    expectRowOperationsMatch(denseDataset(rows, 64), denseOf(rows, 64));
  }
}

TEST(Dataset, AddScaledRowWritesThroughARefToAColumn) {
  const LibsvmRows rows = randomRows(5, 6, 0.8, 6);
  Eigen::MatrixXd target = Eigen::MatrixXd::Zero(6, 2);
  sparseDataset(rows, 6).addScaledRow(0, 2.0, target.col(1));
  denseDataset(rows, 6).addScaledRow(0, 2.0, target.col(0));
  const Eigen::VectorXd expected = 2.0 * denseOf(rows, 6).row(0).transpose();
  EXPECT_EQ(Eigen::VectorXd(target.col(1)), expected);
  EXPECT_EQ(Eigen::VectorXd(target.col(0)), expected);
}

TEST(Dataset, NormalizeRowsGivesUnitRowsAndKeepsZeroRows) {
  const LibsvmRows rows = randomRows(30, 16, 0.4, 8);
  const Dataset::DenseRows original = denseOf(rows, 16);
  Dataset sparse = sparseDataset(rows, 16);
  Dataset dense = denseDataset(rows, 16);
  sparse.normalizeRows();
  dense.normalizeRows();
  const Dataset::DenseRows fromSparse = Eigen::MatrixXd(sparse.sparseRows());
  EXPECT_EQ(sparse.nonZeros(), rows.values.size());
  for (const Dataset::DenseRows* normalized : {&fromSparse, &dense.denseRows()}) {
    for (Eigen::Index row = 0; row < original.rows(); ++row) {
      const double norm = original.row(row).norm();
      if (norm == 0.0) {
        EXPECT_TRUE(normalized->row(row).isZero(0.0)) << "row " << row;
        continue;
      }
      EXPECT_NEAR(normalized->row(row).norm(), 1.0, 1e-14) << "row " << row;
      EXPECT_TRUE(normalized->row(row).isApprox(original.row(row) / norm, 1e-14)) << "row " << row;
    }
  }
}

TEST(Dataset, ShippedA9a) {
  const std::string path = test::sourcePath("configs/data/a9a.bz2");
  LibsvmRows rows = readLibsvmRows(path, {0, std::numeric_limits<std::uint64_t>::max()});
  const std::uint64_t n = rows.rows();
  Dataset data = Dataset::fromLibsvm(std::move(rows), 123, n, {0, n});
  EXPECT_EQ(data.rows(), 32561);
  EXPECT_EQ(data.nonZeros(), 451592U);
  const Vector ones = Vector::Ones(123);
  // Row 0 has 14 features, all equal to 1.
  EXPECT_EQ(data.rowDot(0, ones), 14.0);
  data.normalizeRows();
  EXPECT_NEAR(data.rowDot(0, ones), std::sqrt(14.0), 1e-12);
}

TEST(Dataset, DefaultIsEmpty) {
  const Dataset data;
  EXPECT_EQ(data.rows(), 0);
  EXPECT_EQ(data.dim(), 0);
  EXPECT_EQ(data.nonZeros(), 0U);
}

}  // namespace
}  // namespace memsgd
