#include "memsgd/model/model_factory.hpp"

#include <algorithm>
#include <stdexcept>

#include "memsgd/core/error.hpp"
#include "memsgd/model/least_squares.hpp"
#include "memsgd/model/logistic_regression.hpp"
#include "memsgd/model/mlp.hpp"
#include "memsgd/model/softmax.hpp"

namespace memsgd {
namespace {

// Every model by name: one line per built-in model, then what registerModel adds. Looked up
// once per run (makeModel), never in the step.
std::vector<ModelRegistration>& registry() {
  static std::vector<ModelRegistration> models{
      modelRegistration<LogisticRegression>("logistic"),
      modelRegistration<LeastSquares>("least_squares"),
      modelRegistration<Softmax>("softmax"),
      modelRegistration<Mlp>("mlp"),
  };
  return models;
}

// A name must read back from an INI line and a "a|b" list of --help unchanged.
bool isModelName(std::string_view name) {
  return !name.empty() && std::ranges::all_of(name, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

const ModelRegistration& find(std::string_view type) {
  const std::vector<ModelRegistration>& models = registry();
  const auto found = std::ranges::find(models, type, &ModelRegistration::name);
  if (found == models.end()) {
    std::string known;
    for (const ModelRegistration& model : models) {
      known += (known.empty() ? "" : ", ") + model.name;
    }
    throw ConfigError("model.type = " + std::string(type) + ": unknown model (known: " + known +
                      ")");
  }
  return *found;
}

// The registration's claim of an f* must hold for what it builds: memsgd-optimum trusts it.
template <typename Scalar>
std::unique_ptr<Model<Scalar>> checked(const ModelRegistration& registration,
                                       std::unique_ptr<Model<Scalar>> model) {
  if ((model->convex() != nullptr) != registration.convex) {
    throw std::logic_error("model.type = " + registration.name + " is registered as " +
                           (registration.convex ? "" : "not ") +
                           "convex, but its convex() says otherwise");
  }
  return model;
}

}  // namespace

void registerModel(ModelRegistration registration) {
  if (registration.name.empty()) {
    throw ConfigError("model.type: a model cannot be registered with an empty name");
  }
  if (!isModelName(registration.name)) {
    throw ConfigError("model.type: cannot register a model named '" + registration.name +
                      "': a name is letters, digits, '_', '-' and '.'");
  }
  if (std::ranges::find(registry(), registration.name, &ModelRegistration::name) !=
      registry().end()) {
    throw ConfigError("model.type = " + registration.name +
                      ": a model of that name is already registered");
  }
  if (!registration.buildFloat || !registration.buildDouble) {
    throw std::invalid_argument("model.type = " + registration.name +
                                ": registered without a builder for float and double");
  }
  registry().push_back(std::move(registration));
}

std::vector<std::string> modelNames() {
  std::vector<std::string> names;
  std::ranges::transform(registry(), std::back_inserter(names), &ModelRegistration::name);
  return names;
}

LabelKind labelKindOf(std::string_view type) { return find(type).labels; }

void requireConvex(std::string_view type) {
  if (!find(type).convex) {
    throw ConfigError("model.type = " + std::string(type) +
                      " is not convex: memsgd-optimum has no f* for it");
  }
}

template <>
std::unique_ptr<Model<float>> makeModel<float>(std::string_view type, const ModelSpec& spec) {
  const ModelRegistration& registration = find(type);
  return checked(registration, registration.buildFloat(spec));
}

template <>
std::unique_ptr<Model<double>> makeModel<double>(std::string_view type, const ModelSpec& spec) {
  const ModelRegistration& registration = find(type);
  return checked(registration, registration.buildDouble(spec));
}

template <typename Scalar>
std::unique_ptr<Model<Scalar>> makeModel(const ModelConfig& config, const Dataset<Scalar>& train,
                                         std::uint64_t classes) {
  return makeModel<Scalar>(config.type, {.dim = static_cast<std::uint64_t>(train.dim()),
                                         .lambda = resolveLambda(config.lambda, train.globalRows()),
                                         .classes = classes,
                                         .hidden = config.hidden});
}

template std::unique_ptr<Model<float>> makeModel(const ModelConfig&, const Dataset<float>&,
                                                 std::uint64_t);
template std::unique_ptr<Model<double>> makeModel(const ModelConfig&, const Dataset<double>&,
                                                  std::uint64_t);

}  // namespace memsgd
