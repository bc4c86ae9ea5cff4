// memsgd-convert: a LIBSVM or CSV/TSV file (plain, gzip or bzip2) or an IDX pair to memsgd's HDF5
// dataset format (README "The HDF5 dataset format"), streamed block by block in bounded memory,
// written to OUT.partial-<pid>, verified (n, nnz and the fingerprint read back) and renamed to OUT:
//   memsgd-convert IN OUT.h5 [--labels IDX_LABELS] [--values float32|float64] [--normalize l2]
//                  [--layout auto|dense|sparse] [--format auto|libsvm|csv]
//                  [--label-column N|last] [--header auto|true|false] [--overwrite]
// Not an MPI program: one process converts, and any number of ranks read the result.
#include <unistd.h>
#include <Eigen/Core>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memsgd/core/error.hpp"
#include "memsgd/data/compressed_input.hpp"
#include "memsgd/data/csv_reader.hpp"
#include "memsgd/data/csv_source.hpp"
#include "memsgd/data/data_fingerprint.hpp"
#include "memsgd/data/data_layout.hpp"
#include "memsgd/data/hdf5_dataset_source.hpp"
#include "memsgd/data/hdf5_dataset_writer.hpp"
#include "memsgd/data/idx_reader.hpp"
#include "memsgd/data/idx_source.hpp"
#include "memsgd/data/libsvm_reader.hpp"

namespace memsgd {
namespace {

constexpr const char* kUsage =
    "usage: memsgd-convert IN OUT.h5 [--labels IDX_LABELS] [--values float32|float64] "
    "[--normalize l2] [--layout auto|dense|sparse] [--format auto|libsvm|csv] "
    "[--label-column N|last] [--header auto|true|false] [--overwrite]";

[[noreturn]] void usageError(const std::string& what) { throw ConfigError(what + "\n" + kUsage); }

// Rows held in memory at a time, whatever the input's size.
constexpr std::uint64_t kBlockRows = 4096;

struct Arguments {
  std::string input;
  std::string output;
  std::string labels;  // the IDX labels file when `input` is IDX images
  hdf5_dataset::ValueType values = hdf5_dataset::ValueType::kFloat64;
  bool normalize = false;
  RowLayout layout = RowLayout::kAuto;  // auto: dense from data.layout's density on
  std::string format = "auto";          // of a text input: auto (by its name), libsvm or csv
  std::uint64_t labelColumn = 0;        // CSV: as data.label_column
  std::optional<bool> header;           // CSV: as data.header; nullopt for auto
  bool csvOptions = false;              // --label-column or --header given
  bool overwrite = false;
};

// --label-column: a column from 0, or `last`.
std::uint64_t parseLabelColumn(const std::string& text) {
  if (text == "last") return kLastColumn;
  std::uint64_t column = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), column);
  if (error != std::errc() || end != text.data() + text.size() || column == kLastColumn) {
    usageError("--label-column " + text + ": expected a column from 0 or last");
  }
  return column;
}

