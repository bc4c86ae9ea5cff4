#include "memsgd/data/dataset.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

#include "memsgd/data/libsvm_reader.hpp"
#include "test_paths.hpp"

namespace memsgd {
namespace {

// Random CSR rows with about `density` nonzeros per entry; every fifth row is empty.
RowBlock randomRows(int rows, int dim, double density, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> value(-2.0, 2.0);
  std::bernoulli_distribution present(density);
  RowBlock out;
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

template <typename Scalar>
class DatasetTest : public ::testing::Test {
 protected:
  using Data = Dataset<Scalar>;
  using Rows = typename Data::DenseRows;
  using Vec = VectorOf<Scalar>;
  // Relative rounding of one operation in the storage precision.
  static constexpr double kEps = std::numeric_limits<Scalar>::epsilon();
};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(DatasetTest, Precisions);

// The same rows written out densely, entry by entry, as the reference (in double: exact for the
// values as either precision stores them, once rounded with .cast()).
Eigen::MatrixXd denseOf(const RowBlock& rows, int dim) {
  Eigen::MatrixXd dense = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(rows.rows()), dim);
  for (std::size_t row = 0; row < rows.rows(); ++row) {
    for (auto k = rows.rowOffsets[row]; k < rows.rowOffsets[row + 1]; ++k) {
      dense(static_cast<Eigen::Index>(row), rows.indices[k]) = rows.values[k];
    }
  }
  return dense;
}

Vector labelsOf(const RowBlock& rows) {
  return Eigen::Map<const Vector>(rows.labels.data(), static_cast<Eigen::Index>(rows.rows()));
}

template <typename Scalar>
Dataset<Scalar> sparseDataset(const RowBlock& rows, int dim) {
  return Dataset<Scalar>::fromRows(rows, dim, rows.rows(), {0, rows.rows()});
}

template <typename Scalar>
Dataset<Scalar> denseDataset(const RowBlock& rows, int dim) {
  using Rows = typename Dataset<Scalar>::DenseRows;
  return Dataset<Scalar>::fromDense(Rows(denseOf(rows, dim).cast<Scalar>()), labelsOf(rows),
                                    rows.rows(), {0, rows.rows()});
}

// rowDot and addScaledRow against plain loops in double over the dense reference (rounded to
// Scalar as the data set stores it): the sums of a row in Scalar stay within a few roundings.
template <typename Scalar>
void expectRowOperationsMatch(const Dataset<Scalar>& data, const Eigen::MatrixXd& exact) {
  constexpr double kEps = std::numeric_limits<Scalar>::epsilon();
  const Eigen::MatrixXd reference = exact.cast<Scalar>().template cast<double>();
  std::mt19937 rng(7);
  std::normal_distribution<double> normal;
  const Eigen::Index dim = reference.cols();
  VectorOf<Scalar> x(dim);
  for (auto& v : x) v = static_cast<Scalar>(normal(rng));
  for (Eigen::Index row = 0; row < reference.rows(); ++row) {
    double expected = 0.0;
    double scale = 0.0;
    for (Eigen::Index col = 0; col < dim; ++col) {
      expected += reference(row, col) * x[col];
      scale += std::abs(reference(row, col) * x[col]);
    }
    EXPECT_NEAR(data.rowDot(row, x), expected, 64 * kEps * scale) << "row " << row;

    const double alpha = normal(rng);
    VectorOf<Scalar> out = x;
    data.addScaledRow(row, alpha, out);
    for (Eigen::Index col = 0; col < dim; ++col) {
      const double step = alpha * reference(row, col);
      ASSERT_NEAR(out[col], x[col] + step, 4 * kEps * (std::abs(x[col]) + std::abs(step)))
          << "row " << row << " col " << col;
    }
  }
}

TYPED_TEST(DatasetTest, FromLibsvmHoldsTheRowsAsCsr) {
  const RowBlock rows = randomRows(40, 30, 0.2, 1);
  const auto data = TestFixture::Data::fromRows(rows, 35, 100, {10, 50});
  EXPECT_FALSE(data.isDense());
  EXPECT_EQ(data.rows(), 40);
  EXPECT_EQ(data.dim(), 35);
  EXPECT_EQ(data.globalRows(), 100U);
  EXPECT_EQ(data.globalRange().begin, 10U);
  EXPECT_EQ(data.globalRange().end, 50U);
  EXPECT_EQ(data.nonZeros(), rows.values.size());
  EXPECT_TRUE(data.sparseRows().isCompressed());
  EXPECT_EQ(data.labels(), labelsOf(rows));
  const typename TestFixture::Rows expected = denseOf(rows, 35).cast<TypeParam>();
  EXPECT_EQ(typename TestFixture::Rows(data.sparseRows()), expected);
}

TEST(Dataset, DimensionMayExceedButNotUndercutTheLargestIndex) {
  RowBlock rows = randomRows(10, 20, 0.5, 2);
  rows.maxIndex = 25;  // an explicit zero at index 25, as in a9a.t
  EXPECT_EQ(Dataset<double>::fromRows(rows, 25, 10, {0, 10}).dim(), 25);
  EXPECT_EQ(Dataset<double>::fromRows(rows, 123, 10, {0, 10}).dim(), 123);
  EXPECT_THROW(Dataset<double>::fromRows(rows, 24, 10, {0, 10}), std::invalid_argument);
}

TEST(Dataset, RejectsAShardThatDoesNotMatchItsRows) {
  const RowBlock rows = randomRows(10, 8, 0.5, 3);
  EXPECT_THROW(Dataset<double>::fromRows(rows, 8, 10, {0, 9}), std::invalid_argument);
  EXPECT_THROW(Dataset<double>::fromRows(rows, 8, 15, {10, 20}), std::invalid_argument);
  EXPECT_THROW(Dataset<double>::fromDense(denseOf(rows, 8), labelsOf(rows), 10, {1, 10}),
               std::invalid_argument);
  EXPECT_THROW(Dataset<float>::fromRows(rows, 8, 10, {0, 9}), std::invalid_argument);
}

TYPED_TEST(DatasetTest, FromDenseChecksLabels) {
  using Data = typename TestFixture::Data;
  const typename TestFixture::Rows rows = TestFixture::Rows::Ones(3, 4);
  EXPECT_THROW(Data::fromDense(rows, Vector::Ones(2), 3, {0, 3}), std::invalid_argument);
  EXPECT_THROW(Data::fromDense(rows, Vector::Constant(3, std::nan("")), 3, {0, 3}),
               std::invalid_argument);
  EXPECT_NO_THROW(Data::fromDense(rows, Vector{{0.5, -2.0, 7.25}}, 3, {0, 3}));  // regression
  const Data data = Data::fromDense(rows, -Vector::Ones(3), 3, {0, 3});
  EXPECT_TRUE(data.isDense());
  EXPECT_EQ(data.dim(), 4);
  EXPECT_EQ(data.denseRows(), rows);
}

TEST(Dataset, DenseNonZerosCountsEveryEntry) {
  const RowBlock rows = randomRows(12, 9, 0.3, 4);
  EXPECT_EQ(denseDataset<double>(rows, 9).nonZeros(), 12U * 9U);
}

TYPED_TEST(DatasetTest, RowOperationsMatchTheDenseReference) {
  for (const double density : {0.02, 0.3, 1.0}) {
    SCOPED_TRACE(density);
    const RowBlock rows = randomRows(50, 64, density, 5);
    expectRowOperationsMatch(sparseDataset<TypeParam>(rows, 64), denseOf(rows, 64));
    expectRowOperationsMatch(denseDataset<TypeParam>(rows, 64), denseOf(rows, 64));
  }
}

TYPED_TEST(DatasetTest, AddScaledRowWritesThroughARefToAColumn) {
  using Matrix = Eigen::Matrix<TypeParam, Eigen::Dynamic, Eigen::Dynamic>;
  const RowBlock rows = randomRows(5, 6, 0.8, 6);
  Matrix target = Matrix::Zero(6, 2);
  sparseDataset<TypeParam>(rows, 6).addScaledRow(0, 2.0, target.col(1));
  denseDataset<TypeParam>(rows, 6).addScaledRow(0, 2.0, target.col(0));
  const typename TestFixture::Vec expected =
      2 * denseOf(rows, 6).row(0).transpose().cast<TypeParam>();
  EXPECT_EQ(typename TestFixture::Vec(target.col(1)), expected);
  EXPECT_EQ(typename TestFixture::Vec(target.col(0)), expected);
}

TYPED_TEST(DatasetTest, NormalizeRowsGivesUnitRowsAndKeepsZeroRows) {
  using Rows = typename TestFixture::Rows;
  const double tolerance = 16 * TestFixture::kEps;
  const RowBlock rows = randomRows(30, 16, 0.4, 8);
  const Eigen::MatrixXd original = denseOf(rows, 16);
  auto sparse = sparseDataset<TypeParam>(rows, 16);
  auto dense = denseDataset<TypeParam>(rows, 16);
  sparse.normalizeRows();
  dense.normalizeRows();
  const Rows fromSparse = Rows(sparse.sparseRows());
  EXPECT_EQ(sparse.nonZeros(), rows.values.size());
  for (const Rows* normalized : {&fromSparse, &dense.denseRows()}) {
    for (Eigen::Index row = 0; row < original.rows(); ++row) {
      const double norm = original.row(row).norm();
      const Eigen::RowVectorXd actual = normalized->row(row).template cast<double>();
      if (norm == 0.0) {
        EXPECT_TRUE(actual.isZero(0.0)) << "row " << row;
        continue;
      }
      EXPECT_NEAR(actual.norm(), 1.0, tolerance) << "row " << row;
      EXPECT_TRUE(actual.isApprox(original.row(row) / norm, tolerance)) << "row " << row;
    }
  }
}

TYPED_TEST(DatasetTest, ShippedA9a) {
  const std::string path = test::sourcePath("configs/data/a9a.bz2");
  RowBlock rows = readLibsvmRows(path, {0, std::numeric_limits<std::uint64_t>::max()});
  const std::uint64_t n = rows.rows();
  auto data = TestFixture::Data::fromRows(std::move(rows), 123, n, {0, n});
  EXPECT_EQ(data.rows(), 32561);
  EXPECT_EQ(data.nonZeros(), 451592U);
  const typename TestFixture::Vec ones = TestFixture::Vec::Ones(123);
  // Row 0 has 14 features, all equal to 1.
  EXPECT_EQ(data.rowDot(0, ones), 14.0);
  data.normalizeRows();
  EXPECT_NEAR(data.rowDot(0, ones), std::sqrt(14.0), 16 * TestFixture::kEps);
}

// Synthetic sources generate double rows; a float run rounds them once.
TEST(Dataset, CastRoundsValuesAndKeepsEverythingElse) {
  const RowBlock rows = randomRows(20, 12, 0.5, 9);
  for (const bool dense : {false, true}) {
    const Dataset<double> original =
        dense ? denseDataset<double>(rows, 12) : sparseDataset<double>(rows, 12);
    const Dataset<float> cast = original.cast<float>();
    const Dataset<float> direct =
        dense ? denseDataset<float>(rows, 12) : sparseDataset<float>(rows, 12);
    EXPECT_EQ(cast.isDense(), dense);
    EXPECT_EQ(cast.dim(), 12);
    EXPECT_EQ(cast.nonZeros(), original.nonZeros());
    EXPECT_EQ(cast.labels(), original.labels());
    EXPECT_EQ(cast.globalRows(), original.globalRows());
    if (dense) {
      EXPECT_EQ(cast.denseRows(), direct.denseRows());
    } else {
      EXPECT_EQ(Eigen::MatrixXf(cast.sparseRows()), Eigen::MatrixXf(direct.sparseRows()));
    }
  }
}

TYPED_TEST(DatasetTest, DefaultIsEmpty) {
  const typename TestFixture::Data data;
  EXPECT_EQ(data.rows(), 0);
  EXPECT_EQ(data.dim(), 0);
  EXPECT_EQ(data.nonZeros(), 0U);
}

}  // namespace
}  // namespace memsgd
