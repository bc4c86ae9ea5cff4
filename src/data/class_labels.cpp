#include "memsgd/data/class_labels.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include "memsgd/core/error.hpp"

namespace memsgd {
namespace {

constexpr double kLargestExactInteger = 9007199254740992.0;  // 2^53

std::string labelText(double label) {
  std::array<char, 32> text{};
  const auto end = std::to_chars(text.data(), text.data() + text.size(), label).ptr;
  return {text.data(), end};
}

bool isClassLabel(double label) {
  return std::trunc(label) == label && std::abs(label) <= kLargestExactInteger;
}

// The first line (labelLines: each label's first) whose label fails `accepted`, with that label.
template <typename Accepted>
std::optional<std::pair<std::uint64_t, double>> firstRefused(const RowBlock& rows,
                                                             Accepted accepted) {
  std::optional<std::pair<std::uint64_t, double>> first;
  for (const auto& [label, line] : rows.labelLines) {
    if (!accepted(label) && (!first || line < first->first)) first.emplace(line, label);
  }
  return first;
}

std::string count(std::size_t classes) {
  return std::to_string(classes) + (classes == 1 ? " class" : " classes");
}

}  // namespace

void requireIntegerLabels(const std::string& path, const RowBlock& rows) {
  if (const auto refused = firstRefused(rows, isClassLabel)) {
    throw DataError(path, refused->first,
                    "label " + labelText(refused->second) +
                        " is not a class (class labels are integers of magnitude <= 2^53)");
  }
}

std::vector<std::int64_t> distinctClasses(const std::string& path, const RowBlock& rows) {
  if (rows.labelCounts.size() > kMaxClasses) {
    throw DataError(path, "holds at least " + count(rows.labelCounts.size()) + ", more than the " +
                              std::to_string(kMaxClasses) + " a class model accepts");
  }
  std::vector<std::int64_t> classes;
  classes.reserve(rows.labelCounts.size());
  for (const auto& entry : rows.labelCounts) {
    classes.push_back(static_cast<std::int64_t>(entry.first));  // a map: ascending
  }
  return classes;
}

void requireTrainingClasses(const std::string& path, std::span<const std::int64_t> classes) {
  if (classes.size() > kMaxClasses) {
    throw DataError(path, "holds " + count(classes.size()) + ", more than the " +
                              std::to_string(kMaxClasses) + " a class model accepts");
  }
  if (classes.size() < 2) {
    throw DataError(path, "a class model trains on at least 2 classes; found " +
                              count(classes.size()) +
                              (classes.empty() ? "" : " (" + std::to_string(classes[0]) + ")"));
  }
}

void toClassIndices(const std::string& path, std::span<const std::int64_t> classes,
                    RowBlock& rows) {
  const auto known = [&](double label) {
    return isClassLabel(label) &&
           std::ranges::binary_search(classes, static_cast<std::int64_t>(label));
  };
  if (const auto refused = firstRefused(rows, known)) {
    throw DataError(path, refused->first,
                    "label " + labelText(refused->second) + " is not one of the training set's " +
                        count(classes.size()) + " (" +
                        formatClasses(classes.first(std::min<std::size_t>(classes.size(), 10))) +
                        (classes.size() > 10 ? ",..." : "") + ")");
  }
  for (double& label : rows.labels) {
    const auto position =
        std::ranges::lower_bound(classes, static_cast<std::int64_t>(label)) - classes.begin();
    label = static_cast<double>(position);
  }
}

std::string formatClasses(std::span<const std::int64_t> classes) {
  std::string text;
  for (const std::int64_t label : classes) {
    if (!text.empty()) text += ',';
    text += std::to_string(label);
  }
  return text;
}

}  // namespace memsgd
