#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "memsgd/comm/collective_cost.hpp"
#include "memsgd/comm/cost_calibration.hpp"
#include "memsgd/config/run_config.hpp"
#include "memsgd/mpi/communicator.hpp"

namespace memsgd {

// The collective a run uses, and for communication.collective = auto how it was picked.
struct CollectiveChoice {
  CollectiveKind kind = CollectiveKind::kAllgather;  // never kAuto
  bool automatic = false;                            // communication.collective = auto
  bool resumed = false;  // auto, kept from the checkpointed run rather than picked again
  Calibration calibration;
  std::vector<CollectiveEstimate> estimates;  // kCollectives' order, refusals filled in
};

// Collective. The configured collective; for auto, the cheapest that makeCollective accepts for
// this run by the cost model, with calibrateCosts' constants and the step's shape: P ranks, p the
// sum of `blocks` (the model's blockSizes()), the pairs the compressor sends (its fixed count,
// else compression.k; p for a dense method), the codec's bytes for them. Every rank picks the
// same: the constants are agreed over the ranks.
CollectiveChoice chooseCollective(const CompressionConfig& compression,
                                  const CommunicationConfig& communication,
                                  const Communicator& comm, std::span<const std::uint64_t> blocks,
                                  std::uint64_t seed);

// communication.collective = auto on resume: the checkpointed run's `kind`, not picked again,
// since the collectives round the sum differently and the run would no longer be the same.
CollectiveChoice resumedChoice(CollectiveKind kind);

// `config` with the chosen collective in place of auto, for the trainer.
RunConfig withChosenCollective(const RunConfig& config, const CollectiveChoice& choice);

// The console line that names an automatic choice and why; empty for a configured collective.
std::string formatChoice(const CollectiveChoice& choice);

}  // namespace memsgd
