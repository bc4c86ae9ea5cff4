#include "memsgd/data/data_source.hpp"

#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "memsgd/core/error.hpp"

namespace memsgd {

void refuseLabelsFile(const SplitFiles& files, const std::string& carrier) {
  if (files.labels.empty()) return;
  throw ConfigError(files.labelsKey + " = " + files.labels + " is set, but " + files.rowsKey +
                    " = " + files.rows + " " + carrier + ": drop " + files.labelsKey);
}

RowRange rankBlock(const std::string& path, std::uint64_t rows, const Communicator& comm) {
  comm.agreeOn([&] {
    if (rows < static_cast<std::uint64_t>(comm.size())) {
      throw DataError(path, "has " + std::to_string(rows) + " rows, fewer than the " +
                                std::to_string(comm.size()) + " ranks that share it");
    }
  });
  return shardOf(rows, comm.rank(), comm.size());
}

template <typename Scalar>
Dataset<Scalar> toDataset(RowShard shard, std::uint64_t dim) {
  if (!shard.isDense()) {
    return Dataset<Scalar>::fromRows(std::move(shard.rows), dim, shard.globalRows, shard.range);
  }
  if (static_cast<std::uint64_t>(shard.dense.cols()) != dim) {
    throw std::invalid_argument("dataset: dense rows of " + std::to_string(shard.dense.cols()) +
                                " values for dimension " + std::to_string(dim));
  }
  Vector labels = Eigen::Map<const Vector>(shard.rows.labels.data(),
                                           static_cast<Eigen::Index>(shard.rows.rows()));
  if constexpr (std::is_same_v<Scalar, double>) {
    return Dataset<double>::fromDense(std::move(shard.dense), std::move(labels), shard.globalRows,
                                      shard.range);
  } else {
    return Dataset<Scalar>::fromDense(shard.dense.template cast<Scalar>(), std::move(labels),
                                      shard.globalRows, shard.range);
  }
}

template Dataset<float> toDataset<float>(RowShard, std::uint64_t);
template Dataset<double> toDataset<double>(RowShard, std::uint64_t);

}  // namespace memsgd
