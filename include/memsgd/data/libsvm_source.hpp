#pragma once

#include <memory>
#include <span>
#include <string>

#include "memsgd/config/run_config.hpp"
#include "memsgd/data/data_source.hpp"

namespace memsgd {

// LIBSVM text (plain, gzip or bzip2): every rank counts the rows of the whole file, then parses
// its block (libsvm_reader.hpp).
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
