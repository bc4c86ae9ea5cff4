// Every registered model, through the Model interface: its gradients against central finite
// differences of its own objective (double), and its convex part (what memsgd-optimum uses)
// against the training gradient and against finite differences of that gradient.
#include "memsgd/model/model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <string>
#include <vector>

#include "memsgd/core/error.hpp"
#include "memsgd/model/least_squares.hpp"
#include "memsgd/model/model_factory.hpp"
#include "random_data.hpp"

namespace memsgd {
namespace {

constexpr std::uint32_t kRows = 30;
constexpr std::int32_t kDim = 8;
constexpr std::uint64_t kClasses = 3;  // for the models of LabelKind::kClasses: p = 3 d
constexpr double kLambda = 0.1;
constexpr double kStep = 1e-6;

// Labels of the kind the model trains on: -1/+1, classes 0..kClasses-1 (sparse rows), or real
// values spread around 0 (dense rows).
Dataset<double> dataFor(LabelKind labels) {
  Dataset<double> data = test::randomSparseData(kRows, kDim, 1);
  if (labels == LabelKind::kBinary) return data;
  if (labels == LabelKind::kClasses) return test::withClassLabels(data, kClasses, 2);
  Vector real = Vector::Random(kRows) * 3.0;
  return Dataset<double>::fromDense(Dataset<double>::DenseRows(Eigen::MatrixXd(data.sparseRows())),
                                    real, kRows, {0, kRows});
}

double objective(const Model<double>& model, const Dataset<double>& data, const Vector& x) {
  Vector scratch;
  return model.shardSums(data, x, scratch).loss / static_cast<double>(data.rows()) +
         model.regularizer(x);
}

class EveryModel : public ::testing::TestWithParam<std::string> {
 protected:
  Dataset<double> data_ = dataFor(labelKindOf(GetParam()));
  std::unique_ptr<Model<double>> model_ =
      makeModel<double>(GetParam(), {static_cast<std::uint64_t>(kDim), kLambda, kClasses});
  Eigen::Index p_ = static_cast<Eigen::Index>(model_->parameterCount());
  Vector x_ = Vector::Random(p_);