// nullopt for --help, which prints the usage.
std::optional<Arguments> parseArguments(int argc, char** argv) {
  Arguments arguments;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) usageError(std::string(word) + " needs a value");
      return argv[++i];
    };
    if (word == "--help") {
      std::cout << kUsage << "\n";
      return std::nullopt;
    }
    if (word == "--labels") {
      arguments.labels = value();
    } else if (word == "--values") {
      const std::string type = value();
      if (type != "float32" && type != "float64") {
        usageError("--values " + type + ": expected float32 or float64");
      }
      arguments.values =
          type == "float32" ? hdf5_dataset::ValueType::kFloat32 : hdf5_dataset::ValueType::kFloat64;
    } else if (word == "--normalize") {
      const std::string how = value();
      if (how != "l2") usageError("--normalize " + how + ": expected l2");
      arguments.normalize = true;
    } else if (word == "--layout") {
      const std::string how = value();
      if (how != "auto" && how != "dense" && how != "sparse") {
        usageError("--layout " + how + ": expected auto, dense or sparse");
      }
      arguments.layout = how == "auto"    ? RowLayout::kAuto
                         : how == "dense" ? RowLayout::kDense
                                          : RowLayout::kSparse;
    } else if (word == "--format") {
      arguments.format = value();
      if (arguments.format != "auto" && arguments.format != "libsvm" && arguments.format != "csv") {
        usageError("--format " + arguments.format + ": expected auto, libsvm or csv");
      }
    } else if (word == "--label-column") {
      arguments.labelColumn = parseLabelColumn(value());
      arguments.csvOptions = true;
    } else if (word == "--header") {
      const std::string how = value();
      if (how != "auto" && how != "true" && how != "false") {
        usageError("--header " + how + ": expected auto, true or false");
      }
      if (how != "auto") arguments.header = how == "true";
      arguments.csvOptions = true;
    } else if (word == "--overwrite") {
      arguments.overwrite = true;
    } else if (word.starts_with("--")) {
      usageError("unknown option " + std::string(word));
    } else {
      positional.emplace_back(word);
    }
  }
  if (positional.size() != 2) usageError("expected IN and OUT.h5");
  arguments.input = positional[0];
  arguments.output = positional[1];
  std::error_code ignored;
  if (!arguments.overwrite && std::filesystem::exists(arguments.output, ignored)) {
    usageError(arguments.output + " exists; pass --overwrite to replace it");
  }
  return arguments;
}

// Unit rows as Dataset<double>::normalizeRows makes them (Eigen's normalize, zero rows left).
void normalizeRows(RowBlock& rows) {
  for (std::uint64_t row = 0; row < rows.rows(); ++row) {
    const auto begin = rows.rowOffsets[row];
    Eigen::Map<Eigen::VectorXd>(rows.values.data() + begin, rows.rowOffsets[row + 1] - begin)
        .normalize();
  }
}

// The temporary files (the output, and the CSR pass before a dense one), removed if the
// conversion is stopped by a signal: no OUT, and no partial file, is left. Fixed buffers, since
// the handler may only call async-signal-safe functions.
char partialPaths[2][4096] = {};

extern "C" void removePartial(int signal) {
  for (const char* path : partialPaths) ::unlink(path);
  ::_exit(128 + signal);
}

// One stderr line every few seconds, and none for a small file that converts faster.
class Progress {
 public:
  void report(std::uint64_t rows, std::uint64_t entries, const char* what) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::seconds(2)) return;
    last_ = now;
    std::cerr << "memsgd-convert: " << what << " " << rows << " rows, " << entries << " entries\n"
              << std::flush;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// The input's first bytes, decompressed, for the formats to recognize.
std::vector<char> headOf(const std::string& path) {
  CompressedInput input(path);
  std::vector<char> head(64);
  try {
    input.stream().read(head.data(), static_cast<std::streamsize>(head.size()));
  } catch (...) {
    throw DataError(path, "cannot read: " + describeReadFailure());
  }
  head.resize(static_cast<std::size_t>(input.stream().gcount()));
  return head;
}

