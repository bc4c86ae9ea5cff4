#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "memsgd/util/default_init_allocator.hpp"

namespace memsgd {

// A block of rows as a data source read them (before label mapping and normalisation), in
// compressed-row form, whatever the format they came from.
struct RowBlock {
  std::vector<std::int64_t> rowOffsets{0};  // rows() + 1 entries into indices/values
  // Not zero-filled by resize() (default_init_allocator.hpp): a reader fills them right after.
  UninitializedVector<std::int32_t> indices;  // 0-based feature indices, ascending within a row
  UninitializedVector<double> values;         // explicit zeros are dropped
  // As written (any finite number, -0 read as 0) until binary_labels.hpp maps them to -1/+1.
  std::vector<double> labels;
  std::map<double, std::uint64_t> labelCounts;  // each distinct label and how many rows carry it
  // Each distinct label and where it first is: the line of a text file, the row's number from 1
  // in a binary format; what messages about the label name after the file.
  std::map<double, std::uint64_t> labelLines;
  std::uint64_t maxIndex = 0;      // largest 1-based index seen, explicit zeros included; 0 if none
  std::uint64_t maxIndexLine = 0;  // the line (row) where maxIndex first appears; 0 if none
  [[nodiscard]] std::uint64_t rows() const { return labels.size(); }
};

// Where a bound on the feature indices comes from, which decides how a wider row is refused.
enum class DimSource { kDataDim, kTrainingSet };
struct DimLimit {
  std::uint64_t dim = 0;  // 0: no bound
  DimSource source = DimSource::kDataDim;
};

}  // namespace memsgd
