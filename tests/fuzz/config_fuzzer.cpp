// libFuzzer target for the configuration parser. The input is used twice:
//   1. as an INI file, `memsgd-train INPUT.ini`, next to existing data files that its keys may
//      name (train.svm, test.svm, data/a9a.bz2, data/a9a.t.bz2 as in configs/quickstart.ini);
//   2. split at whitespace into command-line tokens, `memsgd-train TOKEN...`, once as they are and
//      once after --data.train=<existing file>, so that validation past the data keys is reached.
// ConfigError is the parser's answer to bad input; any other exception or a crash is a bug.
//   config_fuzzer -dict=tests/fuzz/config.dict tests/fuzz/corpus/config
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "fuzz_file.hpp"
#include "memsgd/cli/options.hpp"
#include "memsgd/core/error.hpp"

namespace {

// Properties of every configuration parseCommandLine returns.
void checkConfig(const memsgd::RunConfig& config) {
  MEMSGD_FUZZ_CHECK(!config.data.train.empty());
  MEMSGD_FUZZ_CHECK(std::filesystem::is_regular_file(config.data.train));
  MEMSGD_FUZZ_CHECK(config.data.test.empty() || std::filesystem::is_regular_file(config.data.test));
  MEMSGD_FUZZ_CHECK(!config.model.lambda ||
                    (std::isfinite(*config.model.lambda) && *config.model.lambda > 0));
  MEMSGD_FUZZ_CHECK(std::isfinite(config.optimizer.epochs) && config.optimizer.epochs > 0);
  MEMSGD_FUZZ_CHECK(config.optimizer.batchSize >= 1);
  MEMSGD_FUZZ_CHECK(std::isfinite(config.optimizer.gamma) && config.optimizer.gamma > 0);
  MEMSGD_FUZZ_CHECK(!config.optimizer.offset || *config.optimizer.offset >= 0);
  MEMSGD_FUZZ_CHECK(std::isfinite(config.optimizer.constantRate) &&
                    config.optimizer.constantRate > 0);
  MEMSGD_FUZZ_CHECK(config.compression.k >= 1);
  MEMSGD_FUZZ_CHECK(!config.compression.method.empty());
  MEMSGD_FUZZ_CHECK(!config.log.output.empty());
  MEMSGD_FUZZ_CHECK(!config.log.evalEvery || *config.log.evalEvery >= 1);
  MEMSGD_FUZZ_CHECK(!config.resolved.empty());
}

void parse(const std::vector<std::string>& arguments) {
  std::vector<const char*> argv;
  argv.reserve(arguments.size() + 1);
  for (const std::string& argument : arguments) argv.push_back(argument.c_str());
  argv.push_back(nullptr);  // argv[argc] is null in a real main
  std::ostream nowhere(nullptr);
  try {
    const std::optional<memsgd::RunConfig> config =
        memsgd::parseCommandLine(static_cast<int>(arguments.size()), argv.data(), nowhere);
    if (config) checkConfig(*config);
  } catch (const memsgd::ConfigError&) {
  }
}

struct Scratch {
  memsgd::fuzz::ScratchFile ini{"config.ini"};
  memsgd::fuzz::ScratchFile train{"train.svm"};
  memsgd::fuzz::ScratchFile test{"test.svm"};
  std::string dataFolder = memsgd::fuzz::scratchFolder() + "/data";
  std::optional<memsgd::fuzz::ScratchFile> a9a, a9aTest;

  Scratch() {
    const std::string rows = "+1 1:0.5 3:1\n-1 2:0.25 7:1\n+1 4:1\n-1 1:1 5:0.5\n";
    train.write(rows.data(), rows.size());
    test.write(rows.data(), rows.size());
    std::filesystem::create_directory(dataFolder);
    a9a.emplace("data/a9a.bz2");
    a9aTest.emplace("data/a9a.t.bz2");
  }
  ~Scratch() {
    a9a.reset();
    a9aTest.reset();
    std::filesystem::remove(dataFolder);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Scratch scratch;
  scratch.ini.write(data, size);
  parse({"memsgd-train", scratch.ini.path()});

  std::vector<std::string> tokens{"memsgd-train"};
  const std::string text(reinterpret_cast<const char*>(data), size);
  const char* const separators = " \t\n\r\v\f";
  for (std::size_t begin = text.find_first_not_of(separators); begin != std::string::npos;) {
    const std::size_t end = text.find_first_of(separators, begin);
    tokens.push_back(text.substr(begin, end - begin));
    begin = end == std::string::npos ? end : text.find_first_not_of(separators, end);
  }
  parse(tokens);
  tokens.insert(tokens.begin() + 1, "--data.train=" + scratch.train.path());
  parse(tokens);
  return 0;
}
