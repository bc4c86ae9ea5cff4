// Every configs/fashion_mnist/*.ini (the MLP experiments of README's Fashion-MNIST table) parses,
// differs from the dense-SGD reference sgd.ini only in what its name says it compares, and holds
// that setting.
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
