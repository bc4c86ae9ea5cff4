#include "memsgd/data/data_source.hpp"

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

}  // namespace memsgd
