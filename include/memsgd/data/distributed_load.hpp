#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "memsgd/config/run_config.hpp"
#include "memsgd/data/dataset.hpp"
#include "memsgd/data/label_kind.hpp"
#include "memsgd/mpi/communicator.hpp"

namespace memsgd {

// What set the dimension d, for messages about it: the configuration (data.dim, or a synthetic
// source's size) or the first row of the training file that holds its largest feature index.
struct DimOrigin {
  std::string key;   // "data.dim" or "data.train" when the configuration set d
  std::string file;  // else the training file and the line of that row
  std::uint64_t line = 0;
  [[nodiscard]] bool configured() const { return !key.empty(); }
};

// The shards of the training set and (optional) test set that this rank owns, with the content
// fingerprints of the whole sets (data_fingerprint.hpp), identical on every rank.
template <typename Scalar>
struct ShardedData {
  Dataset<Scalar> train;
  std::optional<Dataset<Scalar>> test;
  std::uint64_t trainFingerprint = 0;
  std::optional<std::uint64_t> testFingerprint;  // with a test set
  DimOrigin dimOrigin;
  // LabelKind::kClasses: the training set's distinct labels in ascending order, class c's label
  // at position c (labels in train and test are c); empty for the other kinds.
  std::vector<std::int64_t> classLabels;
};

// Collective. Each rank reads only its contiguous block of rows (row_partition.hpp); d comes from
// `config.dim` or the largest index over all ranks; the test set is read with the training d.
// A failure on any rank (malformed line, fewer rows than ranks) is rethrown on every rank as
// AgreedError with the failing rank's message. The fingerprints are reduced over all ranks.
// `labels` is what the model trains on: binary (checked, mapped to -1/+1), classes (integers,
// mapped to 0..C-1 by the training set's sorted classes, class_labels.hpp) or real (as read).
// Explicitly instantiated for float and double.
template <typename Scalar>
ShardedData<Scalar> loadShards(const DataConfig& config, const Communicator& comm,
                               LabelKind labels = LabelKind::kBinary);

}  // namespace memsgd
