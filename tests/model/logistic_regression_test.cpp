#include "memsgd/model/logistic_regression.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <type_traits>
#include <vector>

#include "random_data.hpp"

namespace memsgd {
namespace {

TEST(LogisticRegression, ScaledGradientIsMeanOverBatch) {
  const Dataset<double> data = test::randomSparseData(6, 5, 2);
  const LogisticRegression<double> model({5, 0.0});
  const Vector x = Vector::Random(5);
  const std::vector<std::uint32_t> batch{1, 4};
  Vector together = Vector::Zero(5);
  model.addScaledDataGradient(data, x, batch, 3.0, together);
  Vector separate = Vector::Zero(5);
  model.addScaledDataGradient(data, x, std::span(batch).first(1), 1.5, separate);
  model.addScaledDataGradient(data, x, std::span(batch).last(1), 1.5, separate);
  EXPECT_TRUE(together.isApprox(separate, 1e-14));
}

TEST(LogisticLoss, IsStableAtHugeMargins) {
  EXPECT_DOUBLE_EQ(logisticLoss(-1000.0), 1000.0);
  EXPECT_EQ(logisticLoss(1000.0), 0.0);
  EXPECT_DOUBLE_EQ(logisticLoss(0.0), std::log(2.0));
  EXPECT_NEAR(logisticLoss(-30.0), 30.0 + std::exp(-30.0), 1e-15);
  EXPECT_NEAR(logisticLoss(30.0), std::exp(-30.0), 1e-25);
  EXPECT_DOUBLE_EQ(logisticLossDerivative(-1000.0), -1.0);
  EXPECT_EQ(logisticLossDerivative(1000.0), -0.0);
  EXPECT_DOUBLE_EQ(logisticLossDerivative(0.0), -0.5);
  EXPECT_TRUE(std::isfinite(logisticLoss(-1e308)));
}

TEST(LogisticRegression, AccuracyCountsSignAgreement) {
  RowBlock libsvm;
  libsvm.indices = {0, 0, 0};
  libsvm.values = {1.0, -1.0, 2.0};
  libsvm.rowOffsets = {0, 1, 2, 3};
  libsvm.labels = {1.0, 1.0, -1.0};
  libsvm.maxIndex = 1;
  const Dataset<double> data = Dataset<double>::fromRows(std::move(libsvm), 1, 3, {0, 3});
  const LogisticRegression<double> model({1, 0.0});
  Vector products;
  EXPECT_EQ(model.shardSums(data, Vector::Constant(1, 1.0), products).metric, 1.0);
  EXPECT_EQ(model.shardSums(data, Vector::Constant(1, -1.0), products).metric, 2.0);
  EXPECT_EQ(model.shardSums(data, Vector::Zero(1), products).metric, 2.0);  // 0 predicts +1
}

template <typename Scalar>
class ShardSumsTest : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(ShardSumsTest, Precisions);

// The vectorised pass equals row-by-row sums of logisticLoss (libm's log1p and exp) to ~1e-13,
// on margins from tiny to huge (where e^-|z| underflows or 1 + e^-|z| rounds to 1), dense and
// sparse, with a row count that is not a multiple of the chunk.
TYPED_TEST(ShardSumsTest, EqualRowByRowSumsAtEveryMarginScale) {
  const Dataset<TypeParam> sparse = test::randomSparseData<TypeParam>(1000, 40, 3);
  const Dataset<TypeParam> dense = Dataset<TypeParam>::fromDense(
      typename Dataset<TypeParam>::DenseRows(
          Eigen::MatrixXd(sparse.sparseRows().template cast<double>()).cast<TypeParam>()),
      sparse.labels(), 1000, {0, 1000});
  const VectorOf<TypeParam> direction = Vector::Random(40).cast<TypeParam>();
  VectorOf<TypeParam> products;
  for (const Dataset<TypeParam>* data : {&sparse, &dense}) {
    const LogisticRegression<TypeParam> model({40, 0.0});
    for (const double scale : {1e-12, 1e-3, 1.0, 30.0, 1e3}) {
      SCOPED_TRACE(testing::Message() << "dense " << data->isDense() << " scale " << scale);
      const VectorOf<TypeParam> x = (static_cast<TypeParam>(scale) * direction).eval();
      double loss = 0.0;
      std::uint64_t correct = 0;
      for (Eigen::Index i = 0; i < data->rows(); ++i) {
        const double product = data->rowDot(i, x);
        loss += logisticLoss(data->label(i) * product);
        correct += (product >= 0.0 ? 1.0 : -1.0) == data->label(i) ? 1 : 0;
      }
      const auto sums = model.shardSums(*data, x, products);
      // Row products in float differ by float's rounding between a product and a dot.
      const double tolerance = std::is_same_v<TypeParam, float> ? 1e-5 : 1e-13;
      EXPECT_NEAR(sums.loss, loss, tolerance * loss);
      EXPECT_GT(sums.loss, 0.0);
      if (std::is_same_v<TypeParam, double>) {
        EXPECT_EQ(sums.metric, static_cast<double>(correct));
      }
    }
  }
}

}  // namespace
}  // namespace memsgd
