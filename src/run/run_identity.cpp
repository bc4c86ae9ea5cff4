#include "memsgd/run/run_identity.hpp"

#include <algorithm>
#include <cstdio>
#include <span>

#include "memsgd/compress/compressor_factory.hpp"
#include "memsgd/config/choices.hpp"
#include "memsgd/data/class_labels.hpp"
#include "memsgd/data/data_fingerprint.hpp"
#include "memsgd/io/optimum_file.hpp"

namespace memsgd {
namespace {

constexpr const char* kVersion = MEMSGD_VERSION;  // CMake's project version
constexpr const char* kResolvedCollective = "collective_resolved";

// The data files and the f* file stand for their content: the run records, and a checkpoint
// compares, fingerprints and the f* value instead of these paths.
bool isPathKey(const std::string& key) {
  return key == "data.train" || key == "data.train_labels" || key == "data.test" ||
         key == "data.test_labels" || key == "model.optimum";
}

std::string testFingerprintText(const std::optional<std::uint64_t>& fingerprint) {
  return fingerprint ? formatFingerprint(*fingerprint) : std::string();
}

// f* as a checkpoint identity value: every digit a double needs, or "none".
std::string optimumText(const std::optional<double>& optimum) {
  if (!optimum) return "none";
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", *optimum);
  return text;
}

}  // namespace

template <typename Scalar>
std::optional<double> readOptimum(const RunConfig& config, const Communicator& comm,
                                  const ShardedData<Scalar>& shards,
                                  const ResolvedHyperParameters& hyper) {
  std::optional<double> optimum = config.model.optimumValue;
  if (!config.model.optimumFile.empty()) {
    const OptimumIdentity identity{config.model.type,
                                   shards.train.globalRows(),
                                   static_cast<std::uint64_t>(shards.train.dim()),
                                   hyper.lambda,
                                   config.data.normalize,
                                   shards.trainFingerprint};
    comm.agreeOn([&] { optimum = readOptimumValue(config.model.optimumFile, identity); });
  }
  return optimum;
}

template <typename Scalar>
std::vector<std::pair<std::string, AttributeValue>> runAttributes(
    const RunConfig& config, const Communicator& comm, const ShardedData<Scalar>& shards,
    std::uint64_t parameters, const ResolvedHyperParameters& hyper,
    const std::optional<double>& optimum) {
  std::vector<std::pair<std::string, AttributeValue>> attributes;
  for (const auto& [key, value] : config.resolved) {
    attributes.emplace_back(key, value);
  }
  const auto asInt = [](auto value) { return AttributeValue(static_cast<std::int64_t>(value)); };
  std::uint64_t nonZeros = shards.train.nonZeros();
  comm.allreduceSum(std::span<std::uint64_t>(&nonZeros, 1));
  attributes.emplace_back("memsgd_version", std::string(kVersion));
  attributes.emplace_back("ranks", asInt(comm.size()));
  attributes.emplace_back("train_rows", asInt(shards.train.globalRows()));
  attributes.emplace_back("train_nonzeros", asInt(nonZeros));
  attributes.emplace_back("dim", asInt(shards.train.dim()));
  attributes.emplace_back("parameter_count", asInt(parameters));
  attributes.emplace_back("test_rows", asInt(shards.test ? shards.test->globalRows() : 0));
  attributes.emplace_back("lambda_resolved", hyper.lambda);
  attributes.emplace_back("offset_resolved", hyper.offset);
  attributes.emplace_back("k_resolved", asInt(resolveK(config.compression, parameters)));
  attributes.emplace_back("train_fingerprint", formatFingerprint(shards.trainFingerprint));
  attributes.emplace_back("test_fingerprint", testFingerprintText(shards.testFingerprint));
  if (!shards.classLabels.empty()) {
    // Class c's label as written; the fingerprint, which a checkpoint compares, covers it.
    attributes.emplace_back("class_labels", formatClasses(shards.classLabels));
  }
  if (optimum) {
    attributes.emplace_back("optimum_value", *optimum);
  }
  return attributes;
}

template <typename Scalar>
CheckpointIdentity checkpointIdentity(const RunConfig& config, std::uint64_t k,
                                      const Communicator& comm, const ShardedData<Scalar>& shards,
                                      std::uint64_t parameters,
                                      const std::optional<double>& optimum) {
  CheckpointIdentity identity;
  for (const auto& [key, value] : config.resolved) {
    if (key == "compression.k") {
      // "k = 1%" resumes with the k it stands for, written either way.
      identity.emplace_back(key, std::to_string(k));
    } else if (!key.starts_with("log.") && key != "optimizer.epochs" && !isPathKey(key)) {
      identity.emplace_back(key, value);
    }
  }
  identity.emplace_back("ranks", std::to_string(comm.size()));
  identity.emplace_back("dim", std::to_string(shards.train.dim()));
  identity.emplace_back("parameter_count", std::to_string(parameters));
  identity.emplace_back("train_fingerprint", formatFingerprint(shards.trainFingerprint));
  identity.emplace_back("test_fingerprint", testFingerprintText(shards.testFingerprint));
  identity.emplace_back("optimum_value", optimumText(optimum));
  return identity;
}

CollectiveChoice collectiveOfRun(const RunConfig& config, const Communicator& comm,
                                 std::span<const std::uint64_t> blocks) {
  if (config.communication.collective == CollectiveKind::kAuto && !config.resumeFrom.empty()) {
    const auto stored = readCheckpointIdentityValue(config.resumeFrom, comm, kResolvedCollective);
    // A checkpoint without the value is another run's; readCheckpoint names the difference.
    if (stored) {
      const auto found = std::ranges::find(kCollectives, *stored, &Choice<CollectiveKind>::word);
      if (found != kCollectives.end()) return resumedChoice(found->value);
    }
  }
  return chooseCollective(config.compression, config.communication, comm, blocks,
                          config.optimizer.seed);
}

void addChoiceAttributes(const CollectiveChoice& choice,
                         std::vector<std::pair<std::string, AttributeValue>>& attributes) {
  if (!choice.automatic) return;
  attributes.emplace_back(kResolvedCollective, wordOf(kCollectives, choice.kind));
  if (choice.resumed) return;
  const CollectiveCosts& costs = choice.calibration.costs;
  attributes.emplace_back("collective_costs",
                          std::string(choice.calibration.measured ? "measured" : "configured"));
  attributes.emplace_back("calibration_s", choice.calibration.seconds);
  attributes.emplace_back("cost_alpha_s", costs.alpha);
  attributes.emplace_back("cost_beta_s_per_byte", costs.betaPerByte);
  attributes.emplace_back("cost_encode_s_per_pair", costs.encodePerPair);
  attributes.emplace_back("cost_decode_s_per_pair", costs.decodePerPair);
  attributes.emplace_back("cost_apply_s_per_pair", costs.applyPerPair);
  attributes.emplace_back("cost_dense_s_per_coordinate", costs.densePerCoordinate);
  for (const CollectiveEstimate& estimate : choice.estimates) {
    const std::string word = wordOf(kCollectives, estimate.kind);
    attributes.emplace_back("predicted_s_per_step_" + word, estimate.seconds);
    if (!estimate.refusal.empty()) attributes.emplace_back("refused_" + word, estimate.refusal);
  }
}

void addChoiceIdentity(const CollectiveChoice& choice, CheckpointIdentity& identity) {
  if (choice.automatic)
    identity.emplace_back(kResolvedCollective, wordOf(kCollectives, choice.kind));
}

#define MEMSGD_INSTANTIATE_RUN_IDENTITY(Scalar)                                                   \
  template std::optional<double> readOptimum(const RunConfig&, const Communicator&,               \
                                             const ShardedData<Scalar>&,                          \
                                             const ResolvedHyperParameters&);                     \
  template std::vector<std::pair<std::string, AttributeValue>> runAttributes(                     \
      const RunConfig&, const Communicator&, const ShardedData<Scalar>&, std::uint64_t,           \
      const ResolvedHyperParameters&, const std::optional<double>&);                              \
  template CheckpointIdentity checkpointIdentity(const RunConfig&, std::uint64_t,                 \
                                                 const Communicator&, const ShardedData<Scalar>&, \
                                                 std::uint64_t, const std::optional<double>&);
MEMSGD_INSTANTIATE_RUN_IDENTITY(float)
MEMSGD_INSTANTIATE_RUN_IDENTITY(double)
#undef MEMSGD_INSTANTIATE_RUN_IDENTITY

}  // namespace memsgd
