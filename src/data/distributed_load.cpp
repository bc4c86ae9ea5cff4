#include "memsgd/data/distributed_load.hpp"

#include <algorithm>
#include <bit>
#include <exception>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "memsgd/core/error.hpp"
#include "memsgd/data/binary_labels.hpp"
#include "memsgd/data/class_labels.hpp"
#include "memsgd/data/data_fingerprint.hpp"
#include "memsgd/data/data_format.hpp"
#include "memsgd/data/data_layout.hpp"
#include "memsgd/data/data_source.hpp"
#include "memsgd/data/row_partition.hpp"
#include "memsgd/util/available_memory.hpp"

namespace memsgd {
namespace {

// Each rank's most frequent labels that are gathered: enough to list the labels of any file with
// a few classes exactly; a rank with more is not binary whatever the others hold.
constexpr std::size_t kGatheredLabels = 16;

// The distinct labels of all ranks' rows with their counts. Collective.
LabelSummary gatherLabels(const RowBlock& rows, const Communicator& comm) {
  std::vector<LabelCount> local;
  for (const auto& [label, count] : rows.labelCounts) local.push_back({label, count});
  const auto byFrequency = [](const LabelCount& a, const LabelCount& b) {
    return a.rows != b.rows ? a.rows > b.rows : a.label < b.label;
  };
  std::sort(local.begin(), local.end(), byFrequency);
  // [distinct, (label bits, rows) x kGatheredLabels], rows 0 for unused slots.
  constexpr std::size_t kWidth = 1 + 2 * kGatheredLabels;
  std::vector<std::uint64_t> mine(kWidth, 0);
  mine[0] = local.size();
  for (std::size_t i = 0; i < std::min(local.size(), kGatheredLabels); ++i) {
    mine[1 + 2 * i] = std::bit_cast<std::uint64_t>(local[i].label);
    mine[2 + 2 * i] = local[i].rows;
  }
  std::vector<std::uint64_t> all(kWidth * static_cast<std::size_t>(comm.size()));
  comm.allgather(mine, all);

  std::map<double, std::uint64_t> merged;
  LabelSummary summary;
  for (std::size_t offset = 0; offset < all.size(); offset += kWidth) {
    summary.distinct = std::max(summary.distinct, all[offset]);
    summary.exact = summary.exact && all[offset] <= kGatheredLabels;
    for (std::size_t i = 0; i < kGatheredLabels; ++i) {
      const std::uint64_t count = all[offset + 2 + 2 * i];
      if (count > 0) merged[std::bit_cast<double>(all[offset + 1 + 2 * i])] += count;
    }
  }
  for (const auto& [label, count] : merged) summary.labels.push_back({label, count});
  std::sort(summary.labels.begin(), summary.labels.end(), byFrequency);
  summary.distinct = std::max<std::uint64_t>(summary.distinct, summary.labels.size());
  return summary;
}

// The sorted distinct classes of all ranks' rows, exactly (not only the most frequent, as for the
// binary check): each rank's list, padded to the longest, gathered. Collective.
std::vector<std::int64_t> gatherClasses(const std::string& path, const RowBlock& rows,
                                        const Communicator& comm) {
  std::vector<std::int64_t> mine;
  comm.agreeOn([&] { mine = distinctClasses(path, rows); });
  const std::uint64_t width = 1 + comm.allreduceMax(static_cast<std::uint64_t>(mine.size()));
  std::vector<std::uint64_t> slots(width, 0);  // [count, labels...]
  slots[0] = mine.size();
  std::ranges::transform(mine, slots.begin() + 1,
                         [](std::int64_t label) { return std::bit_cast<std::uint64_t>(label); });
  std::vector<std::uint64_t> all(width * static_cast<std::size_t>(comm.size()));
  comm.allgather(slots, all);
  std::vector<std::int64_t> classes;
  for (std::size_t offset = 0; offset < all.size(); offset += width) {
    for (std::size_t i = 0; i < all[offset]; ++i) {
      classes.push_back(std::bit_cast<std::int64_t>(all[offset + 1 + i]));
    }
  }
  std::ranges::sort(classes);
  classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
  return classes;
}

// Reads this rank's block of the split's files through their format's source (data_format.hpp);
// `limit` rejects wider rows. Collective, a failure on one rank agreed on by all, so a bad line
// on one rank stops all ranks with its message. Binary labels: those of the
// whole file must be a binary spelling (refused on every rank alike), and the rows leave with
// labels -1/+1; class labels must be integers (the first other line in the file is refused; the
// lowest failing rank's message is the one printed) and leave as read, to be fingerprinted before
// fromFile maps them; real labels stay as read (the reader has refused non-finite ones).
RowShard readBlock(const SplitFiles& files, const DataConfig& config, DimLimit limit,
                   LabelKind labels, LabelRole role, const Communicator& comm) {
  const std::string& path = files.rows;
  std::unique_ptr<DataSource> source;
  comm.agreeOn([&] {
    source = openDataSource(files, config);
    source->requireLabels(labels);
  });
  RowShard local = source->readShard(comm, limit);
  if (labels == LabelKind::kBinary) {
    const LabelSummary found = gatherLabels(local.rows, comm);
    comm.agreeOn([&] { requireBinaryLabels(path, found, role); });
    toSignLabels(local.rows);
  } else if (labels == LabelKind::kClasses) {
    comm.agreeOn([&] { requireIntegerLabels(path, local.rows); });
  }
  return local;
}

// One split's shard and the fingerprint of the whole split.
template <typename Scalar>
struct LoadedSplit {
  Dataset<Scalar> data;
  std::uint64_t fingerprint = 0;
};

// Collective: the sum of every rank's partial fingerprint.
std::uint64_t combineFingerprint(std::uint64_t mine, const Communicator& comm) {
  comm.allreduceSum(std::span<std::uint64_t>(&mine, 1));
  return mine;
}

// The partial fingerprint of this rank's rows, dense or compressed.
std::uint64_t fingerprintShard(const RowShard& local) {
  if (!local.isDense()) return fingerprintRows(local.rows, local.range.begin);
  return fingerprintRows(local.dense, local.rows.labels, local.range.begin);
}

// The split read from `path`, fingerprinted as parsed (before normalisation and rounding, and
// with class labels as written, so that the fingerprint stands for the class map too), then with
// class labels mapped through `classes` when they are given.
template <typename Scalar>
LoadedSplit<Scalar> fromFile(const std::string& path, RowShard local, std::uint64_t dim,
                             Normalization normalize, const Communicator& comm,
                             const std::vector<std::int64_t>* classes = nullptr) {
  const std::uint64_t fingerprint = combineFingerprint(fingerprintShard(local), comm);
  if (classes != nullptr) {
    comm.agreeOn([&] { toClassIndices(path, *classes, local.rows); });
  }
  const bool normalized = local.normalized;
  Dataset<Scalar> data = toDataset<Scalar>(std::move(local), dim);
  if (normalize == Normalization::kL2 && !normalized) data.normalizeRows();
  return {std::move(data), fingerprint};
}

// The first line of the training file that holds index `dim`, its largest. Collective.
std::uint64_t lineOfIndex(const RowBlock& rows, std::uint64_t dim, const Communicator& comm) {
  return comm.allreduceMin(rows.maxIndex == dim ? rows.maxIndexLine
                                                : std::numeric_limits<std::uint64_t>::max());
}

template <typename Scalar>
LoadedSplit<Scalar> loadTrain(const DataConfig& config, LabelKind labels, const Communicator& comm,
                              DimOrigin& origin, std::vector<std::int64_t>& classes) {
  comm.agreeOn([&] { refuseUnusedFormat(config); });
  RowShard train =
      readBlock({config.train, config.trainLabels, "data.train", "data.train_labels"}, config,
                {config.dim, DimSource::kDataDim}, labels, LabelRole::kTraining, comm);
  // A source with a d of its own (a generator's) sets it, like data.dim, whatever its indices.
  const std::uint64_t dim = config.dim > 0  ? config.dim
                            : train.dim > 0 ? train.dim
                                            : comm.allreduceMax(train.rows.maxIndex);
  if (dim == 0) {  // every rank sees the same d, so every rank raises the same error
    throw AgreedError(config.train + ": no row has a feature, so the dimension is 0", 0,
                      kExitDataError);
  }
  if (config.dim > 0 || train.dim > 0) {
    origin = {config.dim > 0 ? "data.dim" : "data.train", "", 0};
  } else {
    origin = {"", config.train, lineOfIndex(train.rows, dim, comm)};
  }
  if (labels != LabelKind::kClasses) {
    return fromFile<Scalar>(config.train, std::move(train), dim, config.normalize, comm);
  }
  classes = gatherClasses(config.train, train.rows, comm);
  comm.agreeOn([&] { requireTrainingClasses(config.train, classes); });
  return fromFile<Scalar>(config.train, std::move(train), dim, config.normalize, comm, &classes);
}

// data.layout: both splits in dense storage when the training set's density asks for it (or the
// key does) and this node can hold them; the same choice on every rank. A training set its source
// delivered dense stays dense: synthetic:epsilon (generated dense, whatever the key; its test set
// keeps its storage under sparse) or an HDF5 /dense file, which its source delivers dense only
// when the key's rule does (hdf5_dataset_source.hpp), so that the test set follows here.
template <typename Scalar>
void applyLayout(const DataConfig& config, ShardedData<Scalar>& shards, const Communicator& comm) {
  if (shards.train.isDense() && (config.layout == RowLayout::kSparse || !shards.test)) return;
  std::uint64_t nonZeros = shards.train.nonZeros();  // n d when dense
  comm.allreduceSum(std::span<std::uint64_t>(&nonZeros, 1));
  const auto dim = static_cast<std::uint64_t>(shards.train.dim());
  if (!storesDense(config.layout, nonZeros, shards.train.globalRows(), dim)) return;
  auto rows = static_cast<std::uint64_t>(shards.train.rows());
  if (shards.test) rows += static_cast<std::uint64_t>(shards.test->rows());
  const std::uint64_t bytes = rows * dim * sizeof(Scalar);
  const auto onNode = static_cast<std::uint64_t>(comm.ranksOnNode());
  const AvailableMemory available = availableMemory();
  // Each rank decides on its own numbers, so all agree on one answer: the least fitting rank's.
  const bool fits = comm.allreduceMin(bytes <= available.bytes / onNode ? 1U : 0U) == 1U;
  if (!fits) {
    if (config.layout == RowLayout::kAuto) return;  // CSR, which holds them already
    comm.agreeOn([&] {
      if (bytes > available.bytes / onNode) {
        throw ConfigError(
            "data.layout = dense: this rank's rows need " + inGib(bytes) + " in dense storage" +
            (onNode > 1 ? " x " + std::to_string(onNode) + " ranks on this node" : "") +
            ", more than the " + inGib(available.bytes) + " available (" + available.limitedBy +
            "); use data.layout = sparse or auto");
      }
    });
  }
  shards.train.storeDense();
  if (shards.test) shards.test->storeDense();
}

}  // namespace

template <typename Scalar>
ShardedData<Scalar> loadShards(const DataConfig& config, const Communicator& comm,
                               LabelKind labels) {
  ShardedData<Scalar> shards;
  LoadedSplit<Scalar> train =
      loadTrain<Scalar>(config, labels, comm, shards.dimOrigin, shards.classLabels);
  shards.train = std::move(train.data);
  shards.trainFingerprint = train.fingerprint;
  const auto dim = static_cast<std::uint64_t>(shards.train.dim());
  std::optional<LoadedSplit<Scalar>> test;
  if (!config.test.empty()) {
    const DimLimit limit{dim, config.dim > 0 ? DimSource::kDataDim : DimSource::kTrainingSet};
    const SplitFiles files{config.test, config.testLabels, "data.test", "data.test_labels"};
    test = fromFile<Scalar>(
        config.test, readBlock(files, config, limit, labels, LabelRole::kTest, comm), dim,
        config.normalize, comm, labels == LabelKind::kClasses ? &shards.classLabels : nullptr);
  }
  if (test) {
    shards.test = std::move(test->data);
    shards.testFingerprint = test->fingerprint;
  }
  applyLayout(config, shards, comm);
  return shards;
}

template ShardedData<float> loadShards<float>(const DataConfig&, const Communicator&, LabelKind);
template ShardedData<double> loadShards<double>(const DataConfig&, const Communicator&, LabelKind);

}  // namespace memsgd
