#pragma once

#include <optional>

#include "memsgd/comm/communicator.hpp"
#include "memsgd/config/run_config.hpp"
#include "memsgd/data/dataset.hpp"

namespace memsgd {

// The shards of the training set and (optional) test set that this rank owns.
struct ShardedData {
  Dataset train;
  std::optional<Dataset> test;
};

// Collective. Each rank reads only its contiguous block of rows (row_partition.hpp); d comes from
// `config.dim` or the largest index over all ranks; the test set is read with the training d.
// A failure on any rank (malformed line, fewer rows than ranks) is rethrown on every rank as
// AgreedError with the failing rank's message.
ShardedData loadShards(const DataConfig& config, const Communicator& comm);

}  // namespace memsgd
