#include "memsgd/cli/options.hpp"

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
#include "memsgd/config/choices.hpp"
#include "memsgd/core/error.hpp"
#include "memsgd/data/data_format.hpp"
#include "memsgd/data/synthetic_data.hpp"
#include "memsgd/model/model_factory.hpp"
#include "memsgd/mpi/smpi_build.hpp"

namespace memsgd {
namespace {

namespace fs = std::filesystem;
namespace po = boost::program_options;

constexpr const char* kHelpKey = "help";
constexpr const char* kConfigKey = "config";
constexpr const char* kResumeKey = "resume";
constexpr const char* kDryRunKey = "dry-run";
// Keys that the checks across keys name again after their table entries.
constexpr const char* kRowsKey = "data.rows";
constexpr const char* kTrainLabelsKey = "data.train_labels";
constexpr const char* kTestLabelsKey = "data.test_labels";
constexpr const char* kLabelColumnKey = "data.label_column";
constexpr const char* kHeaderKey = "data.header";
constexpr const char* kOffsetKey = "optimizer.offset";
constexpr const char* kHiddenKey = "model.hidden";
constexpr const char* kMemoryKey = "compression.memory";
constexpr const char* kWarmupKey = "compression.warmup_steps";
constexpr const char* kCheckpointKey = "log.checkpoint";
constexpr const char* kCollectiveKey = "communication.collective";
constexpr const char* kAlphaKey = "communication.alpha_s";
constexpr const char* kBetaKey = "communication.beta_s_per_byte";
constexpr const char* kEncodeKey = "communication.encode_s_per_pair";
constexpr const char* kDecodeKey = "communication.decode_s_per_pair";
constexpr const char* kApplyKey = "communication.apply_s_per_pair";
constexpr const char* kDenseCoordinateKey = "communication.dense_s_per_coordinate";
constexpr auto kCostKeys =
    std::to_array({kAlphaKey, kBetaKey, kEncodeKey, kDecodeKey, kApplyKey, kDenseCoordinateKey});
constexpr const char* kModeKey = "communication.mode";
constexpr std::string_view kAuto = "auto";
constexpr std::string_view kCommandLine = "command line";
// Follows "Usage: <program>", the name the tool was started as.
constexpr std::string_view kUsage =
    " [CONFIG.ini] [--section.key=value | --section.key value ...] [--help]\n"
    "Every key below can also be set in CONFIG.ini as `key = value` under `[section]`;\n"
    "the command line wins. Relative data paths in CONFIG.ini are relative to its folder.\n";

constexpr auto kBooleans = std::to_array<Choice<bool>>(
    {{"true", true}, {"false", false}, {"yes", true}, {"no", false}, {"1", true}, {"0", false}});

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
  std::string path = (setting.folder / setting.text).lexically_normal().string();
  if (const std::string problem = fileProblem(path); !problem.empty()) {
    setting.fail("file '" + path + "' " + problem);
  }
  return path;
}

// A data file, or "synthetic:NAME" for a generator (its name is checked by the data layer).
std::string dataSource(const Setting& setting) {
  return isSyntheticSource(setting.text) ? setting.text : existingFile(setting);
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

// How one kind of value is written: the name --help gives it, the parser that converts and
// validates its text, and the text of a value (for the default --help shows).
template <typename T>
struct Format {
  std::string valueName;
  std::function<T(const Setting&)> parse;
  std::function<std::string(const T&)> show;
};

template <typename T>
Format<T> integerFrom(T lowest) {
  return {"N", [lowest](const Setting& setting) { return integer<T>(setting, lowest); }, toText<T>};
}

Format<std::uint64_t> counting() { return {"N", count, toText<std::uint64_t>}; }

// data.dim: a feature index is stored in 32 bits (int32, as LIBSVM readers and CSR use).
Format<std::uint64_t> dimension() {
  constexpr std::uint64_t kLargest = std::numeric_limits<std::int32_t>::max();
  return {"N",
          [](const Setting& setting) {
            const auto dim = integer<std::uint64_t>(setting, 0);
            if (dim > kLargest) {
              setting.fail("must be at most " + std::to_string(kLargest) +
                           ": feature indices are stored in 32 bits");
            }
            return dim;
          },
          toText<std::uint64_t>};
}

// A number that `parse` checks (positive, nonNegative, ...).
Format<double> real(double (*parse)(const Setting&)) { return {"X", parse, toText<double>}; }

template <typename T, std::size_t N>
Format<T> oneOf(const std::array<Choice<T>, N>& choices) {
  return {joinWords(choices, &Choice<T>::word),
          [&choices](const Setting& setting) { return choose(setting, choices); },
          [&choices](const T& value) { return wordOf(choices, value); }};
}

Format<bool> flag() {
  return {"BOOL", boolean, [](const bool& value) { return wordOf(kBooleans, value); }};
}

Format<std::string> words(std::string valueName, std::function<std::string(const Setting&)> parse) {
  return {std::move(valueName), std::move(parse), std::identity{}};
}

std::string verbatim(const Setting& setting) { return setting.text; }

// "256" or "256,128": one or more positive integers separated by commas, without spaces.
Format<std::vector<std::uint64_t>> widths() {
  const auto parse = [](const Setting& setting) {
    std::vector<std::uint64_t> parsed;
    std::string_view rest = setting.text;
    while (true) {
      const std::string_view piece = rest.substr(0, rest.find(','));
      std::uint64_t width = 0;
      const auto [stop, error] = std::from_chars(piece.data(), piece.data() + piece.size(), width);
      if (error != std::errc{} || stop != piece.data() + piece.size() || width == 0) {
        setting.fail("expected widths > 0 separated by commas (256 or 256,128)");
      }
      parsed.push_back(width);
      if (piece.size() == rest.size()) return parsed;
      rest.remove_prefix(piece.size() + 1);
    }
  };
  const auto show = [](const std::vector<std::uint64_t>& values) {
    std::string shown;
    for (const std::uint64_t value : values) shown += (shown.empty() ? "" : ",") + toText(value);
    return shown;
  };
  return {"N[,N...]", parse, show};
}

// data.label_column: a column from 0, or `last` (kLastColumn, which no column number may be).
Format<std::uint64_t> labelColumn() {
  const auto parse = [](const Setting& setting) {
    if (setting.text == "last") return kLastColumn;
    const auto column = integer<std::uint64_t>(setting, 0);
    if (column == kLastColumn) setting.fail("must be < " + toText(kLastColumn) + " or last");
    return column;
  };
  const auto show = [](const std::uint64_t& column) {
    return column == kLastColumn ? std::string("last") : toText(column);
  };
  return {"N|last", parse, show};
}

// For keys whose value is derived at run time unless given.
template <typename T>
Format<std::optional<T>> autoOr(Format<T> format) {
  return {std::string(kAuto) + "|" + format.valueName,
          [parse = format.parse](const Setting& setting) { return unlessAuto(setting, parse); },
          [show = format.show](const std::optional<T>& value) {
            return value ? show(*value) : std::string(kAuto);
          }};
}

// One config key, declared once: --help, parsing, validation and the run file's list of settings
// all follow from this entry.
struct Key {
  std::string name;                        // "section.key", as on the command line
  std::string valueName;                   // what --help shows for the value
  std::optional<std::string> defaultText;  // none: the key may stay unset
  std::string help;
  std::function<void(const Setting&, RunConfig&)> read;   // converts, validates, fills the member
  std::function<std::string(const RunConfig&)> recorded;  // for the run file; unset: the text
  bool required = false;
};

// The keys of one INI section, in --help order.
struct Section {
  std::string caption;
  std::vector<Key> keys;
};

// Declares the keys of the part of RunConfig that `Config` is. Defaults come from Config's own
// member initialisers, so the help text cannot drift from them.
template <typename Config>
class SectionKeys {
 public:
  SectionKeys(std::string caption, Config RunConfig::*part)
      : section_{std::move(caption), {}}, part_(part) {}

  // A key whose parsed value is `member`.
  template <typename T>
  SectionKeys& add(std::string name, T Config::*member, const Format<T>& format, std::string help) {
    const Config defaults;
    return add(
        std::move(name), format.valueName, format.show(defaults.*member),
        [member, parse = format.parse](const Setting& setting, Config& config) {
          config.*member = parse(setting);
        },
        std::move(help));
  }

  // A key that `read` turns into its members, for texts that fill more than one.
  // NOLINTBEGIN(performance-unnecessary-value-param): all moved below; clang-tidy 14 misses moves
  // in a class template's members.
  SectionKeys& add(std::string name, std::string valueName, std::optional<std::string> defaultText,
                   std::function<void(const Setting&, Config&)> read, std::string help) {
    // NOLINTEND(performance-unnecessary-value-param)
    section_.keys.push_back(
        {.name = std::move(name),
         .valueName = std::move(valueName),
         .defaultText = std::move(defaultText),
         .help = std::move(help),
         .read = [part = part_, read = std::move(read)](
                     const Setting& setting, RunConfig& config) { read(setting, config.*part); },
         .recorded = {}});
    return *this;
  }

  // The last key must be given.
  SectionKeys& required() {
    section_.keys.back().required = true;
    return *this;
  }

  // The run file records the last key's value as `recorded` gives it rather than as written.
  SectionKeys& recordedAs(std::function<std::string(const RunConfig&)> recorded) {
    section_.keys.back().recorded = std::move(recorded);
    return *this;
  }

  [[nodiscard]] Section section() const { return section_; }

 private:
  Section section_;
  Config RunConfig::*part_;
};

// A number is f* itself; anything else names a file, relative like the data paths.
void readOptimum(const Setting& optimum, ModelConfig& model) {
  if (optimum.text.empty()) return;
  double value = 0.0;
  const char* const end = optimum.text.data() + optimum.text.size();
  if (const auto [stop, error] = std::from_chars(optimum.text.data(), end, value);
      error == std::errc() && stop == end) {
    model.optimumValue = nonNegative(optimum);
  } else {
    model.optimumFile = existingFile(optimum);
  }
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

std::string runFile(const Setting& setting) {
  if (setting.text.empty()) setting.fail("must name the run file");
  return setting.text;
}

// A factor in (0, 1]: 1 keeps the rate, 0 would end training at the first decay.
double rateDecay(const Setting& setting) {
  const double decay = number(setting);
  if (!(decay > 0.0) || decay > 1.0) setting.fail("must be > 0 and <= 1");
  return decay;
}

// beta in [0, 1): at 1 the velocity would never forget, and the iterates diverge.
double momentum(const Setting& setting) {
  const double beta = number(setting);
  if (beta < 0.0 || !(beta < 1.0)) setting.fail("must be >= 0 and < 1");
  return beta;
}

// 0 disables the check; below 1 it would stop runs that merely have not improved yet.
double divergenceFactor(const Setting& setting) {
  const double factor = nonNegative(setting);
  if (factor != 0.0 && factor < 1.0) setting.fail("must be 0 (no check) or >= 1");
  return factor;
}

// Every key of every section, in --help order, which is also the order of the run file's list.
std::vector<Section> configKeys() {
  const auto memory = autoOr(flag());
  const auto checkpoint = autoOr(words("PATH", verbatim));
  return {
      SectionKeys("[data]", &RunConfig::data)
          .add(
              "data.train", "PATH", std::nullopt,
              [](const Setting& setting, DataConfig& data) { data.train = dataSource(setting); },
              "training set: a LIBSVM or IDX file (plain, gzip or bzip2), or synthetic:NAME "
              "(required)")
          .required()
          .recordedAs([](const RunConfig& config) { return config.data.train; })
          .add(
              kTrainLabelsKey, "PATH", std::nullopt,
              [](const Setting& setting, DataConfig& data) {
                if (!setting.text.empty()) data.trainLabels = existingFile(setting);
              },
              "the IDX file of the labels of IDX training images (required with them, refused "
              "otherwise)")
          .recordedAs([](const RunConfig& config) { return config.data.trainLabels; })
          .add(
              "data.test", "PATH", std::nullopt,
              [](const Setting& setting, DataConfig& data) {
                // Empty lets the command line drop the test set a config file names.
                if (!setting.text.empty()) data.test = dataSource(setting);
              },
              "test set, as data.train (optional; empty: none)")
          .recordedAs([](const RunConfig& config) { return config.data.test; })
          .add(
              kTestLabelsKey, "PATH", std::nullopt,
              [](const Setting& setting, DataConfig& data) {
                if (!setting.text.empty()) data.testLabels = existingFile(setting);
              },
              "the IDX file of the labels of IDX test images")
          .recordedAs([](const RunConfig& config) { return config.data.testLabels; })
          .add("data.format", &DataConfig::format,
               words(joinWords(dataFormatNames()),
                     [](const Setting& setting) {
                       return std::string(lookUp(setting, dataFormatNames()));
                     }),
               "the format of data.train and data.test; auto: told by each file's first bytes "
               "(csv: by its name)")
          .add(kLabelColumnKey, &DataConfig::labelColumn, labelColumn(),
               "csv: the label's column, from 0, or last (refused for other formats)")
          .add(kHeaderKey, &DataConfig::header, autoOr(flag()),
               "csv: whether the first line names the columns; auto: when a field of it is not a "
               "number (true|false refused for other formats)")
          .add("data.dim", &DataConfig::dim, dimension(),
               "number of features; 0: the largest index in the data (or the generator's default)")
          .add(kRowsKey, &DataConfig::rows, integerFrom<std::uint64_t>(0),
               "rows of a synthetic training set (synthetic:NAME only); 0: the generator's default")
          .add("data.normalize", &DataConfig::normalize, oneOf(kNormalizations),
               "scaling of each row")
          .add("data.layout", &DataConfig::layout, oneOf(kRowLayouts),
               "storage of the rows: sparse (CSR), dense, or auto: dense from a density of "
               "30% of the training set on")
          .section(),
      SectionKeys("[model]", &RunConfig::model)
          .add("model.type", &ModelConfig::type,
               words(joinWords(modelNames()),
                     [](const Setting& setting) {
                       return std::string(lookUp(setting, modelNames()));
                     }),
               "the model trained, with its labels, loss and test metric (README: Models)")
          .add("model.lambda", &ModelConfig::lambda, autoOr(real(positive)),
               "L2 regularisation; auto: 1/n for n training rows")
          .add(kHiddenKey, &ModelConfig::hidden, widths(),
               "mlp: widths of the hidden layers from the input side (256 or 256,128)")
          .add("model.optimum", "X|PATH", "", readOptimum,
               "f* (a number, or a memsgd-optimum file) to log suboptimality; empty: none")
          .add("model.precision", &ModelConfig::precision, oneOf(kPrecisions),
               "type of x, the error memory and the data values (sums stay double)")
          .section(),
      SectionKeys("[optimizer]", &RunConfig::optimizer)
          .add("optimizer.epochs", &OptimizerConfig::epochs, real(positive),
               "passes over the data, may be fractional")
          .add("optimizer.batch_size", &OptimizerConfig::batchSize, integerFrom<std::uint32_t>(1),
               "samples per gradient step")
          .add("optimizer.schedule", &OptimizerConfig::schedule, oneOf(kSchedules),
               "decay: gamma/(lambda(t+a)), bottou: gamma/(1+gamma lambda t), constant: rate, "
               "step: rate * rate_decay^floor(epoch / rate_every)")
          .add("optimizer.gamma", &OptimizerConfig::gamma, real(positive),
               "learning-rate factor of decay and bottou")
          .add(kOffsetKey, &OptimizerConfig::offset, autoOr(real(nonNegative)),
               "the paper's a in the decay rate and the averaging weights (t+a)^2; auto: d/k, or d")
          .add("optimizer.rate", &OptimizerConfig::constantRate, real(positive),
               "learning rate of the constant schedule, and the first one of step")
          .add("optimizer.rate_decay", &OptimizerConfig::rateDecay, real(rateDecay),
               "step: factor in (0, 1] applied to the rate every rate_every epochs")
          .add("optimizer.rate_every", &OptimizerConfig::rateEvery, real(positive),
               "step: epochs (samples of all ranks / n) between decays, may be fractional")
          .add("optimizer.momentum", &OptimizerConfig::momentum, real(momentum),
               "heavy-ball beta in [0, 1); with memory and a method sending k coordinates, "
               "Deep Gradient Compression's momentum correction; 0: none")
          .add("optimizer.averaging", &OptimizerConfig::averaging, oneOf(kAveragings),
               "iterate the losses are reported at")
          .add("optimizer.seed", &OptimizerConfig::seed, integerFrom<std::uint64_t>(0),
               "seed of sampling and random compressors")
          .section(),
      SectionKeys("[compression]", &RunConfig::compression)
          .add("compression.method", &CompressionConfig::method,
               words(joinWords(compressorNames()),
                     [](const Setting& setting) {
                       return std::string(lookUp(setting, compressorNames()));
                     }),
               "compressor applied to each update")
          .add("compression.k", "N|P%", toText(CompressionConfig{}.k), readK,
               "coordinates sent per message, or a percentage of d (rounded up, at least 1)")
          .add(
              kMemoryKey, memory.valueName, memory.show(std::nullopt),
              [parse = memory.parse](const Setting& setting, CompressionConfig& compression) {
                // "auto" is resolved from the method once every key is read.
                if (const auto given = parse(setting)) compression.memory = *given;
              },
              "keep what was not sent for later steps; auto: off for the unbiased methods "
              "(qsgd, rand_k_unbiased), on for the others")
          .recordedAs(
              [](const RunConfig& config) { return wordOf(kBooleans, config.compression.memory); })
          .add("compression.levels", &CompressionConfig::levels, integerFrom<std::uint32_t>(1),
               "qsgd: quantisation levels s")
          .add("compression.qsgd_encoding", &CompressionConfig::qsgdEncoding, oneOf(kQsgdEncodings),
               "qsgd: Elias-gamma or fixed-width bitstream; auto: the shorter per message")
          .add("compression.threshold", &CompressionConfig::threshold, real(nonNegative),
               "threshold: send every |v_j| >= X (X > 0)")
          .add("compression.sample_size", &CompressionConfig::sampleSize, counting(),
               "approx_top_k: magnitudes sampled to estimate the k-th largest")
          .add(kWarmupKey, &CompressionConfig::warmupSteps, integerFrom<std::uint64_t>(0),
               "the first N steps send v dense and uncompressed (MPI_Allreduce), flushing the "
               "memory; 0: none")
          .add("compression.scope", &CompressionConfig::scope, oneOf(kCompressionScopes),
               "select from the whole parameter vector, or from each of the model's layers with "
               "k split in proportion to their sizes (one message either way)")
          .section(),
      SectionKeys("[communication]", &RunConfig::communication)
          .add("communication.aggregation", &CommunicationConfig::aggregation, oneOf(kAggregations),
               "how the ranks' messages are combined")
          .add("communication.value_type", &CommunicationConfig::valueType, oneOf(kValueTypes),
               "value type on the wire")
          .add("communication.index_encoding", &CommunicationConfig::indexEncoding,
               oneOf(kIndexEncodings), "raw uint32 indices, or sorted delta-coded LEB128 varints")
          .add(kCollectiveKey, &CommunicationConfig::collective, oneOf(kCollectives),
               "how the messages are summed: allgather every message; dense: densify and "
               "MPI_Allreduce; split_allgather: each rank sums a range of coordinates, then all "
               "ranges are gathered; auto: the one a cost model calibrated at start-up predicts "
               "fastest")
          .add("communication.timeout_s", &CommunicationConfig::timeoutSeconds, real(nonNegative),
               "end the job when a rank waits more than X seconds in one collective (a peer "
               "stopped without dying); 0: never")
          .add(kAlphaKey, &CommunicationConfig::alphaSeconds, autoOr(real(nonNegative)),
               "collective = auto: seconds of latency per message round; auto: measured")
          .add(kBetaKey, &CommunicationConfig::betaSecondsPerByte, autoOr(real(nonNegative)),
               "collective = auto: seconds per byte a rank receives; auto: measured")
          .add(kEncodeKey, &CommunicationConfig::encodeSecondsPerPair, autoOr(real(nonNegative)),
               "collective = auto: seconds to encode one (index, value) pair; auto: measured")
          .add(kDecodeKey, &CommunicationConfig::decodeSecondsPerPair, autoOr(real(nonNegative)),
               "collective = auto: seconds to decode one pair; auto: measured")
          .add(kApplyKey, &CommunicationConfig::applySecondsPerPair, autoOr(real(nonNegative)),
               "collective = auto: seconds to add one pair into a vector; auto: measured")
          .add(kDenseCoordinateKey, &CommunicationConfig::denseSecondsPerCoordinate,
               autoOr(real(nonNegative)),
               "collective = auto: seconds to zero and apply one coordinate of a dense sum; "
               "auto: measured")
          .add(kModeKey, &CommunicationConfig::mode, oneOf(kCommunicationModes),
               "sync: the ranks step in lockstep and exchange messages; shared: the ranks of one "
               "node step without barriers and add their k coordinates into one x in shared "
               "memory (the paper's parallel Mem-SGD)")
          .section(),
      SectionKeys("[log]", &RunConfig::log)
          .add("log.output", &LogConfig::output, words("PATH", runFile),
               "HDF5 run file, relative to the working directory")
          .add("log.eval_every", &LogConfig::evalEvery, autoOr(counting()),
               "evaluate every N samples of all ranks; auto: n/10")
          .add("log.overwrite", &LogConfig::overwrite, flag(), "replace an existing run file")
          .add("log.quiet", &LogConfig::quiet, flag(), "no progress output")
          .add("log.checkpoint_every", &LogConfig::checkpointEvery, integerFrom<std::uint64_t>(0),
               "save a checkpoint every N samples of all ranks and at the end; 0: never")
          .add("log.trace_steps", &LogConfig::traceSteps, flag(),
               "also record every step's traffic per rank in /trace (chunked, compressed)")
          .add(
              kCheckpointKey, checkpoint.valueName, checkpoint.show(std::nullopt),
              [parse = checkpoint.parse](const Setting& setting, LogConfig& log) {
                // "auto" is derived from log.output once every key is read.
                log.checkpoint = parse(setting).value_or("");
              },
              "checkpoint file; auto: the run file's name with .ckpt.h5")
          .add("log.divergence_factor", &LogConfig::divergenceFactor, real(divergenceFactor),
               "from the end of the first epoch on, stop when the training objective exceeds X "
               "times its value at the start; 0: never")
          .section(),
  };
}

po::typed_value<std::string>* text(const std::string& valueName) {
  return po::value<std::string>()->value_name(valueName);
}

// The --help groups, one per section; every value is declared as text and converted by its key.
po::options_description describe(const std::vector<Section>& sections) {
  po::options_description described;
  for (const Section& section : sections) {
    po::options_description group(section.caption);
    for (const Key& key : section.keys) {
      po::typed_value<std::string>* value = text(key.valueName);
      if (key.defaultText) value->default_value(*key.defaultText);
      group.add_options()(key.name.c_str(), value, key.help.c_str());
    }
    described.add(group);
  }
  return described;
}

// "data.train is required: set train = PATH under [data] or pass --data.train=PATH".
std::string requiredMessage(const Section& section, const Key& key) {
  const std::string inSection = key.name.substr(key.name.find('.') + 1);
  return key.name + " is required: set " + inSection + " = " + key.valueName + " under " +
         section.caption + " or pass --" + key.name + "=" + key.valueName;
}

void readKeys(const std::vector<Section>& sections, const Settings& settings, RunConfig& config) {
  for (const Section& section : sections) {
    for (const Key& key : section.keys) {
      if (const auto setting = settings.find(key.name)) {
        key.read(*setting, config);
      } else if (key.required) {
        throw ConfigError(requiredMessage(section, key));
      }
    }
  }
}

// communication.mode = shared writes each rank's k selected values straight into the shared x
// and evaluates snapshots of x after the steps: every key whose setting it cannot honour is
// refused rather than ignored.
void checkSharedMode(const Settings& settings, const RunConfig& config) {
  if (config.communication.mode != CommunicationMode::kShared) return;
  const auto refuse = [&](const char* key, const std::string& why) {
    settings.get(key).fail(why + " in " + std::string(kModeKey) + " = shared");
  };
  // SMPI runs every rank in one thread, so each would step alone to the end: no concurrency to
  // simulate.
  if (kSmpiBuild) {
    refuse(kModeKey,
           "this memsgd-train is built for SimGrid SMPI (MEMSGD_SMPI), whose ranks share one "
           "thread and cannot step at the same time");
  }
  // none is dense Hogwild SGD: every coordinate of v is written.
  if (!isSparsifying(config.compression.method) && config.compression.method != "none") {
    refuse("compression.method",
           "only a method that selects k plain (index, value) pairs (top_k, rand_k, "
           "rand_k_unbiased, approx_top_k) or none (dense Hogwild SGD) can be added into the "
           "shared x");
  }
  if (config.compression.warmupSteps > 0) {
    refuse(kWarmupKey, "warm-up steps need the dense exchange, which does not exist");
  }
  if (config.communication.collective != CommunicationConfig{}.collective) {
    refuse(kCollectiveKey, "there is no collective: set it back to its default");
  }
  if (config.communication.aggregation != Aggregation::kSum) {
    refuse("communication.aggregation", "each rank adds its own update into x: only sum");
  }
  if (config.communication.valueType == ValueType::kFloat16) {
    refuse("communication.value_type",
           "x holds model.precision values, which half precision would only round");
  }
  if (config.communication.indexEncoding != IndexEncoding::kRaw) {
    refuse("communication.index_encoding", "no message is encoded");
  }
  if (config.optimizer.momentum > 0.0) {
    refuse("optimizer.momentum", "momentum is not implemented");
  }
  if (config.optimizer.averaging != Averaging::kLast) {
    refuse("optimizer.averaging",
           "x changes under every rank, so no rank sees the iterates to average: set last");
  }
  if (config.log.traceSteps) {
    refuse("log.trace_steps", "the per-step trace is not implemented");
  }
  if (config.log.divergenceFactor > 0.0) {
    refuse("log.divergence_factor",
           "snapshots are evaluated after the steps, too late to stop a run: set 0");
  }
}

// The checks that involve more than one key, once every key is read.
void checkAcrossKeys(const Settings& settings, const RunConfig& config) {
  checkSharedMode(settings, config);
  // SMPI gives a rank no second thread to time its collectives with: a timeout would be ignored.
  if (kSmpiBuild && config.communication.timeoutSeconds > 0.0) {
    settings.get("communication.timeout_s")
        .fail(
            "this memsgd-train is built for SimGrid SMPI (MEMSGD_SMPI), where no watchdog can "
            "time a collective (all ranks share one thread); set communication.timeout_s = 0, as "
            "launch/smpi/run.sh does");
  }
  // The cost model's constants choose among collectives: with a fixed collective they would be
  // silently ignored.
  if (config.communication.collective != CollectiveKind::kAuto) {
    for (const char* key : kCostKeys) {
      if (const Setting given = settings.get(key); given.text != kAuto) {
        given.fail(
            "only communication.collective = auto uses the cost model; "
            "communication.collective = " +
            wordOf(kCollectives, config.communication.collective));
      }
    }
  }
  // A file has the rows it has: a row count for it would be silently ignored.
  if (config.data.rows != 0 && !isSyntheticSource(config.data.train)) {
    settings.get(kRowsKey).fail(
        "only a synthetic:NAME training source takes a row count; data.train = " +
        config.data.train + " is a file");
  }
  // A generator makes its labels; a file of labels for it, or for no test set, would be ignored.
  if (!config.data.trainLabels.empty() && isSyntheticSource(config.data.train)) {
    settings.get(kTrainLabelsKey)
        .fail("a synthetic:NAME source makes its own labels; data.train = " + config.data.train);
  }
  if (!config.data.testLabels.empty() &&
      (config.data.test.empty() || isSyntheticSource(config.data.test))) {
    settings.get(kTestLabelsKey)
        .fail("labels a test file of IDX images, but data.test = " +
              (config.data.test.empty() ? std::string("(none)") : config.data.test));
  }
  // Generated rows have no columns: the CSV keys would be silently ignored.
  if (isSyntheticSource(config.data.train)) {
    const std::string why = "only a CSV file has columns; data.train = " + config.data.train;
    if (config.data.labelColumn != 0) settings.get(kLabelColumnKey).fail(why);
    if (config.data.header) settings.get(kHeaderKey).fail(why);
  }
  // Hidden layers given to a model without any would be silently ignored.
  if (const Setting hidden = settings.get(kHiddenKey);
      !hidden.origin.empty() && config.model.type != "mlp") {
    hidden.fail("only model.type = mlp has hidden layers; model.type = " + config.model.type);
  }
  if (config.optimizer.schedule == Schedule::kDecay && config.optimizer.offset == 0.0) {
    settings.get(kOffsetKey)
        .fail(
            "must be > 0 with optimizer.schedule = decay, whose first rate gamma/(lambda a) "
            "would be infinite");
  }
  // Dense SGD sums its vectors with MPI_Allreduce whatever the collective: another would be
  // silently ignored (and auto would time collectives it never uses).
  if (config.compression.method == "none" &&
      config.communication.collective != CollectiveKind::kAllgather) {
    settings.get(kCollectiveKey)
        .fail(
            "compression.method = none sends every coordinate with MPI_Allreduce whatever the "
            "collective; leave communication.collective = allgather");
  }
  // Warm-up steps are dense SGD's: a no-op for dense SGD itself, and summed like it.
  if (config.compression.warmupSteps > 0 && config.compression.method == "none") {
    settings.get(kWarmupKey)
        .fail("compression.method = none exchanges every step dense already; drop the warm-up");
  }
  if (config.compression.warmupSteps > 0 && config.communication.valueType == ValueType::kFloat16) {
    settings.get(kWarmupKey)
        .fail(
            "warm-up steps are summed by MPI_Allreduce, which has no half-precision sum; set "
            "communication.value_type = fp32 or fp64");
  }
}

// "runs/a.h5" -> "runs/a.ckpt.h5": next to the run file, recognisably its checkpoint.
std::string checkpointPathFor(const std::string& output) {
  const std::string stem = output.ends_with(".h5") ? output.substr(0, output.size() - 3) : output;
  return stem + ".ckpt.h5";
}

// The "auto" values that follow from other keys rather than from the data.
void deriveFromOtherKeys(const Settings& settings, RunConfig& config) {
  if (settings.get(kMemoryKey).text == kAuto) {
    config.compression.memory = !isUnbiased(config.compression.method);
  }
  if (settings.get(kCheckpointKey).text == kAuto) {
    config.log.checkpoint = checkpointPathFor(config.log.output);
  }
}

// Every key in declaration order with its final text; data paths as resolved, and the memory
// in force rather than "auto".
std::vector<std::pair<std::string, std::string>> resolvedSettings(
    const std::vector<Section>& sections, const Settings& settings, const RunConfig& config) {
  std::vector<std::pair<std::string, std::string>> resolved;
  for (const Section& section : sections) {
    for (const Key& key : section.keys) {
      resolved.emplace_back(key.name,
                            key.recorded ? key.recorded(config) : settings.get(key.name).text);
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
  const std::vector<Section> keys = configKeys();
  const po::options_description sections = describe(keys);
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

  readKeys(keys, settings, config);
  checkAcrossKeys(settings, config);
  deriveFromOtherKeys(settings, config);
  config.resolved = resolvedSettings(keys, settings, config);
  return config;
}

}  // namespace memsgd
