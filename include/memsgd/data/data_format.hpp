#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "memsgd/config/run_config.hpp"
#include "memsgd/data/data_source.hpp"

namespace memsgd {

// A format that data.train and data.test may be in: a file format, or a generator.
struct DataFormat {
  std::string name;  // data.format's word for it
  // Whether a file is in this format, from its name and its first bytes (decompressed when the
  // file is gzip or bzip2; fewer than asked for in a short file). Formats are asked in the
  // registry's order; the last (LIBSVM text) takes any file.
  bool (*recognizes)(const std::string& path, std::span<const char> head);
  // The source of one split; throws ConfigError naming a key that does not fit the format (a
  // labels file for a format that carries its labels, say).
  std::unique_ptr<DataSource> (*open)(const SplitFiles& files, const DataConfig& config);
  // A source that is a name, not a file (synthetic:NAME): recognized from the name alone (an
  // empty head), before data.format is consulted and without opening anything. data.format
  // names file formats only, so it has no word for a generated format.
  bool generated = false;
};

// The known formats in the order they are asked.
const std::vector<DataFormat>& dataFormats();

// "auto" and each file format's name: the words data.format takes.
std::vector<std::string> dataFormatNames();

// The generated format that `path` names, else the file format `configured` (data.format) names,
// or for "auto" the first that recognizes the file at `path`. Throws ConfigError naming data.format
// for an unknown name, DataError naming the file when it cannot be read.
const DataFormat& formatOf(const std::string& path, const std::string& configured);

// The source of `files` in formatOf(files.rows, config.format).
std::unique_ptr<DataSource> openDataSource(const SplitFiles& files, const DataConfig& config);

// Refuses (ConfigError naming data.format) a data.format set when no split is read from a file,
// where it would go unused.
void refuseUnusedFormat(const DataConfig& config);

}  // namespace memsgd
