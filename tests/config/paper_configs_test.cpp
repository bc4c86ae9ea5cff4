// Every configs/paper/*.ini (one per curve of the paper's figures, run by launch/paper.sh) parses,
// validates, and holds the settings its name and experiment promise; every
// configs/fashion_mnist/*.ini (README's MLP table) differs from its dense-SGD reference sgd.ini
// only in what its name says it compares.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "memsgd/cli/options.hpp"
#include "test_paths.hpp"

namespace memsgd {
namespace {

namespace fs = std::filesystem;

RunConfig parse(const std::string& path) {
  const std::vector<const char*> argv{"memsgd-train", path.c_str()};
  std::ostream nowhere(nullptr);
  return *parseCommandLine(static_cast<int>(argv.size()), argv.data(), nowhere);
}

// "<experiment>_<data>_<curve>": the curve's compressor, k and memory (QSGD: its levels).
struct Curve {
  std::string method;
  unsigned k = 0;  // 0: not checked (SGD, QSGD)
  bool memory = true;
  unsigned levels = 0;
};

const std::map<std::string, Curve> kCurves = {
    {"sgd", {"none", 0, false}},
    {"top_1", {"top_k", 1}},
    {"top_10", {"top_k", 10}},
    {"rand_1", {"rand_k", 1}},
    {"rand_2", {"rand_k", 2}},
    {"rand_3", {"rand_k", 3}},
    {"rand_10", {"rand_k", 10}},
    {"rand_20", {"rand_k", 20}},
    {"rand_30", {"rand_k", 30}},
    {"top_1_no_memory", {"top_k", 1, false}},
    {"top_10_no_memory", {"top_k", 10, false}},
    {"qsgd_2bit", {"qsgd", 0, false, 4}},
    {"qsgd_4bit", {"qsgd", 0, false, 16}},
    {"qsgd_8bit", {"qsgd", 0, false, 256}},
};

TEST(PaperConfigs, EveryConfigParsesWithItsExperimentsSettings) {
  std::map<std::string, int> perExperiment;
  for (const auto& entry : fs::directory_iterator(test::sourcePath("configs/paper"))) {
    if (entry.path().extension() != ".ini") continue;
    const std::string stem = entry.path().stem().string();
    SCOPED_TRACE(entry.path().string());
    const RunConfig config = parse(entry.path().string());
    const std::string experiment = stem.substr(0, stem.find('_'));
    const std::string rest = stem.substr(experiment.size() + 1);
    const std::string data = rest.substr(0, rest.find('_'));
    const std::string curveName = rest.substr(data.size() + 1);
    ++perExperiment[experiment];

    EXPECT_EQ(config.log.output, "runs/paper/" + stem + ".h5");
    EXPECT_EQ(config.data.normalize, Normalization::kL2);
    EXPECT_FALSE(config.model.lambda.has_value());
    EXPECT_DOUBLE_EQ(config.optimizer.epochs, 3.0);
    if (data == "w8a") {
      EXPECT_EQ(config.data.train, test::sourcePath("configs/data/w8a.bz2"));
    } else {
      EXPECT_EQ(config.data.train, "synthetic:" + data);
      EXPECT_EQ(config.data.test, config.data.train);  // a held-out split for test accuracy
    }

    if (experiment == "bits") {
      EXPECT_EQ(config.optimizer.schedule, Schedule::kBottou);
      EXPECT_EQ(config.optimizer.averaging, Averaging::kUniform);
    } else {
      ASSERT_TRUE(experiment == "theory" || experiment == "scaling") << experiment;
      EXPECT_EQ(config.optimizer.schedule, Schedule::kDecay);
      EXPECT_DOUBLE_EQ(config.optimizer.gamma, 2.0);
      EXPECT_EQ(config.optimizer.averaging, Averaging::kWeighted);
      // a = d/k, except on rcv1 where the paper took a = 10 d/k (d = 47236; SGD: a = 10).
      if (data == "rcv1") {
        ASSERT_TRUE(config.optimizer.offset.has_value());
        const double k = config.compression.method == "none" ? 47236.0 : config.compression.k;
        EXPECT_NEAR(*config.optimizer.offset, 10.0 * 47236.0 / k, 1.0);
      } else {
        EXPECT_FALSE(config.optimizer.offset.has_value());
      }
    }

    const auto curve = kCurves.find(curveName);
    ASSERT_NE(curve, kCurves.end()) << "unknown curve " << curveName;
    EXPECT_EQ(config.compression.method, curve->second.method);
    if (curve->second.k > 0) {
      EXPECT_EQ(config.compression.k, curve->second.k);
    }
    if (curve->second.method != "none") {
      EXPECT_EQ(config.compression.memory, curve->second.memory);
    }
    if (curve->second.levels > 0) {
      EXPECT_EQ(config.compression.levels, curve->second.levels);
    }
  }
  // theory and bits: 6 curves each on epsilon, rcv1 and w8a; scaling: SGD, top-1.
  EXPECT_EQ(perExperiment,
            (std::map<std::string, int>{{"bits", 18}, {"scaling", 2}, {"theory", 18}}));
}

// What a config compares: the keys it may change against sgd.ini, and their values.
const std::map<std::string, std::map<std::string, std::string>> kCompared = {
    {"sgd", {}},
    {"sgd_momentum", {{"optimizer.rate", "0.01"}, {"optimizer.momentum", "0.9"}}},
    {"top_k",
     {{"compression.method", "top_k"}, {"compression.k", "1%"}, {"compression.memory", "true"}}},
    {"top_k_no_memory",
     {{"compression.method", "top_k"}, {"compression.k", "1%"}, {"compression.memory", "false"}}},
    {"top_k_01pct",
     {{"compression.method", "top_k"}, {"compression.k", "0.1%"}, {"compression.memory", "true"}}},
    {"top_k_01pct_no_memory",
     {{"compression.method", "top_k"}, {"compression.k", "0.1%"}, {"compression.memory", "false"}}},
    {"top_k_momentum",
     {{"compression.method", "top_k"},
      {"compression.k", "1%"},
      {"compression.memory", "true"},
      {"optimizer.rate", "0.01"},
      {"optimizer.momentum", "0.9"}}},
    {"rand_k",
     {{"compression.method", "rand_k"}, {"compression.k", "1%"}, {"compression.memory", "true"}}},
    {"scaled_sign", {{"compression.method", "scaled_sign"}, {"compression.memory", "true"}}},
    {"qsgd",
     {{"compression.method", "qsgd"},
      {"compression.levels", "16"},
      {"compression.memory", "false"}}},
};

std::map<std::string, std::string> resolvedKeys(const RunConfig& config) {
  return {config.resolved.begin(), config.resolved.end()};
}

TEST(FashionMnistConfigs, EachDiffersFromDenseSgdOnlyInWhatItCompares) {
  const std::string folder = test::sourcePath("configs/fashion_mnist");
  const RunConfig reference = parse(folder + "/sgd.ini");
  EXPECT_EQ(reference.model.type, "mlp");
  EXPECT_EQ(reference.model.hidden, (std::vector<std::uint64_t>{256}));
  EXPECT_EQ(reference.compression.method, "none");
  const std::map<std::string, std::string> base = resolvedKeys(reference);
  int count = 0;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().extension() != ".ini") continue;
    const std::string stem = entry.path().stem().string();
    SCOPED_TRACE(entry.path().string());
    ++count;
    const auto compared = kCompared.find(stem);
    ASSERT_NE(compared, kCompared.end()) << "a config that README's table does not list";
    const RunConfig config = parse(entry.path().string());
    EXPECT_EQ(config.log.output, "runs/fashion_mnist/" + stem + ".h5");
    for (const auto& [key, value] : resolvedKeys(config)) {
      if (key == "log.output") continue;
      const auto changed = compared->second.find(key);
      if (changed != compared->second.end()) {
        EXPECT_EQ(value, changed->second) << key;
      } else {
        EXPECT_EQ(value, base.at(key)) << key << " differs from sgd.ini";
      }
    }
  }
  EXPECT_EQ(count, static_cast<int>(kCompared.size()));
}

}  // namespace
}  // namespace memsgd
