#include "memsgd/cli/options.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "memsgd/compress/compressor_factory.hpp"
#include "memsgd/config/choices.hpp"
#include "memsgd/core/error.hpp"
#include "test_paths.hpp"

namespace memsgd {
namespace {

namespace fs = std::filesystem;

// Every key with its default text ("" for the data paths, which have none), in the order of
// RunConfig::resolved. Written out here so that a dropped or renamed key fails the tests.
const std::vector<std::pair<std::string, std::string>> kKeysWithDefaults = {
    {"data.train", ""},
    {"data.train_labels", ""},
    {"data.test", ""},
    {"data.test_labels", ""},
    {"data.format", "auto"},
    {"data.label_column", "0"},
    {"data.header", "auto"},
    {"data.dim", "0"},
    {"data.rows", "0"},
    {"data.normalize", "none"},
    {"data.layout", "auto"},
    {"model.type", "logistic"},
    {"model.lambda", "auto"},
    {"model.hidden", "256"},
    {"model.optimum", ""},
    {"model.precision", "double"},
    {"optimizer.epochs", "1"},
    {"optimizer.batch_size", "1"},
    {"optimizer.schedule", "decay"},
    {"optimizer.gamma", "2"},
    {"optimizer.offset", "auto"},
    {"optimizer.rate", "0.1"},
    {"optimizer.rate_decay", "0.1"},
    {"optimizer.rate_every", "10"},
    {"optimizer.momentum", "0"},
    {"optimizer.averaging", "weighted"},
    {"optimizer.seed", "1"},
    {"compression.method", "top_k"},
    {"compression.k", "1"},
    {"compression.memory", "auto"},
    {"compression.levels", "16"},
    {"compression.qsgd_encoding", "auto"},
    {"compression.threshold", "0"},
    {"compression.sample_size", "1000"},
    {"compression.warmup_steps", "0"},
    {"compression.scope", "global"},
    {"communication.aggregation", "sum"},
    {"communication.value_type", "fp32"},
    {"communication.index_encoding", "raw"},
    {"communication.collective", "allgather"},
    {"communication.timeout_s", "300"},
    {"communication.alpha_s", "auto"},
    {"communication.beta_s_per_byte", "auto"},
    {"communication.encode_s_per_pair", "auto"},
    {"communication.decode_s_per_pair", "auto"},
    {"communication.apply_s_per_pair", "auto"},
    {"communication.dense_s_per_coordinate", "auto"},
    {"communication.mode", "sync"},
    {"log.output", "run.h5"},
    {"log.eval_every", "auto"},
    {"log.overwrite", "false"},
    {"log.quiet", "false"},
    {"log.checkpoint_every", "0"},
    {"log.trace_steps", "false"},
    {"log.checkpoint", "auto"},
    {"log.divergence_factor", "10"},
};

std::optional<RunConfig> parse(const std::vector<std::string>& arguments, std::ostream& help) {
  std::vector<const char*> argv{"memsgd-train"};
  for (const auto& argument : arguments) argv.push_back(argument.c_str());
  return parseCommandLine(static_cast<int>(argv.size()), argv.data(), help);
}

RunConfig parse(const std::vector<std::string>& arguments) {
  std::ostringstream help;
  return parse(arguments, help).value();
}

std::string joined(const std::vector<std::string>& arguments) {
  std::string text;
  for (const auto& argument : arguments) text += " " + argument;
  return text;
}

// Expects a ConfigError whose message contains every fragment; returns the message.
std::string expectConfigError(const std::vector<std::string>& arguments,
                              const std::vector<std::string>& fragments) {
  try {
    parse(arguments);
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    for (const auto& fragment : fragments) {
      EXPECT_NE(message.find(fragment), std::string::npos)
          << "'" << fragment << "' missing from: " << message;
    }
    return message;
  }
  ADD_FAILURE() << "no ConfigError for:" << joined(arguments);
  return {};
}

std::string resolvedValue(const RunConfig& config, const std::string& key) {
  for (const auto& [name, text] : config.resolved) {
    if (name == key) return text;
  }
  ADD_FAILURE() << key << " missing from RunConfig::resolved";
  return {};
}

// Restores the working directory a test changes.
class WorkingDirectory {
 public:
  explicit WorkingDirectory(const fs::path& path) : previous_(fs::current_path()) {
    fs::current_path(path);
  }
  ~WorkingDirectory() {
    std::error_code ignored;
    fs::current_path(previous_, ignored);
  }
  WorkingDirectory(const WorkingDirectory&) = delete;
  WorkingDirectory& operator=(const WorkingDirectory&) = delete;

