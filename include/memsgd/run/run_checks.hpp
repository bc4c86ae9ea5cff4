#pragma once

#include <string>

#include "memsgd/config/run_config.hpp"
#include "memsgd/data/distributed_load.hpp"
#include "memsgd/mpi/communicator.hpp"

namespace memsgd {

// The checks a run passes before it trains, and the advice it gives when it diverges.

// A new run must not silently replace an earlier run's checkpoint, as it must not replace its run
// file; checked before anything is written. Collective.
void refuseToReplaceCheckpoint(const RunConfig& config, const Communicator& comm);

// What the loaded data must allow before anything of the model's size p (`parameters`) is
// allocated: the memory estimate and a batch no larger than the smallest shard. Collective.
template <typename Scalar>
void requireRunnable(const RunConfig& config, const ShardedData<Scalar>& shards,
                     std::uint64_t parameters, const Communicator& comm);

// max_i ||a_i||^2 over all ranks' rows. Collective; one pass over the shard.
template <typename Scalar>
double largestSquaredRowNorm(const Dataset<Scalar>& data, const Communicator& comm);

// Rank 0 warns on stderr when the decay schedule meets rows far from unit norm.
void warnOfRowNorms(const RunConfig& config, const Communicator& comm, double rowNormSquared);

// What to change when a run diverges, most specific first.
std::string divergenceHint(const RunConfig& config, double rowNormSquared);

// "5.9e+24" rather than std::to_string's fixed notation.
std::string shortNumber(double value);

}  // namespace memsgd
