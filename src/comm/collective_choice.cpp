#include "memsgd/comm/collective_choice.hpp"

#include <iomanip>
#include <numeric>
#include <sstream>

#include "memsgd/comm/collective_factory.hpp"
#include "memsgd/compress/compressor_factory.hpp"
#include "memsgd/config/choices.hpp"

namespace memsgd {
CollectiveChoice chooseCollective(const CompressionConfig& compression,
                                  const CommunicationConfig& communication,
                                  const Communicator& comm, std::span<const std::uint64_t> blocks,
                                  std::uint64_t seed) {
  CollectiveChoice choice;
  if (communication.collective != CollectiveKind::kAuto) {
    choice.kind = communication.collective;
    return choice;
  }
  choice.automatic = true;
  const std::uint64_t p = std::accumulate(blocks.begin(), blocks.end(), std::uint64_t{0});
  const auto compressor = makeCompressor<double>(compression, blocks, seed, comm.rank());
  const auto codec = makeCodec(compression, communication);
  const std::uint64_t pairs =
      compressor->isDense() ? p : compressor->fixedPairs().value_or(resolveK(compression, p));
  const bool sizesKnown = compressor->fixedPairs() && codec->sizeDependsOnlyOnPairs();
  choice.calibration = calibrateCosts(comm, *codec, communication, p, pairs);
  choice.estimates = estimateCollectives(
      exchangeShape(comm.size(), p, pairs, sizesKnown, *codec, communication.valueType),
      choice.calibration.costs);
  for (CollectiveEstimate& estimate : choice.estimates) {
    estimate.refusal =
        collectiveRefusal(estimate.kind, compression, communication, *codec).value_or("");
  }
  choice.kind = cheapestCollective(choice.estimates);
  return choice;
}

CollectiveChoice resumedChoice(CollectiveKind kind) {
  CollectiveChoice choice;
  choice.kind = kind;
  choice.automatic = true;
  choice.resumed = true;
  return choice;
}

RunConfig withChosenCollective(const RunConfig& config, const CollectiveChoice& choice) {
  RunConfig chosen = config;
  chosen.communication.collective = choice.kind;
  return chosen;
}

std::string formatChoice(const CollectiveChoice& choice) {
  if (!choice.automatic) return "";
  std::ostringstream line;
  line << "collective: auto picked " << wordOf(kCollectives, choice.kind);
  if (choice.resumed) {
    line << ", the checkpointed run's choice";
    return line.str();
  }
  line << " (predicted per step:";
  const char* separator = " ";
  for (const CollectiveEstimate& estimate : choice.estimates) {
    line << separator << wordOf(kCollectives, estimate.kind) << " ";
    if (estimate.refusal.empty()) {
      line << std::setprecision(3) << estimate.seconds << " s";
    } else {
      line << "refused";
    }
    separator = ", ";
  }
  if (choice.calibration.measured) {
    line << "; calibrated in " << std::setprecision(2) << choice.calibration.seconds << " s)";
  } else {
    line << "; constants from the config)";
  }
  return line.str();
}

}  // namespace memsgd
