#include "memsgd/config/options.hpp"

#include <algorithm>
#include <array>
#include <boost/program_options.hpp>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "memsgd/compress/compressor_factory.hpp"
#include "memsgd/data/synthetic_data.hpp"
#include "memsgd/error.hpp"

namespace memsgd {
namespace {

namespace fs = std::filesystem;
namespace po = boost::program_options;

constexpr const char* kHelpKey = "help";
constexpr const char* kConfigKey = "config";
constexpr const char* kResumeKey = "resume";
constexpr const char* kDryRunKey = "dry-run";
constexpr const char* kTrainKey = "data.train";
constexpr const char* kTestKey = "data.test";
constexpr const char* kMemoryKey = "compression.memory";
constexpr std::string_view kAuto = "auto";
constexpr std::string_view kCommandLine = "command line";
// Follows "Usage: <program>", the name the tool was started as.
constexpr std::string_view kUsage =
    " [CONFIG.ini] [--section.key=value | --section.key value ...] [--help]\n"
    "Every key below can also be set in CONFIG.ini as `key = value` under `[section]`;\n"
    "the command line wins. Relative data paths in CONFIG.ini are relative to its folder.\n";

// One accepted word of a key and the value it stands for.
template <typename T>
struct Choice {
  std::string_view word;
  T value;
};

constexpr auto kBooleans = std::to_array<Choice<bool>>(
    {{"true", true}, {"false", false}, {"yes", true}, {"no", false}, {"1", true}, {"0", false}});
constexpr auto kNormalizations = std::to_array<Choice<Normalization>>(
    {{"none", Normalization::kNone}, {"l2", Normalization::kL2}});
constexpr auto kSchedules = std::to_array<Choice<Schedule>>({{"decay", Schedule::kDecay},
                                                             {"bottou", Schedule::kBottou},
                                                             {"constant", Schedule::kConstant}});
constexpr auto kAveragings = std::to_array<Choice<Averaging>>({{"weighted", Averaging::kWeighted},
                                                               {"uniform", Averaging::kUniform},
                                                               {"last", Averaging::kLast}});
constexpr auto kAggregations =
    std::to_array<Choice<Aggregation>>({{"sum", Aggregation::kSum}, {"mean", Aggregation::kMean}});
constexpr auto kValueTypes = std::to_array<Choice<ValueType>>(
    {{"fp32", ValueType::kFloat32}, {"fp64", ValueType::kFloat64}, {"fp16", ValueType::kFloat16}});
constexpr auto kPrecisions = std::to_array<Choice<Precision>>(
    {{"double", Precision::kDouble}, {"float", Precision::kFloat}});
constexpr auto kIndexEncodings = std::to_array<Choice<IndexEncoding>>(
    {{"raw", IndexEncoding::kRaw}, {"varint", IndexEncoding::kVarint}});
constexpr auto kQsgdEncodings =
    std::to_array<Choice<QsgdEncoding>>({{"auto", QsgdEncoding::kAuto},
                                         {"elias", QsgdEncoding::kEliasGamma},
                                         {"fixed", QsgdEncoding::kFixedWidth}});

// Shortest text that reads back as the same number, so defaults print as "0.1", not "0.100000".
template <typename T>
std::string toText(T value) {
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return {buffer.data(), result.ptr};
}

// "a|b|c": the words a key accepts, for help and error messages.
template <typename Range, typename Projection = std::identity>
std::string joinWords(const Range& entries, Projection projection = {}) {
  std::string joined;
  for (const auto& entry : entries) {
    if (!joined.empty()) joined += '|';
    joined += std::invoke(projection, entry);
  }
  return joined;
}

template <typename T, std::size_t N>
std::string wordOf(const std::array<Choice<T>, N>& choices, T value) {
  return std::string(std::ranges::find(choices, value, &Choice<T>::value)->word);
}

// One key's final text and where it came from, so that messages can name the file or the command
// line. Every value is declared as text and converted here, which keeps that origin at hand.
struct Setting {
  std::string key;
  std::string text;
  std::string origin;  // the INI path, "command line", or empty for a default
  fs::path folder;     // what a relative path in `text` is relative to