// Streams the input into `writer` block by block.
void convertRows(const Arguments& arguments, Hdf5DatasetWriter& writer) {
  Progress progress;
  const auto append = [&](RowBlock rows) {
    const std::uint64_t source = fingerprintRows(rows, writer.rows());
    if (arguments.normalize) normalizeRows(rows);
    writer.append(rows, source);
    progress.report(writer.rows(), writer.entries(), "read");
  };
  if (!arguments.labels.empty()) {
    if (arguments.format != "auto" || arguments.csvOptions) {
      usageError(
          "--labels names the labels of IDX images; --format, --label-column and --header "
          "are for text input");
    }
    // IDX: a plain file is read from each block's offset; a compressed one is decompressed up to
    // it, so few, large blocks.
    const IdxFiles files{arguments.input, arguments.labels};
    const std::uint64_t total = countIdxRows(files);
    for (std::uint64_t begin = 0; begin < total; begin += 16 * kBlockRows) {
      append(readIdxRows(files, {begin, std::min(total, begin + 16 * kBlockRows)}));
    }
    return;
  }
  const std::vector<char> head = headOf(arguments.input);
  if (recognizesIdx(arguments.input, head)) {
    throw ConfigError(arguments.input +
                      " is an IDX file of images, which carries no labels: pass --labels with the "
                      "IDX file of its labels");
  }
  if (recognizesHdf5Dataset(arguments.input, head)) {
    throw ConfigError(arguments.input +
                      " is an HDF5 file already: give a LIBSVM, CSV/TSV or IDX file");
  }
  const bool csv = arguments.format == "csv" ||
                   (arguments.format == "auto" && recognizesCsv(arguments.input, head));
  if (!csv && arguments.csvOptions) {
    usageError("--label-column and --header are for CSV/TSV input, and " + arguments.input +
               " is read as LIBSVM: pass --format csv, or name it .csv or .tsv");
  }
  const std::unique_ptr<RowStream> stream =
      csv ? std::unique_ptr<RowStream>(std::make_unique<CsvRowStream>(
                arguments.input, arguments.header, arguments.labelColumn))
          : std::make_unique<LibsvmRowStream>(arguments.input);
  for (RowBlock rows = stream->next(kBlockRows); rows.rows() > 0; rows = stream->next(kBlockRows)) {
    append(std::move(rows));
  }
}

// Rows of a /dense file held at a time: some 32 MB of values, whatever d.
std::uint64_t denseBlockRows(std::uint64_t dim) {
  constexpr std::uint64_t kBlockValues = 4ULL << 20;
  return std::clamp<std::uint64_t>(kBlockValues / dim, 1, kBlockRows);
}

// Reads the written file back as a reader will: n, nnz and the fingerprint of every row.
void verify(const std::string& path, const Hdf5DatasetWriter& writer) {
  const Hdf5DatasetHeader header = readHdf5DatasetHeader(path);
  std::uint64_t fingerprint = 0;
  Progress progress;
  const std::uint64_t block = header.dense ? denseBlockRows(header.dim) : kBlockRows;
  for (std::uint64_t begin = 0; begin < header.rows; begin += block) {
    fingerprint += fingerprintRows(readHdf5DatasetRows(path, {begin, begin + block}), begin);
    progress.report(begin, 0, "verified");
  }
  if (header.rows != writer.rows() || header.entries != writer.entries() ||
      header.fingerprint != writer.fingerprint() || fingerprint != writer.fingerprint()) {
    throw IoError(path + ": the file read back differs from what was written (n " +
                  std::to_string(header.rows) + " vs " + std::to_string(writer.rows()) + ", nnz " +
                  std::to_string(header.entries) + " vs " + std::to_string(writer.entries()) +
                  ", fingerprint " + formatFingerprint(fingerprint) + " vs " +
                  formatFingerprint(writer.fingerprint()) + ")");
  }
}

// Refuses (ConfigError) a dense file larger than the free space where it goes.
void requireRoomForDense(const std::string& output, std::uint64_t rows, std::uint64_t dim,
                         hdf5_dataset::ValueType values) {
  const double valueBytes = values == hdf5_dataset::ValueType::kFloat32 ? 4.0 : 8.0;
  const double bytes = static_cast<double>(rows) * static_cast<double>(dim) * valueBytes;
  std::error_code error;
  const std::filesystem::path folder =
      std::filesystem::absolute(std::filesystem::path(output)).parent_path();
  const std::filesystem::space_info space = std::filesystem::space(folder, error);
  if (!error && bytes > static_cast<double>(space.available)) {
    const auto gigabytes = [](double value) { return std::to_string(std::llround(value / 1e9)); };
    throw ConfigError("--layout dense: n x d = " + std::to_string(rows) + " x " +
                      std::to_string(dim) + " values need " + gigabytes(bytes) + " GB, and " +
                      folder.string() + " has " + gigabytes(static_cast<double>(space.available)) +
                      " GB free; use --layout sparse");
  }
}

