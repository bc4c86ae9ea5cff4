// Softmax against the binary model it generalises, and its scores' edge cases: huge scores, ties.
#include "memsgd/model/softmax.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "memsgd/model/logistic_regression.hpp"
#include "random_data.hpp"

namespace memsgd {
namespace {

constexpr std::uint32_t kRows = 40;
constexpr std::int32_t kDim = 20;  // rows of 20 features at 40% density: none is empty

// The binary data with labels -1/+1 as classes 0/1 (what the loader's sorted map gives), stored
// dense (the sparse rows are EveryModel's).
Dataset<double> asClasses(const Dataset<double>& binary) {
  Vector labels = (binary.labels().array() + 1.0) / 2.0;
  return Dataset<double>::fromDense(
      Dataset<double>::DenseRows(Eigen::MatrixXd(binary.sparseRows())), labels, kRows, {0, kRows});
}

// x of softmax with C = 2 whose class rows are -w/2 and w/2 (feature-major: x[2j + c]).
Vector splitRows(const Vector& w) {
  Vector x(2 * w.size());
  for (Eigen::Index j = 0; j < w.size(); ++j) {
    x[2 * j] = -w[j] / 2;
    x[2 * j + 1] = w[j] / 2;
  }
  return x;
}

// Scores z = (-a.w/2, a.w/2) make softmax's loss of class 1 log(1 + e^(z_0 - z_1)) = log(1 +
// e^(-a.w)), the logistic loss at w of label +1, and of class 0 the one of label -1. So the loss
// sums agree at every w, and since the loss depends on x_1 - x_0 only, softmax's gradient is
// logistic's in the class-1 entries and its negative in the class-0 entries. (The regulariser:
// ||x||^2 = ||w||^2 / 2, so softmax at 2 lambda equals logistic at lambda; optimum_test checks f*.)
TEST(Softmax, TwoClassesWithOppositeRowsAreLogisticRegression) {
  const Dataset<double> binary = test::randomSparseData(kRows, kDim, 3);
  const Dataset<double> classes = asClasses(binary);
  const LogisticRegression<double> logistic({kDim, 0.0});
  const Softmax<double> softmax({kDim, 0.0, 2});
  ASSERT_EQ(softmax.parameterCount(), 2U * kDim);
  for (const double scale : {0.1, 1.0, 30.0}) {
    const Vector w = Vector::Random(kDim) * scale;
    const Vector x = splitRows(w);
    Vector scratch;
    Vector softScratch;
    const ShardSums expected = logistic.shardSums(binary, w, scratch);
    const ShardSums actual = softmax.shardSums(classes, x, softScratch);
    EXPECT_NEAR(actual.loss, expected.loss, 1e-12 * expected.loss) << scale;
    EXPECT_EQ(actual.metric, expected.metric) << scale;

    Vector logisticGradient = Vector::Zero(kDim);
    logistic.addScaledDataGradient(binary, w, test::allRows(kRows), 1.0, logisticGradient);
    Vector softmaxGradient = Vector::Zero(2 * kDim);
    softmax.addScaledDataGradient(classes, x, test::allRows(kRows), 1.0, softmaxGradient);
    for (Eigen::Index j = 0; j < kDim; ++j) {
      EXPECT_NEAR(softmaxGradient[2 * j + 1], logisticGradient[j], 1e-14) << j;
      EXPECT_NEAR(softmaxGradient[2 * j], -logisticGradient[j], 1e-14) << j;
    }
  }
}

// Scores of +-1000 would overflow exp: the log-sum-exp subtracts the largest first.
TEST(Softmax, HugeScoresGiveTheExactLossNotInfinity) {
  Dataset<double>::DenseRows rows(2, 1);
  rows << 1.0, 1.0;
  const Dataset<double> data = Dataset<double>::fromDense(rows, Vector{{0.0, 2.0}}, 2, {0, 2});
  const Softmax<double> softmax({1, 0.0, 3});
  Vector scratch;
  // Scores (1000, -1000, 1000): class 0 loses log 2, class 2 too.
  const ShardSums sums = softmax.shardSums(data, Vector{{1000.0, -1000.0, 1000.0}}, scratch);
  EXPECT_NEAR(sums.loss, 2 * std::log(2.0), 1e-15);
  // Class 0 and 2 tie: the lowest wins, so the row of class 0 is right and the other wrong.
  EXPECT_EQ(sums.metric, 1.0);
  Vector gradient = Vector::Zero(3);
  softmax.addScaledDataGradient(data, Vector{{1000.0, -1000.0, 1000.0}},
                                std::vector<std::uint32_t>{1}, 1.0, gradient);
  EXPECT_TRUE(gradient.isApprox(Vector{{0.5, 0.0, -0.5}}, 1e-15)) << gradient.transpose();
}

// At x = 0 every score ties, so every row is predicted class 0.
TEST(Softmax, TiesGoToTheLowestClass) {
  const Dataset<double> data = test::withClassLabels(test::randomSparseData(kRows, kDim, 5), 4, 6);
  const Softmax<double> softmax({kDim, 0.0, 4});
  Vector x = Vector::Constant(4 * kDim, 1.0);
  softmax.initialize(1, x);
  Vector scratch;
  const ShardSums sums = softmax.shardSums(data, x, scratch);
  EXPECT_EQ(sums.metric, static_cast<double>((data.labels().array() == 0.0).count()));
  EXPECT_NEAR(sums.loss, kRows * std::log(4.0), 1e-12);
}

// The float model computes what the double one does, to float's rounding.
TEST(Softmax, FloatAgreesWithDouble) {
  const Dataset<double> data = test::withClassLabels(test::randomSparseData(kRows, kDim, 7), 5, 8);
  const Dataset<float> single = data.cast<float>();
  const Softmax<double> wide({kDim, 0.0, 5});
  const Softmax<float> narrow({kDim, 0.0, 5});
  const Vector x = Vector::Random(5 * kDim);
  Vector wideGradient = Vector::Zero(5 * kDim);
  VectorOf<float> narrowGradient = VectorOf<float>::Zero(5 * kDim);
  wide.addScaledDataGradient(data, x, test::allRows(kRows), 0.5, wideGradient);
  narrow.addScaledDataGradient(single, x.cast<float>(), test::allRows(kRows), 0.5, narrowGradient);
  EXPECT_LT((narrowGradient.cast<double>() - wideGradient).norm(), 1e-5 * wideGradient.norm());
}

TEST(Softmax, RefusesFewerThanTwoClasses) {
  EXPECT_THROW(Softmax<double>({3, 0.1, 1}), std::invalid_argument);
  EXPECT_THROW(Softmax<float>({3, 0.1, 0}), std::invalid_argument);
}

}  // namespace
}  // namespace memsgd
