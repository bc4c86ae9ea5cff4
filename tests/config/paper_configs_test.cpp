// Every configs/paper/*.ini (one per curve of the paper's figures, run by launch/paper.sh) parses,
// validates, and holds the settings its name and experiment promise.
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

}  // namespace
}  // namespace memsgd
