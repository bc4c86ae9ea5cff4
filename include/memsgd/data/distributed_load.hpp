#pragma once

#include <optional>

#include "memsgd/comm/communicator.hpp"
#include "memsgd/config/run_config.hpp"
#include "memsgd/data/dataset.hpp"

namespace memsgd {

// The shards of the training set and (optional) test set that this rank owns.
template <typename Scalar>
struct ShardedData {
  Dataset<Scalar> train;
  std::optional<Dataset<Scalar>> test;
};

// Collective. Each rank reads only its contiguous block of rows (row_partition.hpp); d comes from
// `config.dim` or the largest index over all ranks; the test set is read with the training d.
// A failure on any rank (malformed line, fewer rows than ranks) is rethrown on every rank as
// AgreedError with the failing rank's message.
// Explicitly instantiated for float and double.
template <typename Scalar>
ShardedData<Scalar> loadShards(const DataConfig& config, const Communicator& comm);

}  // namespace memsgd
