#include "memsgd/data/idx_source.hpp"

#include "memsgd/core/error.hpp"

namespace memsgd {

RowShard IdxSource::readShard(const Communicator& comm, DimLimit limit) const {
  return countThenRead(
      files_.images, comm, [&] { return countIdxRows(files_); },
      [&](RowRange range) { return readIdxRows(files_, range, limit); });
}

bool recognizesIdx(const std::string& /*path*/, std::span<const char> head) {
  return head.size() >= 4 && head[0] == 0 && head[1] == 0 && head[3] != 0;
}

std::unique_ptr<DataSource> openIdx(const SplitFiles& files, const DataConfig& /*config*/) {
  if (files.labels.empty()) {
    throw ConfigError(files.rowsKey + " = " + files.rows +
                      " is an IDX file of images, which carries no labels: set " + files.labelsKey +
                      " to the IDX file of its labels");
  }
  return std::make_unique<IdxSource>(IdxFiles{files.rows, files.labels});
}

}  // namespace memsgd
