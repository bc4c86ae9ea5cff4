#include "memsgd/data/csv_source.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "memsgd/core/error.hpp"
#include "memsgd/data/csv_reader.hpp"
#include "memsgd/data/text_split.hpp"

namespace memsgd {

RowShard CsvSource::readShard(const Communicator& comm, DimLimit limit) const {
  CsvHead head;
  comm.agreeOn([&] { head = readCsvHead(path_, config_.header); });
  const TextBlock block = locateTextBlock(path_, {isCsvRow, head.dataStart}, comm);
  RowShard shard{{}, block.globalRows, block.range};
  comm.agreeOn([&] {
    shard.rows = readCsvRows(path_, head, config_.labelColumn, block.range, limit, block.start);
  });
  return shard;
}

bool recognizesCsv(const std::string& path, std::span<const char> /*head*/) {
  std::string name(path);
  std::ranges::transform(name, name.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const std::string_view compression : {"", ".gz", ".bz2"}) {
    if (!name.ends_with(compression)) continue;
    const std::string_view stem(name.data(), name.size() - compression.size());
    if (stem.ends_with(".csv") || stem.ends_with(".tsv")) return true;
  }
  return false;
}

std::unique_ptr<DataSource> openCsv(const SplitFiles& files, const DataConfig& config) {
  refuseLabelsFile(files, "is a CSV file, whose rows carry their labels (data.label_column)");
  return std::make_unique<CsvSource>(files.rows, config);
}

void refuseCsvKeys(const SplitFiles& files, const std::string& format, const DataConfig& config) {
  const auto refuse = [&](const std::string& key) {
    throw ConfigError(key + " is set, but " + files.rowsKey + " = " + files.rows + " is read as " +
                      format + ", not csv: drop " + key + " or set data.format = csv");
  };
  if (config.labelColumn != 0) refuse("data.label_column");
  if (config.header) refuse("data.header");
}

}  // namespace memsgd
