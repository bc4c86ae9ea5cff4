#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "memsgd/data/libsvm_reader.hpp"

namespace memsgd {

// A distinct label of a data set and how many rows carry it.
struct LabelCount {
  double label = 0.0;
  std::uint64_t rows = 0;
};

// The distinct labels of a whole data set (all ranks' shards).
struct LabelSummary {
  std::vector<LabelCount> labels;  // most frequent first; may hold only the most frequent ones
  std::uint64_t distinct = 0;      // distinct labels in all (a lower bound unless `exact`)
  bool exact = true;               // false when `labels` is not the whole list
};

// A training set must hold both classes; a test set may hold only one.
enum class LabelRole { kTraining, kTest };

// Throws DataError naming `path`, the labels found and their counts (the 10 most frequent), unless
// they are a spelling of two classes the binary model accepts: -1/+1 (1 = +1) or 0/1.
void requireBinaryLabels(const std::string& path, const LabelSummary& found, LabelRole role);

// Maps labels accepted by requireBinaryLabels to the model's -1/+1: 1 is +1, -1 and 0 are -1.
void toSignLabels(RowBlock& rows);

}  // namespace memsgd
