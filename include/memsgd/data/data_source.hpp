#pragma once

#include <cstdint>
#include <string>

#include "memsgd/data/dataset.hpp"
#include "memsgd/data/label_kind.hpp"
#include "memsgd/data/row_block.hpp"
#include "memsgd/data/row_partition.hpp"
#include "memsgd/mpi/communicator.hpp"

namespace memsgd {

// One split (the training or the test set) as the configuration names it.
struct SplitFiles {
  std::string rows;       // data.train or data.test
  std::string labels;     // data.train_labels or data.test_labels; empty when not set
  std::string rowsKey;    // "data.train" or "data.test", for messages
  std::string labelsKey;  // "data.train_labels" or "data.test_labels"
};

// This rank's block of a split: the rows `range` of its `globalRows`, range = shardOf(globalRows,
// rank, P) (row_partition.hpp), so that every format shards alike.
struct RowShard {
  RowBlock rows;
  std::uint64_t globalRows = 0;
  RowRange range;
  bool normalized = false;  // the source stores rows of unit L2 norm: data.normalize has no work
  // The source's own d (a generator's), which the rows' largest index need not reach; 0 when d
  // comes from the indices read (or data.dim).
  std::uint64_t dim = 0;
  // A source whose rows are dense by nature (synthetic:epsilon) delivers their values here,
  // rows.rows() x d, so that no compressed copy of a dense block is made; `rows` then holds their
  // labels, label counts and maxIndex only. 0 x 0 for every other source.
  Dataset<double>::DenseRows dense{};
  [[nodiscard]] bool isDense() const { return dense.cols() > 0; }
};

// Reads one split in one format. A format is its own file pair (a class deriving from this) and
// one line in data_format.cpp's registry.
class DataSource {
 public:
  DataSource() = default;
  virtual ~DataSource() = default;
  DataSource(const DataSource&) = delete;
  DataSource& operator=(const DataSource&) = delete;
  DataSource(DataSource&&) = delete;
  DataSource& operator=(DataSource&&) = delete;

  // Collective. This rank's block, reading no more of the input than the format needs to find it
  // (a seekable format reads its header and the block only). `limit` refuses wider rows. Throws
  // DataError naming the file and the row or line; a failure on one rank must reach every rank:
  // local work runs inside comm.agreeOn, so that no rank waits in a collective another has left.
  [[nodiscard]] virtual RowShard readShard(const Communicator& comm, DimLimit limit) const = 0;

  // Refuses (ConfigError naming the split's key) a model that trains on `labels` when this source
  // cannot give them, before any row is made. A file may hold any labels: they are checked as
  // read, so a file's source refuses nothing here.
  virtual void requireLabels(LabelKind /*labels*/) const {}
};

// For a format whose rows carry their labels: a labels file (data.train_labels) is refused, a
// ConfigError naming its key and saying why (`carrier`: "is a CSV file, whose rows ...").
void refuseLabelsFile(const SplitFiles& files, const std::string& carrier);

// The shard as a Dataset of dimension `dim` (>= its rows' largest index), in the storage it was
// delivered in, values rounded to Scalar. Explicitly instantiated for float and double.
template <typename Scalar>
Dataset<Scalar> toDataset(RowShard shard, std::uint64_t dim);

// Collective through the sizes only: this rank's block of `rows` rows of the file `path`; refuses
// (DataError naming the file, on every rank alike) a split with fewer rows than ranks.
RowRange rankBlock(const std::string& path, std::uint64_t rows, const Communicator& comm);

// readShard of a format that finds n from its input, then reads a block of rows: `count()` (the
// split's n) and `read(range)` (its RowBlock) each run on every rank inside agreeOn, rankBlock
// between them.
template <class Count, class Read>
RowShard countThenRead(const std::string& path, const Communicator& comm, Count count, Read read) {
  RowShard shard;
  comm.agreeOn([&] { shard.globalRows = count(); });
  shard.range = rankBlock(path, shard.globalRows, comm);
  comm.agreeOn([&] { shard.rows = read(shard.range); });
  return shard;
}

}  // namespace memsgd
