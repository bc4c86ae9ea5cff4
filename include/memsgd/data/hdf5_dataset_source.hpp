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
// /dense rows [begin, end)), zeros dropped; labelLines and maxIndexLine are row numbers from 1.
// Throws DataError naming the file and the row for /indptr out of order or outside [0, nnz],
// indices outside [0, d) or not increasing within a row, non-finite values or labels, and indices
// above `limit`.
RowBlock readHdf5DatasetRows(const std::string& path, RowRange range, DimLimit limit = {});

// A memsgd HDF5 dataset: each rank reads the attributes and its hyperslab only.
class Hdf5DatasetSource : public DataSource {
 public:
  explicit Hdf5DatasetSource(std::string path) : path_(std::move(path)) {}
  [[nodiscard]] RowShard readShard(const Communicator& comm, DimLimit limit) const override;

 private:
  std::string path_;
};

// The HDF5 signature at offset 0 (a user block, which moves it, is not looked for).
bool recognizesHdf5Dataset(const std::string& path, std::span<const char> head);
// Refuses a labels file (ConfigError naming its key): the file carries its labels.
std::unique_ptr<DataSource> openHdf5Dataset(const SplitFiles& files, const DataConfig& config);

}  // namespace memsgd