 private:
  fs::path previous_;
};

// Each test gets its own folder holding data/train.txt and whatever config files it writes.
class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int nextFolder = 0;
    dir_ = fs::temp_directory_path() / ("memsgd_config_test_" + std::to_string(::getpid()) + "_" +
                                        std::to_string(nextFolder++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    trainFile_ = writeFile("data/train.txt", "+1 1:0.5\n-1 2:1\n");
  }

  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  std::string writeFile(const std::string& relative, const std::string& content) const {
    const fs::path path = dir_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << content;
    return path.string();
  }

  // A config naming the folder's training file, followed by `extra`.
  [[nodiscard]] std::string writeConfig(const std::string& extra) const {
    return writeFile("run.ini", "[data]\ntrain = data/train.txt\n" + extra);
  }

  fs::path dir_;
  std::string trainFile_;
};

TEST_F(ConfigTest, CommandLineWinsOverFileWhichWinsOverDefaults) {
  const std::string ini = writeConfig(
      "normalize = l2\n[optimizer]\nepochs = 3\ngamma = 4\n[compression]\nk = 10\nmemory = no\n");
  const RunConfig config = parse({ini, "--compression.k=5", "--optimizer.epochs", "0.5"});
  EXPECT_EQ(config.compression.k, 5U);
  EXPECT_DOUBLE_EQ(config.optimizer.epochs, 0.5);
  EXPECT_DOUBLE_EQ(config.optimizer.gamma, 4.0);
  EXPECT_FALSE(config.compression.memory);
  EXPECT_EQ(config.data.normalize, Normalization::kL2);
  EXPECT_EQ(config.optimizer.batchSize, 1U);
  EXPECT_EQ(config.compression.method, "top_k");
  EXPECT_EQ(resolvedValue(config, "compression.k"), "5");
  EXPECT_EQ(resolvedValue(config, "optimizer.epochs"), "0.5");
}

TEST_F(ConfigTest, ConfigOptionEqualsPositionalArgument) {
  const std::string ini = writeConfig("[compression]\nk = 7\n");
  const RunConfig positional = parse({ini});
  const RunConfig named = parse({"--config", ini});
  EXPECT_EQ(named.compression.k, 7U);
  EXPECT_EQ(named.configFile, ini);
  EXPECT_EQ(named.resolved, positional.resolved);
}

TEST_F(ConfigTest, CommandLineAloneNeedsNoConfigFile) {
  const RunConfig config = parse({"--data.train=" + trainFile_, "--compression.method=rand_k"});
  EXPECT_EQ(config.data.train, trainFile_);
  EXPECT_EQ(config.compression.method, "rand_k");
  EXPECT_TRUE(config.configFile.empty());
}

TEST_F(ConfigTest, ReadsEveryKeyIntoItsField) {
  const std::string test = writeFile("data/test.txt", "+1 1:1\n");
  const std::string ini = writeConfig(
      "test = data/test.txt\ndim = 300\n"
      "[model]\ntype = mlp\nlambda = 0.25\nhidden = 300,20,7\nprecision = float\n"
      "[optimizer]\nepochs = 2.5\nbatch_size = 8\nschedule = constant\ngamma = 3\noffset = 0\n"
      "rate = 0.05\naveraging = last\nseed = 18446744073709551615\n"
      "[compression]\nmethod = top_k\nk = 4\nmemory = 0\nscope = layer\n"
      "[communication]\naggregation = mean\nvalue_type = fp64\ntimeout_s = 2.5\n"
      "collective = split_allgather\n"
      "[log]\noutput = out/r.h5\neval_every = 1000\noverwrite = yes\nquiet = 1\n");
  const RunConfig config = parse({ini});
  EXPECT_EQ(config.data.test, test);
  EXPECT_EQ(config.data.dim, 300U);
  EXPECT_EQ(config.model.lambda, 0.25);
  EXPECT_EQ(config.model.type, "mlp");
  EXPECT_EQ(config.model.hidden, (std::vector<std::uint64_t>{300, 20, 7}));
  EXPECT_EQ(config.model.precision, Precision::kFloat);
  EXPECT_DOUBLE_EQ(config.optimizer.epochs, 2.5);
  EXPECT_EQ(config.optimizer.batchSize, 8U);
  EXPECT_EQ(config.optimizer.schedule, Schedule::kConstant);
  EXPECT_DOUBLE_EQ(config.optimizer.gamma, 3.0);
  EXPECT_EQ(config.optimizer.offset, 0.0);  // allowed when the schedule is not decay
  EXPECT_DOUBLE_EQ(config.optimizer.constantRate, 0.05);
  EXPECT_EQ(config.optimizer.averaging, Averaging::kLast);
  EXPECT_EQ(config.optimizer.seed, 18446744073709551615ULL);
  EXPECT_EQ(config.compression.method, "top_k");
  EXPECT_EQ(config.compression.k, 4U);
  EXPECT_FALSE(config.compression.memory);
  EXPECT_EQ(config.compression.scope, CompressionScope::kLayer);
  EXPECT_EQ(config.communication.aggregation, Aggregation::kMean);
  EXPECT_EQ(config.communication.valueType, ValueType::kFloat64);
  EXPECT_DOUBLE_EQ(config.communication.timeoutSeconds, 2.5);
  EXPECT_EQ(config.communication.collective, CollectiveKind::kSplitAllgather);
  EXPECT_EQ(config.log.output, "out/r.h5");
  EXPECT_EQ(config.log.evalEvery, 1000U);
  EXPECT_TRUE(config.log.overwrite);
  EXPECT_TRUE(config.log.quiet);
}

// toString(Normalization) is the word data.normalize accepts and records (the optimum file's
// identity spells the setting with it), for every value.
TEST_F(ConfigTest, NormalizationNamesAreTheWordsTheKeyAccepts) {
  for (const auto normalization : {Normalization::kNone, Normalization::kL2}) {
    const std::string word = toString(normalization);
    const RunConfig config = parse({"--data.train=" + trainFile_, "--data.normalize=" + word});
    EXPECT_EQ(config.data.normalize, normalization) << word;
    EXPECT_EQ(resolvedValue(config, "data.normalize"), word);
  }
}

TEST_F(ConfigTest, AutoLeavesDerivedValuesUnset) {
  const RunConfig config = parse({writeConfig("[model]\nlambda = auto\n")});
  EXPECT_FALSE(config.model.lambda.has_value());
  EXPECT_FALSE(config.optimizer.offset.has_value());
  EXPECT_FALSE(config.log.evalEvery.has_value());
}

TEST_F(ConfigTest, EmptyTestOnCommandLineDropsTheFilesTestSet) {
  writeFile("data/test.txt", "+1 1:1\n");
  const std::string ini = writeConfig("test = data/test.txt\n");
  EXPECT_FALSE(parse({ini}).data.test.empty());
  EXPECT_TRUE(parse({ini, "--data.test", ""}).data.test.empty());
  EXPECT_TRUE(parse({ini, "--data.test="}).data.test.empty());
}

TEST(ShippedConfigs, EveryConfigParsesWithThePaperSettings) {
  int count = 0;
  int otherModels = 0;
  for (const auto& entry : fs::directory_iterator(test::sourcePath("configs"))) {
    if (entry.path().extension() != ".ini") continue;
    const std::string stem = entry.path().stem().string();
    SCOPED_TRACE(entry.path().string());
    const RunConfig config = parse({entry.path().string()});
    EXPECT_EQ(config.log.output, "runs/" + stem + ".h5");
    // The paper's settings are for its model; a config of another one starts with its data's name
    // and ends with the model's.
    if (config.model.type != "logistic") {
      ++otherModels;
      EXPECT_TRUE(stem.ends_with("_" + config.model.type));
      continue;
    }
    ++count;
    EXPECT_EQ(config.data.normalize, Normalization::kL2);
    EXPECT_FALSE(config.model.lambda.has_value());
    EXPECT_EQ(config.optimizer.schedule, Schedule::kDecay);
    EXPECT_DOUBLE_EQ(config.optimizer.gamma, 2.0);
    EXPECT_FALSE(config.optimizer.offset.has_value());
    EXPECT_EQ(config.optimizer.averaging, Averaging::kWeighted);
    EXPECT_DOUBLE_EQ(config.optimizer.epochs, 3.0);
    // "<dataset>_<method>[_no_memory]", with "sgd" for method none; quickstart is top_k.
    std::string method = stem == "quickstart" ? "top_k" : stem.substr(stem.find('_') + 1);
    const bool noMemory = method.ends_with("_no_memory");
    if (noMemory) method.resize(method.size() - std::string_view("_no_memory").size());
    if (method == "sgd") method = "none";
    EXPECT_EQ(config.compression.method, method);
    if (method == "top_k" || method == "rand_k") {
      EXPECT_EQ(config.compression.k, 1U);
    }
    // The unbiased compressors run without memory, as their papers do.
    const bool unbiased = method == "qsgd" || method == "rand_k_unbiased";
    if (method != "none") {
      EXPECT_EQ(config.compression.memory, !noMemory && !unbiased);
    }
    EXPECT_EQ(config.data.test.empty(), stem.starts_with("w8a"));  // only a9a ships a test split
  }
  // quickstart + {a9a, w8a} x {sgd, top_k, rand_k, top_k_no_memory, qsgd, scaled_sign,
  // rand_k_unbiased, threshold, approx_top_k}
  EXPECT_EQ(count, 19);
  EXPECT_EQ(otherModels, 2);  // diabetes_least_squares, digits_softmax
}

TEST_F(ConfigTest, FileDataPathsAreRelativeToTheFileFromAnyWorkingDirectory) {
  const WorkingDirectory cwd(dir_);
  const RunConfig config = parse({test::sourcePath("configs/quickstart.ini")});
  EXPECT_EQ(config.data.train, test::sourcePath("configs/data/a9a.bz2"));
  EXPECT_EQ(config.data.test, test::sourcePath("configs/data/a9a.t.bz2"));
  EXPECT_EQ(config.log.output, "runs/quickstart.h5");  // the working directory's, not the file's
  EXPECT_EQ(resolvedValue(config, "data.train"), config.data.train);
}

TEST_F(ConfigTest, RelativeConfigPathAndCommandLinePaths) {
  writeFile("sub/data/train.txt", "+1 1:1\n");
  writeFile("sub/run.ini", "[data]\ntrain = data/train.txt\n[log]\noutput = out.h5\n");
  const WorkingDirectory cwd(dir_);
  const RunConfig fromFile = parse({"sub/run.ini"});
  EXPECT_EQ(fromFile.data.train, "sub/data/train.txt");
  EXPECT_EQ(fromFile.log.output, "out.h5");
  EXPECT_EQ(fromFile.configFile, "sub/run.ini");
  // The same text on the command line names dir_/data/train.txt, relative to the working directory.
  const RunConfig fromCommandLine = parse({"sub/run.ini", "--data.train=data/train.txt"});
  EXPECT_EQ(fromCommandLine.data.train, "data/train.txt");
}

TEST_F(ConfigTest, AbsoluteDataPathsStayAsTheyAre) {
  fs::create_directories(dir_ / "elsewhere");
  const std::string ini = writeFile("elsewhere/run.ini", "[data]\ntrain = " + trainFile_ + "\n");
  EXPECT_EQ(parse({ini}).data.train, trainFile_);
}

TEST_F(ConfigTest, UnknownKeyInFileNamesKeyAndFile) {
  const std::string ini = writeConfig("[compression]\nkk = 3\n");
  expectConfigError({ini}, {ini, "compression.kk"});
}

TEST_F(ConfigTest, UnknownSectionInFileIsAnError) {
  const std::string ini = writeConfig("[solver]\nepochs = 3\n");
  expectConfigError({ini}, {ini, "solver.epochs"});
}

TEST_F(ConfigTest, UnknownKeyOnCommandLineNamesKeyAndCommandLine) {
  expectConfigError({writeConfig(""), "--compression.kk=3"}, {"command line", "compression.kk"});
}

TEST_F(ConfigTest, KeyPrefixesAreNotGuessed) {
  expectConfigError({writeConfig(""), "--compression.memo=false"},
                    {"command line", "compression.memo"});
}

TEST_F(ConfigTest, ConfigOnlyKeysAreNotAcceptedInTheFile) {
  const std::string ini = writeConfig("help = 1\n");
  expectConfigError({ini}, {ini, "help"});
}

TEST_F(ConfigTest, MessageNamesFileKeyValueAndAllowedRange) {
  const std::string ini = writeConfig("[compression]\nk = 0\n");
  EXPECT_EQ(expectConfigError({ini}, {}), ini + ": compression.k = 0: must be >= 1");
}

TEST_F(ConfigTest, HiddenLayersAreRefusedForAModelWithout) {
  const std::string ini = writeConfig("[model]\nhidden = 64\n");
  expectConfigError({ini}, {ini, "model.hidden = 64", "only model.type = mlp", "logistic"});
  EXPECT_EQ(parse({ini, "--model.type=mlp"}).model.hidden, std::vector<std::uint64_t>{64});
}

// The cost model's constants are read for collective = auto, "auto" each (measured) by default,
// and refused with a fixed collective, which would ignore them.
TEST_F(ConfigTest, CostConstantsBelongToTheAutoCollective) {
  const std::string ini = writeConfig("[communication]\ncollective = auto\nalpha_s = 2e-6\n");
  const RunConfig config = parse({ini, "--communication.dense_s_per_coordinate=0"});
  EXPECT_EQ(config.communication.collective, CollectiveKind::kAuto);
  EXPECT_EQ(config.communication.alphaSeconds, 2e-6);
  EXPECT_EQ(config.communication.denseSecondsPerCoordinate, 0.0);
  EXPECT_FALSE(config.communication.betaSecondsPerByte.has_value());
  expectConfigError({ini, "--communication.collective=dense"},
                    {ini, "communication.alpha_s = 2e-6", "only communication.collective = auto",
                     "communication.collective = dense"});
  expectConfigError({ini, "--communication.decode_s_per_pair=-1"},
                    {"communication.decode_s_per_pair = -1", "must be >= 0"});
}

TEST_F(ConfigTest, DecayScheduleRejectsZeroOffset) {
  const std::string ini = writeConfig("[optimizer]\noffset = 0\n");
  expectConfigError({ini}, {ini, "optimizer.offset = 0", "decay"});
  EXPECT_EQ(parse({ini, "--optimizer.schedule=bottou"}).optimizer.offset, 0.0);
}

// A key, a value it must refuse, and a fragment of what the message says is allowed.
struct InvalidValue {
  std::string key;
  std::string value;
  std::string allowed;
};

void PrintTo(const InvalidValue& invalid, std::ostream* out) {
  *out << invalid.key << " = " << invalid.value;
}

class InvalidValueTest : public ConfigTest, public ::testing::WithParamInterface<InvalidValue> {};

TEST_P(InvalidValueTest, InFileNamesFileKeyValueAndWhatIsAllowed) {
  const InvalidValue& invalid = GetParam();
  const auto dot = invalid.key.find('.');
  const std::string ini = writeConfig("[" + invalid.key.substr(0, dot) + "]\n" +
                                      invalid.key.substr(dot + 1) + " = " + invalid.value + "\n");
  expectConfigError({ini},
                    {ini + ": " + invalid.key + " = " + invalid.value + ": ", invalid.allowed});
}

TEST_P(InvalidValueTest, OnCommandLineNamesCommandLineKeyValueAndWhatIsAllowed) {
  const InvalidValue& invalid = GetParam();
  expectConfigError(
      {writeConfig(""), "--" + invalid.key, invalid.value},
      {"command line: " + invalid.key + " = " + invalid.value + ": ", invalid.allowed});
}

INSTANTIATE_TEST_SUITE_P(BadType, InvalidValueTest,
                         ::testing::Values(InvalidValue{"compression.k", "abc", "integer >= 1"},
                                           InvalidValue{"compression.k", "2.5", "integer >= 1"},
                                           InvalidValue{"data.dim", "many", "integer >= 0"},
                                           InvalidValue{"optimizer.seed", "-1", "integer >= 0"},
                                           InvalidValue{"optimizer.gamma", "fast", "finite number"},
                                           InvalidValue{"model.lambda", "1e-3x", "finite number"},
                                           InvalidValue{"optimizer.epochs", "inf", "finite number"},
                                           InvalidValue{"log.eval_every", "often", "integer >= 1"},
                                           InvalidValue{"log.quiet", "maybe",
                                                        "true|false|yes|no|1|0"}));

INSTANTIATE_TEST_SUITE_P(
    OutOfRange, InvalidValueTest,
    ::testing::Values(InvalidValue{"compression.k", "0", "must be >= 1"},
                      InvalidValue{"optimizer.batch_size", "0", "must be >= 1"},
                      InvalidValue{"optimizer.batch_size", "4294967296", "must be <= 4294967295"},
                      InvalidValue{"log.eval_every", "0", "must be >= 1"},
                      InvalidValue{"optimizer.epochs", "0", "must be > 0"},
                      InvalidValue{"optimizer.epochs", "-2", "must be > 0"},
                      InvalidValue{"optimizer.gamma", "-1", "must be > 0"},
                      InvalidValue{"optimizer.rate", "-0.1", "must be > 0"},
                      InvalidValue{"model.lambda", "0", "must be > 0"},
                      InvalidValue{"compression.scope", "tensor", "global|layer"},
                      InvalidValue{"model.hidden", "256,0", "widths > 0 separated by commas"},
                      InvalidValue{"model.hidden", "256,", "widths > 0 separated by commas"},
                      InvalidValue{"model.hidden", ",128", "widths > 0 separated by commas"},
                      InvalidValue{"model.hidden", "256 128", "widths > 0 separated by commas"},
                      InvalidValue{"model.hidden", "-5", "widths > 0 separated by commas"},
                      InvalidValue{"model.hidden", "", "widths > 0 separated by commas"},
                      InvalidValue{"optimizer.offset", "-1", "must be >= 0"},
                      InvalidValue{"optimizer.offset", "0", "optimizer.schedule = decay"},
                      InvalidValue{"data.normalize", "l1", "none|l2"},
                      InvalidValue{"optimizer.schedule", "cosine", "decay|bottou|constant"},
                      InvalidValue{"optimizer.averaging", "best", "weighted|uniform|last"},
                      InvalidValue{"compression.method", "powersgd", "none|top_k|rand_k"},
                      InvalidValue{"communication.aggregation", "max", "sum|mean"},
                      InvalidValue{"communication.value_type", "fp8", "fp32|fp64|fp16"},
                      InvalidValue{"model.precision", "half", "double|float"},
                      InvalidValue{"communication.index_encoding", "zip", "raw|varint"},
                      InvalidValue{"communication.collective", "ring",
                                   "allgather|dense|split_allgather"},
                      InvalidValue{"communication.timeout_s", "-1", "must be >= 0"},
                      InvalidValue{"compression.qsgd_encoding", "huffman", "auto|elias|fixed"},
                      InvalidValue{"compression.levels", "0", ">= 1"},
                      InvalidValue{"log.output", "", "must name the run file"},
                      InvalidValue{"compression.k", "0%", "> 0% and <= 100%"},
                      InvalidValue{"compression.k", "100.5%", "> 0% and <= 100%"},
                      InvalidValue{"compression.k", "-1%", "> 0% and <= 100%"},
                      InvalidValue{"compression.k", "%", "> 0% and <= 100%"},
                      InvalidValue{"compression.k", "1%%", "> 0% and <= 100%"},
                      InvalidValue{"compression.k", "one%", "> 0% and <= 100%"},
                      InvalidValue{"compression.memory", "maybe", "true|false"},
                      InvalidValue{"log.divergence_factor", "0.5", "0 (no check) or >= 1"},
                      InvalidValue{"log.divergence_factor", "-1", "must be >= 0"},
                      InvalidValue{"log.divergence_factor", "huge", "finite number"}));

INSTANTIATE_TEST_SUITE_P(
    OptimizerFeatures, InvalidValueTest,
    ::testing::Values(InvalidValue{"optimizer.momentum", "1", "must be >= 0 and < 1"},
                      InvalidValue{"optimizer.momentum", "-0.1", "must be >= 0 and < 1"},
                      InvalidValue{"optimizer.momentum", "fast", "finite number"},
                      InvalidValue{"optimizer.rate_decay", "0", "must be > 0 and <= 1"},
                      InvalidValue{"optimizer.rate_decay", "1.5", "must be > 0 and <= 1"},
                      InvalidValue{"optimizer.rate_every", "0", "must be > 0"},
                      InvalidValue{"optimizer.rate_every", "-3", "must be > 0"},
                      InvalidValue{"compression.warmup_steps", "-1", "integer >= 0"},
                      InvalidValue{"optimizer.schedule", "cosine", "constant|step"}));

TEST_F(ConfigTest, OptimizerFeaturesAreReadAndOffByDefault) {
  const RunConfig defaults = parse({writeConfig("")});
  EXPECT_EQ(defaults.optimizer.momentum, 0.0);
  EXPECT_EQ(defaults.compression.warmupSteps, 0U);
  const RunConfig config =
      parse({writeConfig("[optimizer]\nschedule = step\nrate_decay = 1\nrate_every = 0.5\n"),
             "--optimizer.momentum=0.9", "--compression.warmup_steps=100"});
  EXPECT_EQ(config.optimizer.schedule, Schedule::kStep);
  EXPECT_EQ(config.optimizer.rateDecay, 1.0);
  EXPECT_EQ(config.optimizer.rateEvery, 0.5);
  EXPECT_EQ(config.optimizer.momentum, 0.9);
  EXPECT_EQ(config.compression.warmupSteps, 100U);
}

// Warm-up is a dense step: nothing to warm up for dense SGD, and no fp16 sum for the wire.
TEST_F(ConfigTest, WarmupRefusesDenseSgdAndHalfPrecision) {
  expectConfigError({writeConfig(""), "--compression.warmup_steps=5", "--compression.method=none"},
                    {"command line: compression.warmup_steps = 5: ", "compression.method = none"});
  expectConfigError(
      {writeConfig(""), "--compression.warmup_steps=5", "--communication.value_type=fp16"},
      {"command line: compression.warmup_steps = 5: ", "fp32 or fp64"});
  EXPECT_EQ(parse({writeConfig(""), "--compression.warmup_steps=0", "--compression.method=none"})
                .compression.warmupSteps,
            0U);
}

TEST_F(ConfigTest, MissingTrainingFileNamesKeyAndResolvedPath) {
  const std::string ini = writeFile("run.ini", "[data]\ntrain = data/missing.txt\n");
  expectConfigError({ini},
                    {ini, "data.train", (dir_ / "data/missing.txt").string(), "does not exist"});
}

TEST_F(ConfigTest, MissingTestFileNamesKeyAndResolvedPath) {
  const std::string ini = writeConfig("test = data/missing.txt\n");
  expectConfigError({ini}, {ini, "data.test", (dir_ / "data/missing.txt").string()});
}

TEST_F(ConfigTest, IdxLabelFilesAreRelativeToTheFileAndOnlyForFiles) {
  const std::string labels = writeFile("data/train.labels", "labels");
  const std::string testLabels = writeFile("data/test.labels", "labels");
  writeFile("data/test.txt", "+1 1:1\n");
  const RunConfig config = parse({writeConfig(
      "train_labels = data/train.labels\ntest = data/test.txt\ntest_labels = data/test.labels\n")});
  EXPECT_EQ(config.data.trainLabels, labels);
  EXPECT_EQ(config.data.testLabels, testLabels);
  expectConfigError({writeConfig("train_labels = data/missing\n")},
                    {"data.train_labels", (dir_ / "data/missing").string(), "does not exist"});
  expectConfigError({"--data.train=synthetic:epsilon", "--data.train_labels=" + labels},
                    {"data.train_labels", "a synthetic:NAME source makes its own labels"});
  expectConfigError(
      {writeConfig("test_labels = data/test.labels\n")},
      {"data.test_labels", "labels a test file of IDX images, but data.test = (none)"});
}

TEST_F(ConfigTest, DataPathThatIsAFolderIsRejected) {
  expectConfigError({"--data.train=" + dir_.string()}, {"data.train", "not a regular file"});
}

TEST_F(ConfigTest, TrainingSetIsRequired) {
  const std::string ini = writeFile("run.ini", "[compression]\nk = 2\n");
  expectConfigError({ini}, {"data.train", "required"});
  // The message is built from the key's table entry: its section, name and value name.
  EXPECT_EQ(expectConfigError({}, {}),
            "data.train is required: set train = PATH under [data] or pass --data.train=PATH");
}

TEST_F(ConfigTest, MissingOrFolderConfigFileIsAnError) {
  const std::string missing = (dir_ / "missing.ini").string();
  expectConfigError({missing}, {missing, "does not exist"});
  expectConfigError({dir_.string()}, {dir_.string(), "not a regular file"});
}

TEST_F(ConfigTest, MalformedCommandLinesAreConfigErrors) {
  const std::string ini = writeConfig("");
  expectConfigError({ini, ini}, {"command line"});              // two config files
  expectConfigError({ini, "--config", ini}, {"command line"});  // the same, spelled twice
  expectConfigError({ini, "--compression.k=1", "--compression.k=2"},
                    {"command line", "compression.k"});
  expectConfigError({ini, "--compression.k"}, {"command line", "compression.k"});  // no value
}

TEST_F(ConfigTest, RepeatedKeyInFileIsAnError) {
  const std::string ini = writeConfig("[compression]\nk = 1\nk = 2\n");
  expectConfigError({ini}, {ini, "compression.k"});
}

TEST(Help, ReturnsNothingAndListsEveryKeyWithItsDefault) {
  for (const std::string flag : {"--help", "-h"}) {
    std::ostringstream help;
    EXPECT_FALSE(parse({flag}, help).has_value());
    const std::string text = help.str();
    EXPECT_NE(text.find("Usage: memsgd-train [CONFIG.ini]"), std::string::npos) << text;
    for (const auto& [key, defaultText] : kKeysWithDefaults) {
      // Boost prints "  --key VALUE_NAME (=default)  meaning" on the key's first line.
      const auto start = text.find("  --" + key + " ");
      ASSERT_NE(start, std::string::npos) << key << " missing from:\n" << text;
      const std::string line = text.substr(start, text.find('\n', start) - start);
      if (defaultText.empty()) {
        EXPECT_EQ(line.find("(="), std::string::npos) << line;
      } else {
        EXPECT_NE(line.find("(=" + defaultText + ")"), std::string::npos) << line;
      }
    }
  }
}

TEST_F(ConfigTest, ResolvedHoldsEveryKeyInOrderWithFinalValues) {
  const std::string ini = writeConfig("");
  const RunConfig config = parse({ini, "--optimizer.gamma=3"});
  EXPECT_EQ(config.configFile, ini);
  ASSERT_EQ(config.resolved.size(), kKeysWithDefaults.size());
  for (std::size_t i = 0; i < kKeysWithDefaults.size(); ++i) {
    const auto& [key, defaultText] = kKeysWithDefaults[i];
    EXPECT_EQ(config.resolved[i].first, key);
    if (key == "data.train") {
      EXPECT_EQ(config.resolved[i].second, trainFile_);
    } else if (key == "optimizer.gamma") {
      EXPECT_EQ(config.resolved[i].second, "3");
    } else if (key == "compression.memory") {
      EXPECT_EQ(config.resolved[i].second, "true");  // the value in force for top_k, not "auto"
    } else {
      EXPECT_EQ(config.resolved[i].second, defaultText) << key;
    }
  }
}

// --help and the run file's list come from one declaration of the keys, so they cannot differ.
TEST_F(ConfigTest, HelpListsTheRunFilesKeysInTheSameOrder) {
  std::ostringstream help;
  parse({"--help"}, help);
  std::istringstream lines(help.str());
  std::vector<std::string> helpKeys;
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("  --")) continue;
    const std::string key = line.substr(4, line.find(' ', 4) - 4);
    if (key.find('.') != std::string::npos) helpKeys.push_back(key);
  }
  std::vector<std::string> recordedKeys;
  for (const auto& [key, text] : parse({writeConfig("")}).resolved) recordedKeys.push_back(key);
  EXPECT_EQ(helpKeys, recordedKeys);
  EXPECT_EQ(recordedKeys.size(), kKeysWithDefaults.size());
}

