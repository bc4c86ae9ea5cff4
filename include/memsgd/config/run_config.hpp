#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace memsgd {

// The validated, immutable configuration of one run. Built once from the config file and the
// command line by parseCommandLine(); nothing below main sees Boost.Program_options.

enum class Normalization { kNone, kL2 };
// How a shard's rows are stored: CSR, dense, or by their density (data_layout.hpp).
enum class RowLayout { kAuto, kSparse, kDense };
enum class Schedule { kDecay, kBottou, kConstant, kStep };
enum class Averaging { kWeighted, kUniform, kLast };
enum class Aggregation { kSum, kMean };
enum class ValueType { kFloat32, kFloat64, kFloat16 };
enum class IndexEncoding { kRaw, kVarint };
// kAuto: one of the others, picked at start-up by the cost model (comm/collective_cost.hpp).
enum class CollectiveKind { kAllgather, kDense, kSplitAllgather, kAuto };
// sync: the ranks step in lockstep and exchange messages; shared: the ranks of one node step on
// their own and add their k coordinates into one x in shared memory (the paper's parallel form).
enum class CommunicationMode { kSync, kShared };
enum class QsgdEncoding { kAuto, kEliasGamma, kFixedWidth };
// The floating-point type of x, the error memory and the data values.
enum class Precision { kDouble, kFloat };
// What a compressor selects from: the whole flat vector, or each of the model's layers.
enum class CompressionScope { kGlobal, kLayer };

// data.label_column = last: a CSV row's label is its last field, however many it has.
inline constexpr std::uint64_t kLastColumn = std::numeric_limits<std::uint64_t>::max();

struct DataConfig {
  std::string train;            // LIBSVM, CSV or IDX file (plain, gzip or bzip2), or synthetic:NAME
  std::string test;             // optional; empty when absent
  std::string trainLabels;      // the IDX labels of IDX training images; empty for other sources
  std::string testLabels;       // likewise for the test images
  std::string format = "auto";  // a name in data_format.hpp's registry; auto: told by content
  std::uint64_t dim = 0;        // 0: the largest feature index of the training file
  std::uint64_t rows = 0;  // rows of a synthetic source ("synthetic:NAME" only); 0: its default
  // CSV only: another value than the default is refused for other sources.
  std::uint64_t labelColumn = 0;  // the label's column from 0, or kLastColumn
  std::optional<bool> header;     // whether the first line names the columns; empty: auto
  Normalization normalize = Normalization::kNone;
  RowLayout layout = RowLayout::kAuto;
};

struct ModelConfig {
  std::string type = "logistic";           // a name known to the model factory
  std::optional<double> lambda;            // empty: 1/n with n the global number of training rows
  std::vector<std::uint64_t> hidden{256};  // mlp: the hidden layers' widths, input side first
  // f* for the suboptimality f(x_bar) - f*, given as a number or as the HDF5 file that
  // memsgd-optimum wrote; neither: suboptimality is not logged.
  std::optional<double> optimumValue;
  std::string optimumFile;
  Precision precision = Precision::kDouble;
};

struct OptimizerConfig {
  double epochs = 1.0;
  std::uint32_t batchSize = 1;
  Schedule schedule = Schedule::kDecay;
  double gamma = 2.0;
  std::optional<double> offset;  // the paper's a; empty: d/k, or d without sparsification
  double constantRate = 0.1;     // eta for the constant schedule, the first eta of step
  double rateDecay = 0.1;        // step: eta is multiplied by this every rateEvery epochs
  double rateEvery = 10.0;       // step: epochs (t / n) between decays
  double momentum = 0.0;         // beta in [0, 1); 0: plain Mem-SGD
  Averaging averaging = Averaging::kWeighted;
  std::uint64_t seed = 1;
};

struct CompressionConfig {
  std::string method = "top_k";  // a name known to the compressor factory
  std::uint64_t k = 1;
  // k given as a percentage of d ("1%"): resolveK() turns it into ceil(kPercent d / 100) >= 1.
  std::optional<double> kPercent;
  bool memory = true;  // "auto" resolves to false for the unbiased methods, true for the others
  std::uint32_t levels = 16;                        // QSGD's s
  QsgdEncoding qsgdEncoding = QsgdEncoding::kAuto;  // QSGD bitstream; auto: the shorter per message
  double threshold = 0.0;           // tau of the threshold compressor (> 0 to use it)
  std::uint64_t sampleSize = 1000;  // magnitudes sampled by approx_top_k to estimate its threshold
  std::uint64_t warmupSteps = 0;  // the first steps exchange v dense (DenseExchange), uncompressed
  CompressionScope scope = CompressionScope::kGlobal;  // layer: k split over the model's layers
};

struct CommunicationConfig {
  Aggregation aggregation = Aggregation::kSum;
  ValueType valueType = ValueType::kFloat32;
  IndexEncoding indexEncoding = IndexEncoding::kRaw;       // varint: sorted, delta-coded LEB128
  CollectiveKind collective = CollectiveKind::kAllgather;  // how the messages are summed
  double timeoutSeconds = 300.0;  // per collective, before the job ends; 0: no limit
  // The cost model's constants for collective = auto; empty: measured at start-up.
  std::optional<double> alphaSeconds;               // latency of one message round
  std::optional<double> betaSecondsPerByte;         // per byte a rank receives
  std::optional<double> encodeSecondsPerPair;       // the codec's encode
  std::optional<double> decodeSecondsPerPair;       // the codec's decode
  std::optional<double> applySecondsPerPair;        // adding one pair into a vector
  std::optional<double> denseSecondsPerCoordinate;  // zeroing and applying one dense coordinate
  CommunicationMode mode = CommunicationMode::kSync;
};

struct LogConfig {
  std::string output = "run.h5";
  std::optional<std::uint64_t> evalEvery;  // samples, counted globally; empty: n/10
  bool overwrite = false;
  bool quiet = false;
  std::uint64_t checkpointEvery = 0;  // samples, counted globally; 0: no checkpoints
  std::string checkpoint;             // path; derived from output unless configured
  bool traceSteps = false;            // per-step traffic of every rank in /trace
  // Stop when the training objective exceeds this multiple of its start value after the first
  // epoch; 0: never.
  double divergenceFactor = 10.0;
};

struct RunConfig {
  DataConfig data;
  ModelConfig model;
  OptimizerConfig optimizer;
  CompressionConfig compression;
  CommunicationConfig communication;
  LogConfig log;
  std::string configFile;  // the INI file the run was read from, empty when none
  std::string resumeFrom;  // checkpoint to continue from (--resume), empty for a new run
  bool dryRun = false;     // --dry-run: describe the run (its /config attributes) without it
  // Every option as "section.key" = text, after file and command line are merged: stored in the
  // run file so a run documents itself.
  std::vector<std::pair<std::string, std::string>> resolved;
};

}  // namespace memsgd
