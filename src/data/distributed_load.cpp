#include "memsgd/data/distributed_load.hpp"

#include <exception>
#include <span>
#include <string>
#include <type_traits>

#include "memsgd/data/data_fingerprint.hpp"
#include "memsgd/data/libsvm_reader.hpp"
#include "memsgd/data/row_partition.hpp"
#include "memsgd/data/synthetic_data.hpp"

namespace memsgd {
namespace {

struct LocalRows {
  LibsvmRows rows;
  std::uint64_t globalRows = 0;
  RowRange range;
};

// Reads this rank's block of `path`; `maxDim` > 0 rejects wider rows. Collective through
// agreeOnFailure, so a bad line on one rank stops all ranks with its message.
LocalRows readBlock(const std::string& path, std::uint64_t maxDim, const Communicator& comm) {
  LocalRows local;
  comm.agreeOn([&] {
    local.globalRows = countLibsvmRows(path);
    if (local.globalRows < static_cast<std::uint64_t>(comm.size())) {
      throw DataError(path, "has " + std::to_string(local.globalRows) + " rows, fewer than the " +
                                std::to_string(comm.size()) + " ranks that share it");
    }
    local.range = shardOf(local.globalRows, comm.rank(), comm.size());
    local.rows = readLibsvmRows(path, local.range, maxDim);
  });
  return local;
}

template <typename Scalar>
Dataset<Scalar> toDataset(LocalRows local, std::uint64_t dim, Normalization normalize) {
  Dataset<Scalar> data =
      Dataset<Scalar>::fromLibsvm(std::move(local.rows), dim, local.globalRows, local.range);
  if (normalize == Normalization::kL2) {
    data.normalizeRows();
  }
  return data;
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

// The split read from a file, fingerprinted as parsed (before normalisation and rounding).
template <typename Scalar>
LoadedSplit<Scalar> fromFile(LocalRows local, std::uint64_t dim, Normalization normalize,
                             const Communicator& comm) {
  const std::uint64_t fingerprint =
      combineFingerprint(fingerprintRows(local.rows, local.range.begin), comm);
  return {toDataset<Scalar>(std::move(local), dim, normalize), fingerprint};
}

// Generates this rank's block of a "synthetic:NAME" source, collectively like readBlock, and
// fingerprints its double rows. They already have unit norm, so data.normalize has nothing left
// to do.
template <typename Scalar>
LoadedSplit<Scalar> generateBlock(const DataConfig& config, SyntheticSplit split,
                                  const Communicator& comm) {
  LoadedSplit<Scalar> loaded;
  comm.agreeOn([&] {
    Dataset<double> generated = generateSynthetic(config, split, comm.rank(), comm.size());
    loaded.fingerprint = fingerprintRows(generated);
    if constexpr (std::is_same_v<Scalar, double>) {
      loaded.data = std::move(generated);
    } else {
      loaded.data = generated.template cast<Scalar>();
    }
  });
  loaded.fingerprint = combineFingerprint(loaded.fingerprint, comm);
  return loaded;
}

template <typename Scalar>
LoadedSplit<Scalar> loadTrain(const DataConfig& config, const Communicator& comm) {
  if (isSyntheticSource(config.train))
    return generateBlock<Scalar>(config, SyntheticSplit::kTrain, comm);
  LocalRows train = readBlock(config.train, config.dim, comm);
  const std::uint64_t dim = config.dim > 0 ? config.dim : comm.allreduceMax(train.rows.maxIndex);
  if (dim == 0) {  // every rank sees the same d, so every rank raises the same error
    throw AgreedError(config.train + ": no row has a feature, so the dimension is 0", 0,
                      kExitDataError);
  }
  return fromFile<Scalar>(std::move(train), dim, config.normalize, comm);
}

}  // namespace

template <typename Scalar>
ShardedData<Scalar> loadShards(const DataConfig& config, const Communicator& comm) {
  LoadedSplit<Scalar> train = loadTrain<Scalar>(config, comm);
  ShardedData<Scalar> shards{std::move(train.data), std::nullopt, train.fingerprint, std::nullopt};
  const auto dim = static_cast<std::uint64_t>(shards.train.dim());
  std::optional<LoadedSplit<Scalar>> test;
  if (isSyntheticSource(config.test)) {
    DataConfig withTrainDim = config;  // the test set takes the training d, as a file does
    withTrainDim.dim = dim;
    test = generateBlock<Scalar>(withTrainDim, SyntheticSplit::kTest, comm);
  } else if (!config.test.empty()) {
    test = fromFile<Scalar>(readBlock(config.test, dim, comm), dim, config.normalize, comm);
  }
  if (test) {
    shards.test = std::move(test->data);
    shards.testFingerprint = test->fingerprint;
  }
  return shards;
}

template ShardedData<float> loadShards<float>(const DataConfig&, const Communicator&);
template ShardedData<double> loadShards<double>(const DataConfig&, const Communicator&);

}  // namespace memsgd