// The literature's choice: memory for the biased operators, none for the unbiased ones.
TEST_F(ConfigTest, MemoryAutoIsOffExactlyForTheUnbiasedCompressors) {
  const std::string ini = writeConfig("[compression]\nthreshold = 0.1\n");
  for (const std::string_view method : compressorNames()) {
    SCOPED_TRACE(method);
    const bool unbiased = method == "qsgd" || method == "rand_k_unbiased";
    EXPECT_EQ(isUnbiased(method), unbiased);
    const RunConfig config = parse({ini, "--compression.method=" + std::string(method)});
    EXPECT_EQ(config.compression.memory, !unbiased);
    EXPECT_EQ(resolvedValue(config, "compression.memory"), unbiased ? "false" : "true");
  }
}

TEST_F(ConfigTest, ExplicitMemoryWinsAndIsRecordedAsTrueOrFalse) {
  const std::string ini = writeConfig("[compression]\nmethod = qsgd\nmemory = yes\n");
  const RunConfig on = parse({ini});
  EXPECT_TRUE(on.compression.memory);
  EXPECT_EQ(resolvedValue(on, "compression.memory"), "true");
  const RunConfig off = parse({ini, "--compression.method=top_k", "--compression.memory=0"});
  EXPECT_FALSE(off.compression.memory);
  EXPECT_EQ(resolvedValue(off, "compression.memory"), "false");
  EXPECT_TRUE(
      parse({ini, "--compression.memory=auto", "--compression.method=top_k"}).compression.memory);
}