  [[noreturn]] void fail(const std::string& why) const {
    const std::string where = origin.empty() ? "" : origin + ": ";
    throw ConfigError(where + key + " = " + text + ": " + why);
  }
};

// The entry of `entries` whose word is the setting's text; fails listing the accepted words.
template <typename Range, typename Projection = std::identity>
const auto& lookUp(const Setting& setting, const Range& entries, Projection projection = {}) {
  const auto found = std::ranges::find(entries, std::string_view(setting.text), projection);
  if (found == std::ranges::end(entries)) {
    setting.fail("must be one of " + joinWords(entries, projection));
  }
  return *found;
}

template <typename T, std::size_t N>
T choose(const Setting& setting, const std::array<Choice<T>, N>& choices) {
  return lookUp(setting, choices, &Choice<T>::word).value;
}

bool boolean(const Setting& setting) { return choose(setting, kBooleans); }

template <typename T>
T integer(const Setting& setting, T lowest) {
  T value{};
  const char* const end = setting.text.data() + setting.text.size();
  const auto [stop, error] = std::from_chars(setting.text.data(), end, value);
  if (error == std::errc::result_out_of_range) {
    setting.fail("must be <= " + toText(std::numeric_limits<T>::max()));
  }
  if (error != std::errc{} || stop != end) setting.fail("expected an integer >= " + toText(lowest));
  if (value < lowest) setting.fail("must be >= " + toText(lowest));
  return value;
}

// For counts that make no sense at zero (k, samples between evaluations).
std::uint64_t count(const Setting& setting) { return integer<std::uint64_t>(setting, 1); }

double number(const Setting& setting) {
  double value = 0.0;
  const char* const end = setting.text.data() + setting.text.size();
  const auto [stop, error] = std::from_chars(setting.text.data(), end, value);
  if (error != std::errc{} || stop != end || !std::isfinite(value)) {
    setting.fail("expected a finite number");
  }
  return value;
}

double positive(const Setting& setting) {
  const double value = number(setting);
  if (value <= 0.0) setting.fail("must be > 0");
  return value;
}

double nonNegative(const Setting& setting) {
  const double value = number(setting);
  if (value < 0.0) setting.fail("must be >= 0");
  return value;
}

// "auto" leaves the value to be derived from the data at run time.
template <typename Parse>
auto unlessAuto(const Setting& setting, Parse parse) -> std::optional<decltype(parse(setting))> {
  if (setting.text == kAuto) return std::nullopt;
  return parse(setting);
}

// Empty when `path` names a regular file (or a link to one), else what is wrong with it.
std::string fileProblem(const fs::path& path) {
  std::error_code ignored;  // a failed status() reads as "not found", which is what we report
  const fs::file_status status = fs::status(path, ignored);
  if (!fs::exists(status)) return "does not exist";
  if (!fs::is_regular_file(status)) return "is not a regular file";
  return {};
}

// Data paths from the INI file are relative to its folder, so a config finds the data shipped next
// to it from any working directory.
std::string existingFile(const Setting& setting) {
  const std::string path = (setting.folder / setting.text).lexically_normal().string();
  if (const std::string problem = fileProblem(path); !problem.empty()) {
    setting.fail("file '" + path + "' " + problem);
  }
  return path;
}

// A data file, or "synthetic:NAME" for a generator (its name is checked by the data layer).
std::string dataSource(const Setting& setting) {
  return setting.text.starts_with(kSyntheticPrefix) ? setting.text : existingFile(setting);
}

// The merged view of command line, config file and defaults, in that order of precedence.
class Settings {
 public:
  Settings(po::variables_map commandLine, po::variables_map file, std::string configFile)
      : commandLine_(std::move(commandLine)),
        file_(std::move(file)),
        configFile_(std::move(configFile)) {}

  // Empty for a key that has no default and was not given.
  [[nodiscard]] std::optional<Setting> find(const std::string& key) const {
    if (const auto* value = given(commandLine_, key)) {
      return Setting{key, value->as<std::string>(), std::string(kCommandLine), {}};
    }
    if (const auto* value = given(file_, key)) {
      return Setting{key, value->as<std::string>(), configFile_,
                     fs::path(configFile_).parent_path()};
    }
    // The command-line map holds every default, since it is parsed with every section.
    if (const auto found = commandLine_.find(key); found != commandLine_.end()) {
      return Setting{key, found->second.as<std::string>(), {}, {}};
    }
    return std::nullopt;
  }

  // For keys declared with a default, which therefore always have a value.
  [[nodiscard]] Setting get(const std::string& key) const {
    auto setting = find(key);
    if (!setting) throw std::logic_error("config key without default: " + key);
    return *std::move(setting);
  }

