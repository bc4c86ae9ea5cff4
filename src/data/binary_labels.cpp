#include "memsgd/data/binary_labels.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "memsgd/core/error.hpp"

namespace memsgd {
namespace {

constexpr std::size_t kMaxListed = 10;

std::string labelText(double label) {
  std::array<char, 32> text{};
  const auto end = std::to_chars(text.data(), text.data() + text.size(), label).ptr;
  return (label > 0.0 ? "+" : "") + std::string(text.data(), end);
}

std::string describe(const LabelSummary& found) {
  std::string list;
  const std::size_t listed = std::min(found.labels.size(), kMaxListed);
  for (std::size_t i = 0; i < listed; ++i) {
    const LabelCount& label = found.labels[i];
    list += (i > 0 ? ", " : "") + labelText(label.label) + " (" + std::to_string(label.rows) +
            (label.rows == 1 ? " row)" : " rows)");
  }
  const std::uint64_t more = found.distinct - listed;
  if (more > 0)
    list += " and " + std::string(found.exact ? "" : "at least ") + std::to_string(more) + " more";
  return std::to_string(found.distinct) + (found.exact ? "" : "+") +
         (found.distinct == 1 ? " distinct label: " : " distinct labels: ") + list;
}

// Every label is one of the two spellings' classes: {-1, +1} or {0, +1}.
bool isOneSpelling(const LabelSummary& found) {
  const auto in = [&](std::initializer_list<double> allowed) {
    return std::all_of(found.labels.begin(), found.labels.end(), [&](const LabelCount& label) {
      return std::find(allowed.begin(), allowed.end(), label.label) != allowed.end();
    });
  };
  return found.exact && (in({-1.0, 1.0}) || in({0.0, 1.0}));
}

}  // namespace

void requireBinaryLabels(const std::string& path, const LabelSummary& found, LabelRole role) {
  const bool training = role == LabelRole::kTraining;
  if (isOneSpelling(found) && found.distinct <= 2 && (found.distinct == 2 || !training)) {
    return;
  }
  const std::string what =
      training ? "a binary model trains on exactly two classes, labelled -1/+1 (or 1) or 0/1"
               : "a binary model's test set needs labels -1/+1 (or 1) or 0/1";
  throw DataError(path, what + "; found " + describe(found));
}

void toSignLabels(RowBlock& rows) {
  for (double& label : rows.labels) {
    label = label == 1.0 ? 1.0 : -1.0;
  }
}

}  // namespace memsgd
