#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "memsgd/config/run_config.hpp"
#include "memsgd/data/data_source.hpp"
#include "memsgd/data/hdf5_dataset_format.hpp"
#include "memsgd/data/row_block.hpp"
#include "memsgd/data/row_partition.hpp"

namespace memsgd {

// The attributes of a memsgd HDF5 dataset, checked against its arrays' shapes and types.
struct Hdf5DatasetHeader {
  std::uint64_t rows = 0;     // n
  std::uint64_t dim = 0;      // d
  std::uint64_t entries = 0;  // nnz: stored entries (n d for /dense)
  bool dense = false;         // /dense rather than /indptr, /indices, /values
  bool normalized = false;    // normalized = "l2": rows stored with unit norm
  hdf5_dataset::ValueType values = hdf5_dataset::ValueType::kFloat64;
  std::string source;
  std::uint64_t fingerprint = 0;
  std::uint64_t sourceFingerprint = 0;
};

// Reads and checks the attributes and shapes only. Throws DataError naming the file for a file
// that is not HDF5 (or is truncated or corrupt), a missing dataset or attribute, a wrong type, and
// attributes that disagree with the arrays.
Hdf5DatasetHeader readHdf5DatasetHeader(const std::string& path);

// The rows `range` (clipped to n) and, besides the attributes, nothing else of the file:
// /labels[begin, end), /indptr[begin, end], /indices and /values [indptr[begin], indptr[end]) (or
// /dense rows [begin, end)), as CSR, zeros dropped; labelLines and maxIndexLine are row numbers
// from 1; maxIndex is the largest index stored (d for /dense), not the file's d.
// Throws DataError naming the file and the row for /indptr out of order or outside [0, nnz],
// indices outside [0, d) or not increasing within a row, non-finite values or labels, and indices
// above `limit`.
RowBlock readHdf5DatasetRows(const std::string& path, RowRange range, DimLimit limit = {});

// What decides whether a /dense file's rows are delivered dense (RowShard::dense, read into it
// with no CSR copy) or as CSR: dense under data.layout = dense, and for the training set under
// auto when its density is kDenseFromDensity or more (the test set then follows in the load path);
// CSR under sparse, for rows data.normalize scales, and for a block narrower than the run's d.
struct Hdf5Delivery {
  RowLayout layout = RowLayout::kAuto;  // data.layout
  bool normalizes = false;              // data.normalize = l2
  bool training = true;                 // the training split (data.train)
};

// A memsgd HDF5 dataset: each rank reads the attributes and its hyperslab only. The shard's dim
// is the file's d.
class Hdf5DatasetSource : public DataSource {
 public:
  explicit Hdf5DatasetSource(std::string path, Hdf5Delivery delivery = {})
      : path_(std::move(path)), delivery_(delivery) {}
  [[nodiscard]] RowShard readShard(const Communicator& comm, DimLimit limit) const override;

 private:
  [[nodiscard]] bool deliversDense(const Hdf5DatasetHeader& header, DimLimit limit) const;

  std::string path_;
  Hdf5Delivery delivery_;
};

// The HDF5 signature at offset 0 (a user block, which moves it, is not looked for).
bool recognizesHdf5Dataset(const std::string& path, std::span<const char> head);
// Refuses a labels file (ConfigError naming its key): the file carries its labels.
std::unique_ptr<DataSource> openHdf5Dataset(const SplitFiles& files, const DataConfig& config);

}  // namespace memsgd
