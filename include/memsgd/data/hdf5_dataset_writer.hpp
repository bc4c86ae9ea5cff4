#pragma once

#include <cstdint>
#include <string>

#include "memsgd/data/hdf5_dataset_format.hpp"
#include "memsgd/data/row_block.hpp"
#include "memsgd/util/hdf5_handle.hpp"

namespace memsgd {

struct Hdf5DatasetOptions {
  hdf5_dataset::ValueType values = hdf5_dataset::ValueType::kFloat64;
  std::uint64_t denseDim = 0;  // > 0: rows stored in /dense [n x denseDim]; 0: CSR
  std::string source;          // the input's path as given, for the `source` attribute
  bool normalized = false;     // the rows appended have unit norm (`normalized` = "l2")
};

// Writes a memsgd HDF5 dataset (README "The HDF5 dataset format") block by block, in memory
// bounded by one block and one chunk: the datasets are extendible and chunked along the rows,
// created once a chunk's worth of rows has come (or by finish(), with chunks cut to the size of a
// smaller file, so that a file of a few rows stays some 20 kB), and n, d, nnz and
// the fingerprints are written by finish(). A file without them is not a dataset, so one left by
// an interrupted writer is refused by the reader. Throws IoError for a failed HDF5 call.
class Hdf5DatasetWriter {
 public:
  // Creates (or truncates) `path`.
  Hdf5DatasetWriter(std::string path, Hdf5DatasetOptions options);

  // Appends rows as they are to be stored (already normalised when options.normalized), their
  // indices below options.denseDim for dense storage; `sourceFingerprint` is fingerprintRows of
  // the input's rows as parsed, which finish() adds up for the `source_fingerprint` attribute.
  void append(const RowBlock& rows, std::uint64_t sourceFingerprint);

  // Writes the attributes (d: denseDim, or the largest index appended) and closes the file.
  void finish();

  [[nodiscard]] std::uint64_t rows() const { return rows_; }
  [[nodiscard]] std::uint64_t entries() const { return entries_; }
  [[nodiscard]] std::uint64_t fingerprint() const { return fingerprint_; }

 private:
  struct Column {
    Hdf5Handle dataset;
    hid_t type = H5I_INVALID_HID;  // the stored type, a predefined one
  };

  // The datasets, chunked for a file of at least one chunk or, when `whole`, of pending_'s size;
  // then writes pending_.
  void createColumns(bool whole);
  Column create(const char* name, hid_t type, int rank, std::uint64_t chunkRows);
  void write(const RowBlock& stored);
  void extend(const Column& column, const char* name, std::uint64_t offset, std::uint64_t count,
              hid_t memoryType, const void* data);

  std::string path_;
  Hdf5DatasetOptions options_;
  Hdf5Handle file_;
  Column labels_, dense_, indptr_, indices_, values_;
  bool created_ = false;
  RowBlock pending_;           // stored rows not yet written, before created_
  std::uint64_t rows_ = 0;     // appended
  std::uint64_t entries_ = 0;  // appended
  std::uint64_t written_ = 0;  // rows written to the file
  std::uint64_t writtenEntries_ = 0;
  std::uint64_t maxIndex_ = 0;
  std::uint64_t fingerprint_ = 0;
  std::uint64_t sourceFingerprint_ = 0;
};

}  // namespace memsgd
