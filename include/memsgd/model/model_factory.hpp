#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "memsgd/config/run_config.hpp"
#include "memsgd/data/dataset.hpp"
#include "memsgd/data/label_kind.hpp"
#include "memsgd/model/model.hpp"

namespace memsgd {

// Names accepted by model.type, in the order --help lists them.
std::span<const std::string_view> modelNames();

// The labels model `type` trains on, for the loader (known before the data, unlike the model).
// Throws ConfigError naming model.type for an unknown name, as makeModel does.
LabelKind labelKindOf(std::string_view type);

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
