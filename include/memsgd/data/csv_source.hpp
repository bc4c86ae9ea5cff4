#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "memsgd/config/run_config.hpp"
#include "memsgd/data/data_source.hpp"

namespace memsgd {

// data.format's word for delimited text.
inline constexpr std::string_view kCsvFormat = "csv";

// CSV or TSV text (plain, gzip or bzip2): every rank reads the file's first lines (the header and
// the shape), then a plain file is split at byte offsets, so each rank reads about 2/P of it; a
// compressed one is counted whole by every rank, then each parses its block (text_split.hpp,
// csv_reader.hpp).
class CsvSource : public DataSource {
 public:
  CsvSource(std::string path, DataConfig config)
      : path_(std::move(path)), config_(std::move(config)) {}
  [[nodiscard]] RowShard readShard(const Communicator& comm, DimLimit limit) const override;

 private:
  std::string path_;
  DataConfig config_;
};

// By name only, as text has no signature: a path ending in .csv or .tsv (any case), optionally
// followed by .gz or .bz2.
bool recognizesCsv(const std::string& path, std::span<const char> head);
// Refuses a labels file (ConfigError naming its key): a CSV row carries its label.
std::unique_ptr<DataSource> openCsv(const SplitFiles& files, const DataConfig& config);

// For a split that `format` (not CSV) reads: refuses data.label_column and data.header set to
// anything but their defaults, which it would ignore (ConfigError naming the key and the file).
void refuseCsvKeys(const SplitFiles& files, const std::string& format, const DataConfig& config);

}  // namespace memsgd
