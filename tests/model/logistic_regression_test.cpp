#include "memsgd/model/logistic_regression.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "random_data.hpp"

namespace memsgd {
namespace {

double objective(const LogisticRegression<double>& model, const Vector& x) {
  return model.lossSum(x) / static_cast<double>(model.data().rows()) + model.regularizer(x);
}

TEST(LogisticRegression, GradientMatchesCentralFiniteDifferences) {
  const Dataset<double> data = test::randomSparseData(30, 8, 1);
  const LogisticRegression<double> model(data, 0.1);
  std::vector<std::uint32_t> all(30);
  std::iota(all.begin(), all.end(), 0U);
  const Vector x = Vector::Random(8);
  Vector gradient = Vector::Zero(8);
  model.addScaledDataGradient(x, all, 1.0, gradient);
  model.addScaledRegularizerGradient(x, 1.0, gradient);
  constexpr double kStep = 1e-6;
  for (Eigen::Index j = 0; j < 8; ++j) {
    Vector plus = x;
    Vector minus = x;
    plus[j] += kStep;
    minus[j] -= kStep;
    const double numeric = (objective(model, plus) - objective(model, minus)) / (2 * kStep);
    EXPECT_NEAR(gradient[j], numeric, 1e-8) << "coordinate " << j;
  }
}

TEST(LogisticRegression, ScaledGradientIsMeanOverBatch) {
  const Dataset<double> data = test::randomSparseData(6, 5, 2);
  const LogisticRegression<double> model(data, 0.0);
  const Vector x = Vector::Random(5);
  const std::vector<std::uint32_t> batch{1, 4};
  Vector together = Vector::Zero(5);
  model.addScaledDataGradient(x, batch, 3.0, together);
  Vector separate = Vector::Zero(5);
  model.addScaledDataGradient(x, std::span(batch).first(1), 1.5, separate);
  model.addScaledDataGradient(x, std::span(batch).last(1), 1.5, separate);
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
  LibsvmRows libsvm;
  libsvm.indices = {0, 0, 0};
  libsvm.values = {1.0, -1.0, 2.0};
  libsvm.rowOffsets = {0, 1, 2, 3};
  libsvm.labels = {1.0, 1.0, -1.0};
  libsvm.maxIndex = 1;
  const Dataset<double> data = Dataset<double>::fromLibsvm(std::move(libsvm), 1, 3, {0, 3});
  const LogisticRegression<double> model(data, 0.0);
  EXPECT_EQ(model.correctCount(Vector::Constant(1, 1.0)), 1U);
  EXPECT_EQ(model.correctCount(Vector::Constant(1, -1.0)), 2U);
  EXPECT_EQ(model.correctCount(Vector::Zero(1)), 2U);  // margin 0 predicts +1
}

}  // namespace
}  // namespace memsgd
