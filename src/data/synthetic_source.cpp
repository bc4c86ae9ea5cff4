#include "memsgd/data/synthetic_source.hpp"

#include "memsgd/core/error.hpp"

namespace memsgd {

RowShard SyntheticSource::readShard(const Communicator& comm, DimLimit limit) const {
  DataConfig sized = config_;
  sized.dim = limit.dim;  // data.dim (or 0: the generator's) for training, the training d for test
  RowShard shard;
  comm.agreeOn([&] { shard = generateSynthetic(sized, split_, comm.rank(), comm.size()); });
  return shard;
}

void SyntheticSource::requireLabels(LabelKind labels) const {
  if (labels != LabelKind::kClasses) return;
  const bool test = split_ == SyntheticSplit::kTest;
  throw ConfigError(std::string(test ? "data.test = " : "data.train = ") +
                    (test ? config_.test : config_.train) +
                    ": a synthetic source has binary labels; this model trains on class labels "
                    "from a file");
}

bool recognizesSynthetic(const std::string& source, std::span<const char> /*head*/) {
  return isSyntheticSource(source);
}

std::unique_ptr<DataSource> openSynthetic(const SplitFiles& files, const DataConfig& config) {
  refuseLabelsFile(files, "is generated with its own labels");
  const SyntheticSplit split =
      files.rowsKey == "data.test" ? SyntheticSplit::kTest : SyntheticSplit::kTrain;
  return std::make_unique<SyntheticSource>(config, split);
}

}  // namespace memsgd
