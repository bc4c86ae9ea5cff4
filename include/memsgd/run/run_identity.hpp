#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "memsgd/comm/collective_choice.hpp"
#include "memsgd/config/run_config.hpp"
#include "memsgd/data/distributed_load.hpp"
#include "memsgd/io/attribute_json.hpp"
#include "memsgd/io/checkpoint_file.hpp"
#include "memsgd/mpi/communicator.hpp"
#include "memsgd/optim/hyper_parameters.hpp"

namespace memsgd {

// What a run is: the f* it measures against, the attributes its run file records and the
// identity a checkpoint of it must match.

// f* from model.optimum: the number, or the file's value once its identity matches this run's
// problem (an f* of other data or another lambda would make every suboptimality wrong).
// Collective.
template <typename Scalar>
std::optional<double> readOptimum(const RunConfig& config, const Communicator& comm,
                                  const ShardedData<Scalar>& shards,
                                  const ResolvedHyperParameters& hyper);

// The run file's /config attributes: the resolved settings and what they resolved to. Collective.
template <typename Scalar>
std::vector<std::pair<std::string, AttributeValue>> runAttributes(
    const RunConfig& config, const Communicator& comm, const ShardedData<Scalar>& shards,
    std::uint64_t parameters, const ResolvedHyperParameters& hyper,
    const std::optional<double>& optimum);

// What a checkpoint must share with the run that resumes it: every setting except the length of
// the run and where and how it logs, with compression.k as the integer k in force, plus the rank
// count, the dimension and the model's parameter count p (model.type is a setting like the
// others). The data and f* are compared by content (fingerprints, value), so the
// same run resumes from another directory and changed data at the same path is refused.
template <typename Scalar>
CheckpointIdentity checkpointIdentity(const RunConfig& config, std::uint64_t k,
                                      const Communicator& comm, const ShardedData<Scalar>& shards,
                                      std::uint64_t parameters,
                                      const std::optional<double>& optimum);

// Collective. The collective this run uses: on resume with communication.collective = auto the
// checkpoint's (collective_resolved in its identity), not calibrated again; otherwise
// chooseCollective's.
CollectiveChoice collectiveOfRun(const RunConfig& config, const Communicator& comm,
                                 std::span<const std::uint64_t> blocks);

// The run file's /config attributes of an automatic choice: collective_resolved, and for a
// fresh pick how it was made: collective_costs (measured or configured), calibration_s, the
// constants (cost_alpha_s, ...), predicted_s_per_step_<collective> of each candidate and
// refused_<collective> with the reason. Nothing for a configured collective; on resume only
// collective_resolved, the original pick's attributes stay.
void addChoiceAttributes(const CollectiveChoice& choice,
                         std::vector<std::pair<std::string, AttributeValue>>& attributes);

// An automatic choice joins the checkpoint's identity as collective_resolved.
void addChoiceIdentity(const CollectiveChoice& choice, CheckpointIdentity& identity);

}  // namespace memsgd