TEST_F(ConfigTest, KAsAPercentageOfDIsResolvedUpwardAndAtLeastOne) {
  const RunConfig config = parse({writeConfig(""), "--compression.k=1%"});
  ASSERT_TRUE(config.compression.kPercent.has_value());
  EXPECT_EQ(*config.compression.kPercent, 1.0);
  EXPECT_EQ(resolvedValue(config, "compression.k"), "1%");  // as written; k_resolved is logged
  EXPECT_EQ(resolveK(config.compression, 300), 3U);
  EXPECT_EQ(resolveK(config.compression, 301), 4U);  // rounded up
  EXPECT_EQ(resolveK(config.compression, 7), 1U);    // at least 1
  EXPECT_EQ(resolveK(config.compression, 47236), 473U);
  const RunConfig all = parse({writeConfig(""), "--compression.k=100%"});
  EXPECT_EQ(resolveK(all.compression, 123), 123U);
  // 0.3 and 0.7 are not exact in binary; their percentages of 1000 are still 3 and 7.
  EXPECT_EQ(resolveK(parse({writeConfig(""), "--compression.k=0.3%"}).compression, 1000), 3U);
  EXPECT_EQ(resolveK(parse({writeConfig(""), "--compression.k=0.7%"}).compression, 1000), 7U);
  const RunConfig plain = parse({writeConfig(""), "--compression.k=5"});
  EXPECT_FALSE(plain.compression.kPercent.has_value());
  EXPECT_EQ(resolveK(plain.compression, 300), 5U);
}

