// The runtime registry of model.type: a program's own model registered by name, built at either
// precision, listed where the built-in ones are, and refused under a bad or taken name; and the
// check memsgd-optimum makes before it loads data (a model without f* is refused).
#include "memsgd/model/model_factory.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "memsgd/cli/options.hpp"
#include "memsgd/core/error.hpp"
#include "random_data.hpp"
#include "tanh_regression.hpp"

namespace memsgd {
namespace {

using test::TanhRegression;

std::string messageOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "no ConfigError";
}

TEST(ModelRegistry, BuildsARegisteredModelByNameAtEitherPrecision) {
  registerModel<TanhRegression>("tanh_both");
  const std::vector<std::string> names = modelNames();
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.front(), "logistic");  // the built-ins first
  EXPECT_EQ(names.back(), "tanh_both");
  EXPECT_EQ(labelKindOf("tanh_both"), LabelKind::kReal);
  const auto single = makeModel<float>("tanh_both", {6, 0.5});
  const auto twice = makeModel<double>("tanh_both", {6, 0.5});
  EXPECT_NE(dynamic_cast<const TanhRegression<float>*>(single.get()), nullptr);
  EXPECT_NE(dynamic_cast<const TanhRegression<double>*>(twice.get()), nullptr);
  EXPECT_EQ(twice->parameterCount(), 6U);
  EXPECT_EQ(twice->lambda(), 0.5);
  EXPECT_EQ(twice->convex(), nullptr);
}

// What the trainer relies on, for a model that is not the framework's: its gradient is the
// derivative of its own loss.
TEST(ModelRegistry, ARegisteredModelsGradientMatchesFiniteDifferences) {
  registerModel<TanhRegression>("tanh_gradient");
  constexpr std::uint32_t kRows = 20;
  constexpr std::int32_t kDim = 5;
  const Dataset<double> data = test::randomSparseData(kRows, kDim, 3);
  const auto model = makeModel<double>("tanh_gradient", {kDim, 0.0});
  const Vector x = Vector::Random(kDim);
  const std::vector<std::uint32_t> all = test::allRows(kRows);
  Vector gradient = Vector::Zero(kDim);
  model->addScaledDataGradient(data, x, all, 1.0, gradient);
  Vector scratch;
  const auto mean = [&](const Vector& at) {
    return model->shardSums(data, at, scratch).loss / kRows;
  };
  for (Eigen::Index j = 0; j < kDim; ++j) {
    Vector plus = x;
    Vector minus = x;
    plus[j] += 1e-6;
    minus[j] -= 1e-6;
    EXPECT_NEAR(gradient[j], (mean(plus) - mean(minus)) / 2e-6, 1e-8) << "coordinate " << j;
  }
}

TEST(ModelRegistry, RefusesAnEmptyOrMalformedName) {
  EXPECT_EQ(messageOf([] { registerModel<TanhRegression>(""); }),
            "model.type: a model cannot be registered with an empty name");
  const std::string spaced = messageOf([] { registerModel<TanhRegression>("my model"); });
  EXPECT_NE(spaced.find("model.type: cannot register a model named 'my model'"), std::string::npos)
      << spaced;
  EXPECT_NE(messageOf([] { registerModel<TanhRegression>("a|b"); }).find("'a|b'"),
            std::string::npos);
  for (const std::string& name : modelNames()) {
    EXPECT_TRUE(name != "" && name != "my model" && name != "a|b") << name;
  }
}

TEST(ModelRegistry, RefusesANameAlreadyTaken) {
  EXPECT_EQ(messageOf([] { registerModel<TanhRegression>("logistic"); }),
            "model.type = logistic: a model of that name is already registered");
  registerModel<TanhRegression>("tanh_twice");
  EXPECT_EQ(messageOf([] { registerModel<TanhRegression>("tanh_twice"); }),
            "model.type = tanh_twice: a model of that name is already registered");
  EXPECT_EQ(std::ranges::count(modelNames(), "tanh_twice"), 1);
  // The first registration stands.
  EXPECT_EQ(labelKindOf("logistic"), LabelKind::kBinary);
}

TEST(ModelRegistry, RefusesARegistrationWithoutBuilders) {
  ModelRegistration registration = modelRegistration<TanhRegression>("tanh_no_float");
  registration.buildFloat = nullptr;
  EXPECT_THROW(registerModel(std::move(registration)), std::invalid_argument);
  EXPECT_THROW((void)labelKindOf("tanh_no_float"), ConfigError);
}

// memsgd-optimum trusts the registration's convex flag: a model that contradicts it is refused
// when it is built.
TEST(ModelRegistry, RefusesAModelWhoseConvexPartContradictsItsRegistration) {
  ModelRegistration registration = modelRegistration<TanhRegression>("tanh_claims_convex");
  registration.convex = true;
  registerModel(std::move(registration));
  EXPECT_THROW((void)makeModel<double>("tanh_claims_convex", {3, 0.1}), std::logic_error);
}

// (Other tests of this binary may have registered more models when it runs them all at once.)
TEST(ModelRegistry, AnUnknownTypeListsTheRegisteredModels) {
  registerModel<TanhRegression>("tanh_listed");
  const std::string message = messageOf([] { (void)makeModel<double>("hinge", {3, 0.1}); });
  EXPECT_EQ(message.rfind("model.type = hinge: unknown model (known: logistic, least_squares, ", 0),
            0U)
      << message;
  EXPECT_NE(message.find(", tanh_listed"), std::string::npos) << message;
  EXPECT_THROW((void)labelKindOf("hinge"), ConfigError);
}

// The command line of a program that registered a model: --help lists it, model.type takes it,
// and an unknown word is refused listing it.
TEST(ModelRegistry, TheCommandLineKnowsARegisteredModel) {
  registerModel<TanhRegression>("tanh_cli");
  std::ostringstream help;
  const std::vector<const char*> askHelp{"memsgd-train", "--help"};
  EXPECT_FALSE(parseCommandLine(static_cast<int>(askHelp.size()), askHelp.data(), help));
  EXPECT_NE(help.str().find("logistic|least_squares|"), std::string::npos) << help.str();
  EXPECT_NE(help.str().find("|tanh_cli"), std::string::npos) << help.str();
  const std::vector<const char*> chosen{"memsgd-train", "--data.train=synthetic:epsilon",
                                        "--model.type=tanh_cli"};
  std::ostringstream none;
  const auto config = parseCommandLine(static_cast<int>(chosen.size()), chosen.data(), none);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->model.type, "tanh_cli");
  const std::vector<const char*> unknown{"memsgd-train", "--data.train=synthetic:epsilon",
                                         "--model.type=hinge"};
  const std::string refused = messageOf(
      [&] { (void)parseCommandLine(static_cast<int>(unknown.size()), unknown.data(), none); });
  EXPECT_EQ(
      refused.rfind("command line: model.type = hinge: must be one of logistic|least_squares|", 0),
      0U)
      << refused;
  EXPECT_NE(refused.find("|tanh_cli"), std::string::npos) << refused;
}

TEST(RequireConvex, RefusesAModelWithoutAnOptimumNamingModelType) {
  registerModel<TanhRegression>("tanh_optimum");
  EXPECT_EQ(messageOf([] { requireConvex("tanh_optimum"); }),
            "model.type = tanh_optimum is not convex: memsgd-optimum has no f* for it");
  EXPECT_NO_THROW(requireConvex("logistic"));
  EXPECT_NO_THROW(requireConvex("least_squares"));
  EXPECT_THROW(requireConvex("hinge"), ConfigError);
}

}  // namespace
}  // namespace memsgd
