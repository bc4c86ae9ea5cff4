#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "memsgd/config/run_config.hpp"

namespace memsgd {

// The words of the enum-valued keys, declared once: the options parser accepts and prints them,
// and everything else that spells a setting (run files, optimum files) takes them from here.

// One accepted word of a key and the value it stands for.
template <typename T>
struct Choice {
  std::string_view word;
  T value;
};

inline constexpr auto kNormalizations = std::to_array<Choice<Normalization>>(
    {{"none", Normalization::kNone}, {"l2", Normalization::kL2}});
inline constexpr auto kRowLayouts = std::to_array<Choice<RowLayout>>(
    {{"auto", RowLayout::kAuto}, {"sparse", RowLayout::kSparse}, {"dense", RowLayout::kDense}});
inline constexpr auto kSchedules =
    std::to_array<Choice<Schedule>>({{"decay", Schedule::kDecay},
                                     {"bottou", Schedule::kBottou},
                                     {"constant", Schedule::kConstant},
                                     {"step", Schedule::kStep}});
inline constexpr auto kAveragings =
    std::to_array<Choice<Averaging>>({{"weighted", Averaging::kWeighted},
                                      {"uniform", Averaging::kUniform},
                                      {"last", Averaging::kLast}});
inline constexpr auto kAggregations =
    std::to_array<Choice<Aggregation>>({{"sum", Aggregation::kSum}, {"mean", Aggregation::kMean}});
inline constexpr auto kValueTypes = std::to_array<Choice<ValueType>>(
    {{"fp32", ValueType::kFloat32}, {"fp64", ValueType::kFloat64}, {"fp16", ValueType::kFloat16}});
inline constexpr auto kPrecisions = std::to_array<Choice<Precision>>(
    {{"double", Precision::kDouble}, {"float", Precision::kFloat}});
inline constexpr auto kIndexEncodings = std::to_array<Choice<IndexEncoding>>(
    {{"raw", IndexEncoding::kRaw}, {"varint", IndexEncoding::kVarint}});
inline constexpr auto kCollectives =
    std::to_array<Choice<CollectiveKind>>({{"allgather", CollectiveKind::kAllgather},
                                           {"dense", CollectiveKind::kDense},
                                           {"split_allgather", CollectiveKind::kSplitAllgather},
                                           {"auto", CollectiveKind::kAuto}});
inline constexpr auto kCommunicationModes = std::to_array<Choice<CommunicationMode>>(
    {{"sync", CommunicationMode::kSync}, {"shared", CommunicationMode::kShared}});
inline constexpr auto kQsgdEncodings =
    std::to_array<Choice<QsgdEncoding>>({{"auto", QsgdEncoding::kAuto},
                                         {"elias", QsgdEncoding::kEliasGamma},
                                         {"fixed", QsgdEncoding::kFixedWidth}});
inline constexpr auto kCompressionScopes = std::to_array<Choice<CompressionScope>>(
    {{"global", CompressionScope::kGlobal}, {"layer", CompressionScope::kLayer}});

// The word of `value` (every value of these enums has one).
template <typename T, std::size_t N>
std::string wordOf(const std::array<Choice<T>, N>& choices, T value) {
  return std::string(std::ranges::find(choices, value, &Choice<T>::value)->word);
}

// data.normalize's word for `normalization`: "none" or "l2".
inline std::string toString(Normalization normalization) {
  return wordOf(kNormalizations, normalization);
}

}  // namespace memsgd