  // grad f(x): the data term's mean gradient over every row plus the framework's lambda x.
  Vector gradient(const Vector& x) const {
    Vector g = Vector::Zero(p_);
    model_->addScaledDataGradient(data_, x, test::allRows(kRows), 1.0, g);
    return g + model_->lambda() * x;
  }
};

TEST_P(EveryModel, GradientMatchesCentralFiniteDifferences) {
  const std::uint64_t perFeature = labelKindOf(GetParam()) == LabelKind::kClasses ? kClasses : 1;
  ASSERT_EQ(model_->parameterCount(), perFeature * static_cast<std::uint64_t>(kDim));
  const Vector g = gradient(x_);
  for (Eigen::Index j = 0; j < p_; ++j) {
    Vector plus = x_;
    Vector minus = x_;
    plus[j] += kStep;
    minus[j] -= kStep;
    const double numeric =
        (objective(*model_, data_, plus) - objective(*model_, data_, minus)) / (2 * kStep);
    EXPECT_NEAR(g[j], numeric, 1e-8) << "coordinate " << j;
  }
}

TEST_P(EveryModel, ConvexPartAgreesWithTheTrainingGradientAndObjective) {
  const ConvexObjective* convex = model_->convex();
  ASSERT_NE(convex, nullptr);
  Vector gradientSum = Vector::Zero(p_);
  const double lossSum = convex->addShardLossAndGradient(data_, x_, gradientSum);
  const double n = static_cast<double>(kRows);
  EXPECT_NEAR(lossSum / n + model_->regularizer(x_), objective(*model_, data_, x_), 1e-13);
  EXPECT_TRUE((gradientSum / n + kLambda * x_).isApprox(gradient(x_), 1e-12));
}

// The dense Hessian's column j is the derivative of the gradient along e_j, and the product of
// the Hessian with v equals the dense Hessian times v.
TEST_P(EveryModel, HessianMatchesFiniteDifferencesOfTheGradient) {
  const ConvexObjective* convex = model_->convex();
  ASSERT_NE(convex, nullptr);
  ASSERT_TRUE(convex->hasDenseHessian());
  const Eigen::MatrixXd hessian = convex->shardHessian(data_, x_) / static_cast<double>(kRows) +
                                  kLambda * Eigen::MatrixXd::Identity(p_, p_);
  for (Eigen::Index j = 0; j < p_; ++j) {
    Vector plus = x_;
    Vector minus = x_;
    plus[j] += kStep;
    minus[j] -= kStep;
    const Vector numeric = (gradient(plus) - gradient(minus)) / (2 * kStep);
    EXPECT_LT((hessian.col(j) - numeric).norm(), 1e-7) << "column " << j;
  }
  const Vector v = Vector::Random(p_);
  Vector product = Vector::Zero(p_);
  convex->addShardHessianTimes(data_, convex->curvature(data_, x_), v, product);
  EXPECT_TRUE((product / static_cast<double>(kRows) + kLambda * v).isApprox(hessian * v, 1e-12));
}

TEST_P(EveryModel, StartsAtZeroWhateverTheSeed) {
  Vector x = Vector::Constant(p_, 3.0);
  model_->initialize(7, x);
  EXPECT_TRUE(x.isZero(0.0));
}

// The convex models, registered as such (requireConvex passes), whose start is zero; the mlp has
// its own tests (mlp_test.cpp).
std::vector<std::string> convexModelNames() {
  std::vector<std::string> names;
  std::ranges::copy_if(modelNames(), std::back_inserter(names), [](const std::string& name) {
    try {
      requireConvex(name);
      return true;
    } catch (const ConfigError&) {
      return false;
    }
  });
  return names;
}

INSTANTIATE_TEST_SUITE_P(Registry, EveryModel, ::testing::ValuesIn(convexModelNames()),
                         [](const auto& info) { return std::string(info.param); });

TEST(ModelFactory, RefusesAnUnknownTypeNamingTheKey) {
  try {
    (void)makeModel<double>("hinge", {3, 0.1});
    ADD_FAILURE() << "no ConfigError";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("model.type = hinge"), std::string::npos) << message;
    EXPECT_NE(message.find("least_squares"), std::string::npos) << message;
  }
  EXPECT_THROW((void)labelKindOf("hinge"), ConfigError);
  EXPECT_EQ(labelKindOf("logistic"), LabelKind::kBinary);
  EXPECT_EQ(labelKindOf("least_squares"), LabelKind::kReal);
  EXPECT_EQ(labelKindOf("softmax"), LabelKind::kClasses);
}

// Loss (1/2) sum r_i^2 and the metric's sum r_i^2, whose mean's root is the RMSE.
TEST(LeastSquares, ShardSumsAreHalfAndWholeSquaredResiduals) {
  Dataset<double>::DenseRows rows(3, 2);
  rows << 1.0, 0.0, 0.0, 1.0, 1.0, 1.0;
  const Dataset<double> data =
      Dataset<double>::fromDense(rows, Vector{{0.5, -2.0, 4.0}}, 3, {0, 3});
  const LeastSquares<double> model({2, 0.0});
  Vector scratch;
  // Predictions 1, 2, 3: residuals 0.5, 4, -1.
  const ShardSums sums = model.shardSums(data, Vector{{1.0, 2.0}}, scratch);
  EXPECT_DOUBLE_EQ(sums.metric, 0.25 + 16.0 + 1.0);
  EXPECT_DOUBLE_EQ(sums.loss, 0.5 * (0.25 + 16.0 + 1.0));
  EXPECT_EQ(model.metric(), Metric::kRmse);
}

}  // namespace
}  // namespace memsgd