 private:
  static const po::variable_value* given(const po::variables_map& values, const std::string& key) {
    const auto found = values.find(key);
    return found != values.end() && !found->second.defaulted() ? &found->second : nullptr;
  }

  po::variables_map commandLine_;
  po::variables_map file_;
  std::string configFile_;
};

po::typed_value<std::string>* text(const std::string& valueName) {
  return po::value<std::string>()->value_name(valueName);
}

po::typed_value<std::string>* text(const std::string& valueName, const std::string& defaultText) {
  return text(valueName)->default_value(defaultText);
}

template <typename T, std::size_t N>
po::typed_value<std::string>* choice(const std::array<Choice<T>, N>& choices, T defaultValue) {
  return text(joinWords(choices, &Choice<T>::word), wordOf(choices, defaultValue));
}

po::typed_value<std::string>* flag(bool defaultValue) {
  return text("BOOL", wordOf(kBooleans, defaultValue));
}

// For keys whose default is derived from the data at run time.
po::typed_value<std::string>* autoOr(const std::string& valueName) {
  return text(std::string(kAuto) + "|" + valueName, std::string(kAuto));
}

// Defaults come from the config structs, so the help text cannot drift from them. The key lists
// are kept out of clang-format, which would fold the call chains into unreadable lines.

po::options_description dataOptions() {
  const DataConfig defaults;
  po::options_description section("[data]");
  // clang-format off
  section.add_options()
      (kTrainKey, text("PATH"),
       "training set, LIBSVM format (plain, gzip or bzip2), or synthetic:NAME (required)")
      (kTestKey, text("PATH"),
       "test set, LIBSVM format or synthetic:NAME (optional; empty: none)")
      ("data.dim", text("N", toText(defaults.dim)),
       "number of features; 0: the largest index in the data (or the generator's default)")
      ("data.rows", text("N", toText(defaults.rows)),
       "rows of a synthetic training set (synthetic:NAME only); 0: the generator's default")
      ("data.normalize", choice(kNormalizations, defaults.normalize),
       "scaling of each row");
  // clang-format on
  return section;
}

po::options_description modelOptions() {
  const ModelConfig defaults;
  po::options_description section("[model]");
  // clang-format off
  section.add_options()
      ("model.lambda", autoOr("X"),
       "L2 regularisation; auto: 1/n for n training rows")
      ("model.optimum", text("X|PATH", ""),
       "f* (a number, or a memsgd-optimum file) to log suboptimality; empty: none")
      ("model.precision", choice(kPrecisions, defaults.precision),
       "type of x, the error memory and the data values (sums stay double)");
  // clang-format on
  return section;
}

po::options_description optimizerOptions() {
  const OptimizerConfig defaults;
  po::options_description section("[optimizer]");
  // clang-format off
  section.add_options()
      ("optimizer.epochs", text("X", toText(defaults.epochs)),
       "passes over the data, may be fractional")
      ("optimizer.batch_size", text("N", toText(defaults.batchSize)),
       "samples per gradient step")
      ("optimizer.schedule", choice(kSchedules, defaults.schedule),
       "decay: gamma/(lambda(t+a)), bottou: gamma/(1+gamma lambda t), constant: rate")
      ("optimizer.gamma", text("X", toText(defaults.gamma)),
       "learning-rate factor of decay and bottou")
      ("optimizer.offset", autoOr("X"),
       "the paper's a in the decay rate and the averaging weights (t+a)^2; auto: d/k, or d")
      ("optimizer.rate", text("X", toText(defaults.constantRate)),
       "learning rate of the constant schedule")
      ("optimizer.averaging", choice(kAveragings, defaults.averaging),
       "iterate the losses are reported at")
      ("optimizer.seed", text("N", toText(defaults.seed)),
       "seed of sampling and random compressors");
  // clang-format on
  return section;
}

po::options_description compressionOptions() {
  const CompressionConfig defaults;
  po::options_description section("[compression]");
  // clang-format off
  section.add_options()
      ("compression.method", text(joinWords(compressorNames()), defaults.method),
       "compressor applied to each update")
      ("compression.k", text("N|P%", toText(defaults.k)),
       "coordinates sent per message, or a percentage of d (rounded up, at least 1)")
      ("compression.memory", autoOr("BOOL"),
       "keep what was not sent for later steps; auto: off for the unbiased methods "
       "(qsgd, rand_k_unbiased), on for the others")
      ("compression.levels", text("N", toText(defaults.levels)),
       "qsgd: quantisation levels s")
      ("compression.qsgd_encoding", choice(kQsgdEncodings, defaults.qsgdEncoding),
       "qsgd: Elias-gamma or fixed-width bitstream; auto: the shorter per message")
      ("compression.threshold", text("X", toText(defaults.threshold)),
       "threshold: send every |v_j| >= X (X > 0)")
      ("compression.sample_size", text("N", toText(defaults.sampleSize)),
       "approx_top_k: magnitudes sampled to estimate the k-th largest");
  // clang-format on
  return section;
}

po::options_description communicationOptions() {
  const CommunicationConfig defaults;
  po::options_description section("[communication]");
  // clang-format off
  section.add_options()
      ("communication.aggregation", choice(kAggregations, defaults.aggregation),
       "how the ranks' messages are combined")
      ("communication.value_type", choice(kValueTypes, defaults.valueType),
       "value type on the wire")
      ("communication.index_encoding", choice(kIndexEncodings, defaults.indexEncoding),
       "raw uint32 indices, or sorted delta-coded LEB128 varints");
  // clang-format on
  return section;
}

po::options_description logOptions() {
  const LogConfig defaults;
  po::options_description section("[log]");
  // clang-format off
  section.add_options()
      ("log.output", text("PATH", defaults.output),
       "HDF5 run file, relative to the working directory")
      ("log.eval_every", autoOr("N"),
       "evaluate every N samples of all ranks; auto: n/10")
      ("log.overwrite", flag(defaults.overwrite),
       "replace an existing run file")
      ("log.quiet", flag(defaults.quiet),
       "no progress output")
      ("log.checkpoint_every", text("N", toText(defaults.checkpointEvery)),
       "save a checkpoint every N samples of all ranks and at the end; 0: never")
      ("log.trace_steps", flag(defaults.traceSteps),
       "also record every step's traffic per rank in /trace (chunked, compressed)")
      ("log.checkpoint", autoOr("PATH"),
       "checkpoint file; auto: the run file's name with .ckpt.h5")
      ("log.divergence_factor", text("X", toText(defaults.divergenceFactor)),
       "from the end of the first epoch on, stop when the training objective exceeds X times "
       "its value at the start; 0: never");
  // clang-format on
  return section;
}

po::options_description sectionOptions() {
  po::options_description sections;
  sections.add(dataOptions())
      .add(modelOptions())
      .add(optimizerOptions())
      .add(compressionOptions())
      .add(communicationOptions())
      .add(logOptions());
  return sections;
}

DataConfig readData(const Settings& settings) {
  DataConfig data;
  const auto train = settings.find(kTrainKey);
  if (!train) {
    throw ConfigError(std::string(kTrainKey) +
                      " is required: set train = PATH under [data] or pass --data.train=PATH");
  }
  data.train = dataSource(*train);
  // An empty data.test lets the command line drop the test set a config file names.
  if (const auto test = settings.find(kTestKey); test && !test->text.empty()) {
    data.test = dataSource(*test);
  }
  data.dim = integer<std::uint64_t>(settings.get("data.dim"), 0);
  const Setting rows = settings.get("data.rows");
  data.rows = integer<std::uint64_t>(rows, 0);
  // A file has the rows it has: a row count for it would be silently ignored.
  if (data.rows != 0 && !data.train.starts_with(kSyntheticPrefix)) {
    rows.fail("only a synthetic:NAME training source takes a row count; data.train = " +
              data.train + " is a file");
  }
  data.normalize = choose(settings.get("data.normalize"), kNormalizations);
  return data;
}

ModelConfig readModel(const Settings& settings) {
  ModelConfig model;
  model.lambda = unlessAuto(settings.get("model.lambda"), positive);
  model.precision = choose(settings.get("model.precision"), kPrecisions);
  // A number is f* itself; anything else names a file, relative like the data paths.
  const Setting optimum = settings.get("model.optimum");
  double value = 0.0;
  const char* const end = optimum.text.data() + optimum.text.size();
  if (optimum.text.empty()) {
    return model;
  }
  if (const auto [stop, error] = std::from_chars(optimum.text.data(), end, value);
      error == std::errc() && stop == end) {
    model.optimumValue = nonNegative(optimum);
  } else {
    model.optimumFile = existingFile(optimum);
  }
  return model;
}

OptimizerConfig readOptimizer(const Settings& settings) {
  OptimizerConfig optimizer;
  optimizer.epochs = positive(settings.get("optimizer.epochs"));
  optimizer.batchSize = integer<std::uint32_t>(settings.get("optimizer.batch_size"), 1);
  optimizer.schedule = choose(settings.get("optimizer.schedule"), kSchedules);
  optimizer.gamma = positive(settings.get("optimizer.gamma"));
  const Setting offset = settings.get("optimizer.offset");
  optimizer.offset = unlessAuto(offset, nonNegative);
  if (optimizer.schedule == Schedule::kDecay && optimizer.offset == 0.0) {
    offset.fail(
        "must be > 0 with optimizer.schedule = decay, whose first rate gamma/(lambda a) "
        "would be infinite");
  }
  optimizer.constantRate = positive(settings.get("optimizer.rate"));
  optimizer.averaging = choose(settings.get("optimizer.averaging"), kAveragings);
  optimizer.seed = integer<std::uint64_t>(settings.get("optimizer.seed"), 0);
  return optimizer;
}

// "10" or "1%": a count, or a percentage of d in (0, 100] resolved once d is known.
void readK(const Setting& setting, CompressionConfig& compression) {
  if (!setting.text.ends_with('%')) {
    compression.k = count(setting);
    return;
  }
  const std::string_view digits(setting.text.data(), setting.text.size() - 1);
  double percent = 0.0;
  const auto [stop, error] = std::from_chars(digits.data(), digits.data() + digits.size(), percent);
  if (error != std::errc{} || stop != digits.data() + digits.size() || !(percent > 0.0) ||
      percent > 100.0) {
    setting.fail("a percentage of d must be > 0% and <= 100%");
  }
  compression.kPercent = percent;
}

CompressionConfig readCompression(const Settings& settings) {
  CompressionConfig compression;
  compression.method = std::string(lookUp(settings.get("compression.method"), compressorNames()));
  readK(settings.get("compression.k"), compression);
  compression.memory =
      unlessAuto(settings.get(kMemoryKey), boolean).value_or(!isUnbiased(compression.method));
  compression.levels = integer<std::uint32_t>(settings.get("compression.levels"), 1);
  compression.qsgdEncoding = choose(settings.get("compression.qsgd_encoding"), kQsgdEncodings);
  compression.threshold = nonNegative(settings.get("compression.threshold"));
  compression.sampleSize = count(settings.get("compression.sample_size"));
  return compression;
}

CommunicationConfig readCommunication(const Settings& settings) {
  return {.aggregation = choose(settings.get("communication.aggregation"), kAggregations),
          .valueType = choose(settings.get("communication.value_type"), kValueTypes),
          .indexEncoding = choose(settings.get("communication.index_encoding"), kIndexEncodings)};
}

// "runs/a.h5" -> "runs/a.ckpt.h5": next to the run file, recognisably its checkpoint.
std::string checkpointPathFor(const std::string& output) {
  const std::string stem = output.ends_with(".h5") ? output.substr(0, output.size() - 3) : output;
  return stem + ".ckpt.h5";
}

// 0 disables the check; below 1 it would stop runs that merely have not improved yet.
double divergenceFactor(const Setting& setting) {
  const double factor = nonNegative(setting);
  if (factor != 0.0 && factor < 1.0) setting.fail("must be 0 (no check) or >= 1");
  return factor;
}

LogConfig readLog(const Settings& settings) {
  const Setting output = settings.get("log.output");
  if (output.text.empty()) output.fail("must name the run file");
  return {.output = output.text,
          .evalEvery = unlessAuto(settings.get("log.eval_every"), count),
          .overwrite = boolean(settings.get("log.overwrite")),
          .quiet = boolean(settings.get("log.quiet")),
          .checkpointEvery = integer<std::uint64_t>(settings.get("log.checkpoint_every"), 0),
          .checkpoint = unlessAuto(settings.get("log.checkpoint"),
                                   [](const Setting& setting) { return setting.text; })
                            .value_or(checkpointPathFor(output.text)),
          .traceSteps = boolean(settings.get("log.trace_steps")),
          .divergenceFactor = divergenceFactor(settings.get("log.divergence_factor"))};
}

// Every key in declaration order with its final text; data paths as resolved, and the memory
// in force rather than "auto".
std::vector<std::pair<std::string, std::string>> resolvedSettings(
    const po::options_description& sections, const Settings& settings, const RunConfig& config) {
  std::vector<std::pair<std::string, std::string>> resolved;
  for (const auto& option : sections.options()) {
    const std::string& key = option->long_name();
    if (key == kTrainKey) {
      resolved.emplace_back(key, config.data.train);
    } else if (key == kTestKey) {
      resolved.emplace_back(key, config.data.test);
    } else if (key == kMemoryKey) {
      resolved.emplace_back(key, wordOf(kBooleans, config.compression.memory));
    } else {
      resolved.emplace_back(key, settings.get(key).text);
    }
  }
  return resolved;
}

// Runs a Boost parser and reports its failures as ConfigErrors naming where the text came from.
template <typename Parse>
po::variables_map collect(const std::string& origin, Parse parse) {
  po::variables_map values;
  try {
    po::store(parse(), values);
  } catch (const po::unknown_option& error) {
    std::string key = error.get_option_name();
    key.erase(0, key.find_first_not_of('-'));
    key.erase(std::min(key.find('='), key.size()));  // Boost reports "--key=value" whole
    throw ConfigError(origin + ": unknown key '" + key + "' (--help lists the keys)");
  } catch (const po::error& error) {
    throw ConfigError(origin + ": " + error.what());
  }
  return values;
}

// Boost rejects "--key=" (an empty value after '='); users write it to clear a key such as
// data.test, so it becomes the accepted form "--key" "".
std::vector<std::string> splitEmptyValues(const std::vector<std::string>& arguments) {
  std::vector<std::string> split;
  for (const std::string& argument : arguments) {
    if (argument.starts_with("--") && argument.ends_with('=') && argument.size() > 3) {
      split.push_back(argument.substr(0, argument.size() - 1));
      split.emplace_back();
    } else {
      split.push_back(argument);
    }
  }
  return split;
}

po::variables_map parseArguments(const std::vector<std::string>& arguments,
                                 const po::options_description& options) {
  po::positional_options_description positional;
  positional.add(kConfigKey, 1);
  // Exact keys only: a guessed prefix such as --data.t could silently pick the wrong key.
  const int style = po::command_line_style::unix_style & ~po::command_line_style::allow_guessing;
  return collect(std::string(kCommandLine), [&] {
    return po::command_line_parser(splitEmptyValues(arguments))
        .options(options)
        .positional(positional)
        .style(style)
        .run();
  });
}

po::variables_map parseConfigFile(const std::string& path,
                                  const po::options_description& sections) {
  if (const std::string problem = fileProblem(path); !problem.empty()) {
    throw ConfigError("config file '" + path + "' " + problem);
  }
  std::ifstream stream(path);
  if (!stream) throw ConfigError("config file '" + path + "' cannot be opened");
  return collect(path, [&] { return po::parse_config_file(stream, sections); });
}

}  // namespace

std::optional<RunConfig> parseCommandLine(int argc, const char* const argv[], std::ostream& help) {
  const po::options_description sections = sectionOptions();
  po::options_description general("[general]");
  // clang-format off
  general.add_options()
      ("help,h", "print this help and exit")
      (kConfigKey, text("PATH"), "INI config file; also the first positional argument")
      (kResumeKey, text("PATH"),
       "continue the run saved in this checkpoint (same config; epochs and log.* may change)")
      (kDryRunKey, "load the data, print the run file's /config attributes as JSON, write nothing");
  // clang-format on
  po::options_description commandLine;
  commandLine.add(general).add(sections);

  const std::vector<std::string> arguments(argv + std::min(argc, 1), argv + argc);
  po::variables_map given = parseArguments(arguments, commandLine);
  if (given.count(kHelpKey) != 0) {
    const std::string program =
        argc > 0 ? std::filesystem::path(argv[0]).filename().string() : "memsgd-train";
    help << "Usage: " << program << kUsage << commandLine;
    return std::nullopt;
  }

  RunConfig config;
  if (given.count(kConfigKey) != 0) config.configFile = given[kConfigKey].as<std::string>();
  if (given.count(kResumeKey) != 0) config.resumeFrom = given[kResumeKey].as<std::string>();
  config.dryRun = given.count(kDryRunKey) != 0;
  po::variables_map file = config.configFile.empty() ? po::variables_map{}
                                                     : parseConfigFile(config.configFile, sections);
  const Settings settings(std::move(given), std::move(file), config.configFile);

  config.data = readData(settings);
  config.model = readModel(settings);
  config.optimizer = readOptimizer(settings);
  config.compression = readCompression(settings);
  config.communication = readCommunication(settings);
  config.log = readLog(settings);
  config.resolved = resolvedSettings(sections, settings, config);
  return config;
}

}  // namespace memsgd
