#pragma once

#include <memory>
#include <span>
#include <string>

#include "memsgd/config/run_config.hpp"
#include "memsgd/data/data_source.hpp"
#include "memsgd/data/idx_reader.hpp"

namespace memsgd {

// IDX images with the IDX file of their labels: N from the two headers, then each rank reads its
// block only (idx_reader.hpp; a compressed file is decompressed up to the block).
class IdxSource : public DataSource {
 public:
  explicit IdxSource(IdxFiles files) : files_(std::move(files)) {}
  [[nodiscard]] RowShard readShard(const Communicator& comm, DimLimit limit) const override;

 private:
  IdxFiles files_;
};

// The first bytes are 0, 0, a type code and a rank >= 1, which no LIBSVM text starts with.
bool recognizesIdx(const std::string& path, std::span<const char> head);
// Needs the labels file (ConfigError naming its key otherwise): IDX images carry no labels.
std::unique_ptr<DataSource> openIdx(const SplitFiles& files, const DataConfig& config);

}  // namespace memsgd
