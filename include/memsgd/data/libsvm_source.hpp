#pragma once

#include <memory>
#include <span>
#include <string>

#include "memsgd/config/run_config.hpp"
#include "memsgd/data/data_source.hpp"

namespace memsgd {

// LIBSVM text (plain, gzip or bzip2): a plain file is split at byte offsets, so each rank reads
// about 2/P of it; a compressed one is counted whole by every rank, then each parses its block
// (text_split.hpp, libsvm_reader.hpp).
class LibsvmSource : public DataSource {
 public:
  explicit LibsvmSource(std::string path) : path_(std::move(path)) {}
  [[nodiscard]] RowShard readShard(const Communicator& comm, DimLimit limit) const override;

 private:
  std::string path_;
};

// Any file: LIBSVM is the format of last resort, whose reader names the first line it cannot read.
bool recognizesLibsvm(const std::string& path, std::span<const char> head);
// Refuses a labels file (ConfigError naming its key): a LIBSVM row carries its label.
std::unique_ptr<DataSource> openLibsvm(const SplitFiles& files, const DataConfig& config);

}  // namespace memsgd
