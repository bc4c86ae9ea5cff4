#include "memsgd/data/libsvm_source.hpp"

#include "memsgd/data/libsvm_reader.hpp"
#include "memsgd/data/text_split.hpp"

namespace memsgd {

RowShard LibsvmSource::readShard(const Communicator& comm, DimLimit limit) const {
  const TextBlock block = locateTextBlock(path_, {isLibsvmRow}, comm);
  RowShard shard{{}, block.globalRows, block.range};
  comm.agreeOn([&] { shard.rows = readLibsvmRows(path_, block.range, limit, block.start); });
  return shard;
}

bool recognizesLibsvm(const std::string& /*path*/, std::span<const char> /*head*/) { return true; }

std::unique_ptr<DataSource> openLibsvm(const SplitFiles& files, const DataConfig& /*config*/) {
  refuseLabelsFile(files, "is not an IDX file (a LIBSVM file carries its labels)");
  return std::make_unique<LibsvmSource>(files.rows);
}

}  // namespace memsgd
