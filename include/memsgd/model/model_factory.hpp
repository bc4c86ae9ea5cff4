#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "memsgd/config/run_config.hpp"
#include "memsgd/data/dataset.hpp"
#include "memsgd/data/label_kind.hpp"
#include "memsgd/model/model.hpp"

namespace memsgd {

// Builds a model of one precision for the data's spec.
template <typename Scalar>
using ModelBuilder = std::function<std::unique_ptr<Model<Scalar>>(const ModelSpec&)>;

// What the registry knows of a model before the data exists: the name model.type gives it, the
// labels the loader must check, whether it has an f* (its convex() is not nullptr; memsgd-optimum
// refuses the others before loading anything), and a builder for each model.precision.
struct ModelRegistration {
  std::string name;
  LabelKind labels = LabelKind::kBinary;
  bool convex = false;
  ModelBuilder<float> buildFloat;
  ModelBuilder<double> buildDouble;
};

// The registration of a class template M<Scalar> built from a ModelSpec, whose static members
// kLabels (LabelKind) and kConvex (bool) say what ModelRegistration asks.
template <template <typename> class M>
ModelRegistration modelRegistration(std::string name) {
  return {std::move(name), M<double>::kLabels, M<double>::kConvex,
          [](const ModelSpec& spec) -> std::unique_ptr<Model<float>> {
            return std::make_unique<M<float>>(spec);
          },
          [](const ModelSpec& spec) -> std::unique_ptr<Model<double>> {
            return std::make_unique<M<double>>(spec);
          }};
}

// Adds a model to the ones model.type accepts, for a program on memsgd's library: call it
// before parseCommandLine (so that --help and the key's check know the name) and runTraining,
// from one thread. The built-in models are registered from the start. Throws ConfigError naming
// model.type for an empty name, a name with other characters than letters, digits, '_', '-' and
// '.', or one already registered; std::invalid_argument for a missing builder.
void registerModel(ModelRegistration registration);
// registerModel(modelRegistration<M>(name)): registerModel<HuberRegression>("huber").
template <template <typename> class M>
void registerModel(std::string name) {
  registerModel(modelRegistration<M>(std::move(name)));
}

// Names accepted by model.type: the built-in models, then the registered ones in their order
// (the order --help lists them).
std::vector<std::string> modelNames();

// The labels model `type` trains on, for the loader (known before the data, unlike the model).
// Throws ConfigError naming model.type for an unknown name, as makeModel does.
LabelKind labelKindOf(std::string_view type);

// For memsgd-optimum, before it loads the data: throws ConfigError naming model.type when model
// `type` is unknown or has no f* (not registered as convex).
void requireConvex(std::string_view type);

// Builds the model `type` for data of dimension spec.dim with L2 strength spec.lambda (and
// spec.classes classes for a LabelKind::kClasses model).
template <typename Scalar>
std::unique_ptr<Model<Scalar>> makeModel(std::string_view type, const ModelSpec& spec);

// The configured model.type for `train` (every rank builds the same one): d from the data,
// lambda resolved against its global row count, and C = `classes` (ShardedData::classLabels'
// size) for a LabelKind::kClasses model.
template <typename Scalar>
std::unique_ptr<Model<Scalar>> makeModel(const ModelConfig& config, const Dataset<Scalar>& train,
                                         std::uint64_t classes = 0);

}  // namespace memsgd
