#include "memsgd/model/model_factory.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "memsgd/core/error.hpp"
#include "memsgd/model/least_squares.hpp"
#include "memsgd/model/logistic_regression.hpp"
#include "memsgd/model/mlp.hpp"

namespace memsgd {
namespace {

template <typename Scalar>
using Builder = std::unique_ptr<Model<Scalar>> (*)(const ModelSpec&);

struct Entry {
  std::string_view name;
  LabelKind labels;
  Builder<float> buildFloat;
  Builder<double> buildDouble;
};

template <template <typename> class M, typename Scalar>
std::unique_ptr<Model<Scalar>> build(const ModelSpec& spec) {
  return std::make_unique<M<Scalar>>(spec);
}

// One line per model: its name, and the class that is built at either precision.
template <template <typename> class M>
constexpr Entry entry(std::string_view name) {
  return {name, M<double>::kLabels, &build<M, float>, &build<M, double>};
}

constexpr std::array kRegistry{
    entry<LogisticRegression>("logistic"),
    entry<LeastSquares>("least_squares"),
    entry<Mlp>("mlp"),
};

constexpr auto kNames = [] {
  std::array<std::string_view, kRegistry.size()> names{};
  std::ranges::transform(kRegistry, names.begin(), &Entry::name);
  return names;
}();

const Entry& find(std::string_view type) {
  const auto* found = std::ranges::find(kRegistry, type, &Entry::name);
  if (found == kRegistry.end()) {
    std::string known;
    for (const std::string_view name : kNames)
      known += (known.empty() ? "" : ", ") + std::string(name);
    throw ConfigError("model.type = " + std::string(type) + ": unknown model (known: " + known +
                      ")");
  }
  return *found;
}

}  // namespace

std::span<const std::string_view> modelNames() { return kNames; }

LabelKind labelKindOf(std::string_view type) { return find(type).labels; }

template <>
std::unique_ptr<Model<float>> makeModel<float>(std::string_view type, const ModelSpec& spec) {
  return find(type).buildFloat(spec);
}

template <>
std::unique_ptr<Model<double>> makeModel<double>(std::string_view type, const ModelSpec& spec) {
  return find(type).buildDouble(spec);
}

template <typename Scalar>
std::unique_ptr<Model<Scalar>> makeModel(const ModelConfig& config, const Dataset<Scalar>& train) {
  return makeModel<Scalar>(config.type, {.dim = static_cast<std::uint64_t>(train.dim()),
                                         .lambda = resolveLambda(config.lambda, train.globalRows()),
                                         .hidden = config.hidden});
}

template std::unique_ptr<Model<float>> makeModel(const ModelConfig&, const Dataset<float>&);
template std::unique_ptr<Model<double>> makeModel(const ModelConfig&, const Dataset<double>&);

}  // namespace memsgd