TEST_F(ConfigTest, RowsOnlyForASyntheticSource) {
  expectConfigError({writeConfig(""), "--data.rows=100"},
                    {"command line: data.rows = 100: ", "synthetic:NAME", trainFile_});
  EXPECT_EQ(parse({writeConfig(""), "--data.rows=0"}).data.rows, 0U);
  EXPECT_EQ(parse({"--data.train=synthetic:epsilon", "--data.rows=100"}).data.rows, 100U);
}

TEST_F(ConfigTest, CsvLabelColumnAndHeader) {
  const RunConfig defaults = parse({writeConfig("")});
  EXPECT_EQ(defaults.data.labelColumn, 0U);
  EXPECT_FALSE(defaults.data.header.has_value());
  const RunConfig set =
      parse({writeConfig("label_column = 3\nheader = false\n"), "--data.header=true"});
  EXPECT_EQ(set.data.labelColumn, 3U);
  EXPECT_EQ(set.data.header, std::optional<bool>(true));
  EXPECT_EQ(resolvedValue(set, "data.label_column"), "3");
  EXPECT_EQ(resolvedValue(set, "data.header"), "true");
  const RunConfig last = parse({writeConfig(""), "--data.label_column=last"});
  EXPECT_EQ(last.data.labelColumn, kLastColumn);
  EXPECT_EQ(resolvedValue(last, "data.label_column"), "last");
  EXPECT_FALSE(parse({writeConfig(""), "--data.header=auto"}).data.header.has_value());
  expectConfigError({writeConfig(""), "--data.label_column=-1"},
                    {"command line: data.label_column = -1: expected an integer >= 0"});
  expectConfigError({writeConfig(""), "--data.label_column=first"},
                    {"data.label_column = first: expected an integer >= 0"});
  expectConfigError({writeConfig(""), "--data.label_column=18446744073709551615"},
                    {"data.label_column = 18446744073709551615: must be < "});
  expectConfigError({writeConfig(""), "--data.header=maybe"},
                    {"data.header = maybe: must be one of"});
  // A generator's rows have no columns.
  expectConfigError({"--data.train=synthetic:epsilon", "--data.label_column=last"},
                    {"data.label_column = last: only a CSV file has columns", "synthetic:epsilon"});
  expectConfigError({"--data.train=synthetic:epsilon", "--data.header=false"},
                    {"data.header = false: only a CSV file has columns"});
  EXPECT_EQ(parse({"--data.train=synthetic:epsilon", "--data.header=auto"}).data.labelColumn, 0U);
}

TEST_F(ConfigTest, DivergenceFactorZeroTurnsTheCheckOff) {
  EXPECT_EQ(parse({writeConfig("")}).log.divergenceFactor, 10.0);
  EXPECT_EQ(parse({writeConfig(""), "--log.divergence_factor=0"}).log.divergenceFactor, 0.0);
  EXPECT_EQ(parse({writeConfig(""), "--log.divergence_factor=1e6"}).log.divergenceFactor, 1e6);
}

}  // namespace
}  // namespace memsgd