// The rows of the CSR file `sparse` stored again as /dense in `writer`, block by block: the
// same rows, so the same fingerprint; the source's, which adds up over blocks, goes with the first.
void storeDense(const std::string& sparse, const Hdf5DatasetHeader& header,
                Hdf5DatasetWriter& writer) {
  Progress progress;
  const std::uint64_t block = denseBlockRows(header.dim);
  for (std::uint64_t begin = 0; begin < header.rows; begin += block) {
    writer.append(readHdf5DatasetRows(sparse, {begin, begin + block}),
                  begin == 0 ? header.sourceFingerprint : 0);
    progress.report(writer.rows(), writer.entries(), "stored dense");
  }
}

// Streams the input to CSR in `sparse`; when the layout asks for dense storage (auto: the
// density data.layout = auto stores dense from, which is known only once every row is read),
// stores the rows again as /dense in `output`, removing `sparse`. The path of the result.
std::string writeDataset(const Arguments& arguments, const std::string& sparse,
                         const std::string& output) {
  Hdf5DatasetWriter writer(
      sparse,
      {.values = arguments.values, .source = arguments.input, .normalized = arguments.normalize});
  convertRows(arguments, writer);
  if (writer.rows() == 0) throw DataError(arguments.input, "has no rows");
  writer.finish();
  const Hdf5DatasetHeader header = readHdf5DatasetHeader(sparse);
  if (!storesDense(arguments.layout, header.entries, header.rows, header.dim)) {
    verify(sparse, writer);
    return sparse;
  }
  requireRoomForDense(output, header.rows, header.dim, arguments.values);
  Hdf5DatasetWriter dense(output, {.values = arguments.values,
                                   .denseDim = header.dim,
                                   .source = arguments.input,
                                   .normalized = arguments.normalize});
  storeDense(sparse, header, dense);
  dense.finish();
  std::filesystem::remove(sparse);
  verify(output, dense);
  return output;
}

int convert(const Arguments& arguments) {
  const std::string partial = arguments.output + ".partial-" + std::to_string(::getpid());
  const std::string sparsePartial = partial + "-csr";
  if (sparsePartial.size() >= sizeof partialPaths[0]) {
    usageError(arguments.output + ": path too long");
  }
  std::strncpy(partialPaths[0], partial.c_str(), sizeof partialPaths[0] - 1);
  std::strncpy(partialPaths[1], sparsePartial.c_str(), sizeof partialPaths[1] - 1);
  for (const int signal : {SIGINT, SIGTERM, SIGHUP}) std::signal(signal, removePartial);
  try {
    const std::string written = writeDataset(arguments, sparsePartial, partial);
    std::error_code error;
    std::filesystem::rename(written, arguments.output, error);
    if (error) {
      throw IoError(arguments.output + ": cannot rename " + written + " to it: " + error.message());
    }
    const Hdf5DatasetHeader header = readHdf5DatasetHeader(arguments.output);
    std::cerr << "memsgd-convert: wrote " << arguments.output << ": n = " << header.rows
              << ", d = " << header.dim << ", nnz = " << header.entries << " ("
              << (header.dense ? "dense" : "CSR") << "), fingerprint "
              << formatFingerprint(header.fingerprint) << " (verified)\n";
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(partial, ignored);
    std::filesystem::remove(sparsePartial, ignored);
    throw;
  }
  return 0;
}

}  // namespace
}  // namespace memsgd

int main(int argc, char** argv) {
  try {
    const std::optional<memsgd::Arguments> arguments = memsgd::parseArguments(argc, argv);
    return arguments ? memsgd::convert(*arguments) : 0;
  } catch (const memsgd::Error& error) {
    std::cerr << "memsgd-convert: error: " << error.what() << "\n";
    return error.exitCode();
  } catch (const std::exception& error) {
    std::cerr << "memsgd-convert: error: " << error.what() << "\n";
    return memsgd::kExitRuntimeError;
  }
}
