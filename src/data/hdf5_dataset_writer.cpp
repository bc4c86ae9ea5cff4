#include "memsgd/data/hdf5_dataset_writer.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "memsgd/core/error.hpp"
#include "memsgd/data/data_fingerprint.hpp"

namespace memsgd {
namespace {

namespace format = hdf5_dataset;

void writeAttribute(hid_t file, const std::string& path, const char* name, hid_t type,
                    const void* data) {
  const Hdf5Handle space(MEMSGD_HDF5_CHECK(H5Screate(H5S_SCALAR), path, name));
  const Hdf5Handle attribute(MEMSGD_HDF5_CHECK(
      H5Acreate2(file, name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT), path, name));
  MEMSGD_HDF5_CHECK(H5Awrite(attribute.get(), type, data), path, name);
}

void writeUnsigned(hid_t file, const std::string& path, const char* name, std::uint64_t value) {
  writeAttribute(file, path, name, H5T_NATIVE_UINT64, &value);
}

// Variable-length UTF-8, as h5py writes a str.
void writeString(hid_t file, const std::string& path, const char* name, const std::string& value) {
  const Hdf5Handle type(MEMSGD_HDF5_CHECK(H5Tcopy(H5T_C_S1), path, name));
  MEMSGD_HDF5_CHECK(H5Tset_size(type.get(), H5T_VARIABLE), path, name);
  MEMSGD_HDF5_CHECK(H5Tset_cset(type.get(), H5T_CSET_UTF8), path, name);
  const char* text = value.c_str();
  writeAttribute(file, path, name, type.get(), static_cast<const void*>(&text));
}

// The rows as the reader will find them: values rounded to the stored type, zeros dropped.
RowBlock asStored(const RowBlock& rows, format::ValueType type) {
  RowBlock stored = rows;
  if (type == format::ValueType::kFloat64) return stored;
  stored.indices.clear();
  stored.values.clear();
  stored.rowOffsets.assign(1, 0);
  for (std::uint64_t row = 0; row < rows.rows(); ++row) {
    for (auto k = rows.rowOffsets[row]; k < rows.rowOffsets[row + 1]; ++k) {
      const auto value = static_cast<double>(static_cast<float>(rows.values[k]));
      if (value != 0.0) {
        stored.indices.push_back(rows.indices[k]);
        stored.values.push_back(value);
      }
    }
    stored.rowOffsets.push_back(static_cast<std::int64_t>(stored.indices.size()));
  }
  return stored;
}

}  // namespace

Hdf5DatasetWriter::Hdf5DatasetWriter(std::string path, Hdf5DatasetOptions options)
    : path_(std::move(path)), options_(std::move(options)) {
  detail::silenceHdf5Errors();
  const Hdf5Handle access(MEMSGD_HDF5_CHECK(H5Pcreate(H5P_FILE_ACCESS), path_, ""));
  // The 1.8 superblock: a file left by a killed writer opens without `h5clear -s` (run_file.cpp).
  MEMSGD_HDF5_CHECK(H5Pset_libver_bounds(access.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST), path_,
                    "");
  file_ = Hdf5Handle(MEMSGD_HDF5_CHECK(
      H5Fcreate(path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get()), path_, ""));
}

void Hdf5DatasetWriter::createColumns(bool whole) {
  // Chunks of a dataset smaller than one are cut to its size: HDF5 stores a chunk whole.
  const auto chunkRows = [&](std::uint64_t width, std::uint64_t length) {
    const std::uint64_t full = std::max<std::uint64_t>(1, format::kChunkElements / width);
    return whole ? std::clamp<std::uint64_t>(length, 1, full) : full;
  };
  const hid_t valueType =
      options_.values == format::ValueType::kFloat32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
  const std::uint64_t rows = pending_.rows();
  labels_ = create(format::kLabels, H5T_IEEE_F64LE, 1, chunkRows(1, rows));
  if (options_.denseDim > 0) {
    dense_ = create(format::kDense, valueType, 2, chunkRows(options_.denseDim, rows));
  } else {
    const std::uint64_t entries = pending_.indices.size();
    indptr_ = create(format::kIndptr, H5T_STD_I64LE, 1, chunkRows(1, rows + 1));
    indices_ = create(format::kIndices, H5T_STD_I32LE, 1, chunkRows(1, entries));
    values_ = create(format::kValues, valueType, 1, chunkRows(1, entries));
    const std::int64_t zero = 0;
    extend(indptr_, format::kIndptr, 0, 1, H5T_NATIVE_INT64, &zero);
  }
  created_ = true;
  RowBlock pending;
  std::swap(pending, pending_);
  write(pending);
}

Hdf5DatasetWriter::Column Hdf5DatasetWriter::create(const char* name, hid_t type, int rank,
                                                    std::uint64_t chunkRows) {
  const std::string object = std::string("/") + name;
  const hsize_t width = rank == 2 ? options_.denseDim : 1;
  const std::array<hsize_t, 2> dims{0, width};
  const std::array<hsize_t, 2> maxDims{H5S_UNLIMITED, width};
  const std::array<hsize_t, 2> chunk{chunkRows, width};
  const Hdf5Handle space(
      MEMSGD_HDF5_CHECK(H5Screate_simple(rank, dims.data(), maxDims.data()), path_, object));
  const Hdf5Handle properties(MEMSGD_HDF5_CHECK(H5Pcreate(H5P_DATASET_CREATE), path_, object));
  MEMSGD_HDF5_CHECK(H5Pset_chunk(properties.get(), rank, chunk.data()), path_, object);
  return {Hdf5Handle(MEMSGD_HDF5_CHECK(H5Dcreate2(file_.get(), name, type, space.get(), H5P_DEFAULT,
                                                  properties.get(), H5P_DEFAULT),
                                       path_, object)),
          type};
}

void Hdf5DatasetWriter::extend(const Column& column, const char* name, std::uint64_t offset,
                               std::uint64_t count, hid_t memoryType, const void* data) {
  if (count == 0) return;
  const std::string object = std::string("/") + name;
  const int rank = &column == &dense_ ? 2 : 1;
  const std::array<hsize_t, 2> dims{offset + count, options_.denseDim};
  MEMSGD_HDF5_CHECK(H5Dset_extent(column.dataset.get(), dims.data()), path_, object);
  const Hdf5Handle fileSpace(MEMSGD_HDF5_CHECK(H5Dget_space(column.dataset.get()), path_, object));
  const std::array<hsize_t, 2> start{offset, 0};
  const std::array<hsize_t, 2> counts{count, options_.denseDim};
  MEMSGD_HDF5_CHECK(H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, start.data(), nullptr,
                                        counts.data(), nullptr),
                    path_, object);
  const Hdf5Handle memorySpace(
      MEMSGD_HDF5_CHECK(H5Screate_simple(rank, counts.data(), nullptr), path_, object));
  MEMSGD_HDF5_CHECK(H5Dwrite(column.dataset.get(), memoryType, memorySpace.get(), fileSpace.get(),
                             H5P_DEFAULT, data),
                    path_, object);
}

void Hdf5DatasetWriter::append(const RowBlock& rows, std::uint64_t sourceFingerprint) {
  const RowBlock stored = asStored(rows, options_.values);
  fingerprint_ += fingerprintRows(stored, rows_);
  sourceFingerprint_ += sourceFingerprint;
  maxIndex_ = std::max(maxIndex_, rows.maxIndex);
  rows_ += stored.rows();
  entries_ += options_.denseDim > 0 ? stored.rows() * options_.denseDim : stored.indices.size();
  if (created_) {
    write(stored);
    return;
  }
  // Until a chunk's worth has come, the rows wait, so that a small file gets small chunks.
  const auto offset = static_cast<std::int64_t>(pending_.indices.size());
  pending_.labels.insert(pending_.labels.end(), stored.labels.begin(), stored.labels.end());
  pending_.indices.insert(pending_.indices.end(), stored.indices.begin(), stored.indices.end());
  pending_.values.insert(pending_.values.end(), stored.values.begin(), stored.values.end());
  for (auto k = stored.rowOffsets.begin() + 1; k != stored.rowOffsets.end(); ++k) {
    pending_.rowOffsets.push_back(*k + offset);
  }
  const std::uint64_t held =
      options_.denseDim > 0 ? pending_.rows() * options_.denseDim : pending_.indices.size();
  if (held >= format::kChunkElements || pending_.rows() >= format::kChunkElements) {
    createColumns(false);
  }
}

void Hdf5DatasetWriter::write(const RowBlock& stored) {
  extend(labels_, format::kLabels, written_, stored.rows(), H5T_NATIVE_DOUBLE,
         stored.labels.data());
  if (options_.denseDim > 0) {
    std::vector<double> block(stored.rows() * options_.denseDim, 0.0);
    for (std::uint64_t row = 0; row < stored.rows(); ++row) {
      for (auto k = stored.rowOffsets[row]; k < stored.rowOffsets[row + 1]; ++k) {
        const auto column = static_cast<std::uint64_t>(stored.indices[k]);
        if (column >= options_.denseDim) {
          throw DataError(path_, "row " + std::to_string(written_ + row + 1) + ": index " +
                                     std::to_string(column) +
                                     " does not fit d = " + std::to_string(options_.denseDim));
        }
        block[row * options_.denseDim + column] = stored.values[k];
      }
    }
    extend(dense_, format::kDense, written_, stored.rows(), H5T_NATIVE_DOUBLE, block.data());
  } else {
    std::vector<std::int64_t> indptr(stored.rowOffsets.begin() + 1, stored.rowOffsets.end());
    for (auto& offset : indptr) offset += static_cast<std::int64_t>(writtenEntries_);
    extend(indptr_, format::kIndptr, written_ + 1, indptr.size(), H5T_NATIVE_INT64, indptr.data());
    extend(indices_, format::kIndices, writtenEntries_, stored.indices.size(), H5T_NATIVE_INT32,
           stored.indices.data());
    extend(values_, format::kValues, writtenEntries_, stored.values.size(), H5T_NATIVE_DOUBLE,
           stored.values.data());
    writtenEntries_ += stored.indices.size();
  }
  written_ += stored.rows();
}

void Hdf5DatasetWriter::finish() {
  if (!created_) createColumns(true);
  const hid_t file = file_.get();
  writeString(file, path_, format::kFormatAttribute, std::string(format::kFormatName));
  writeUnsigned(file, path_, format::kVersionAttribute, format::kVersion);
  writeUnsigned(file, path_, format::kRowsAttribute, rows_);
  writeUnsigned(file, path_, format::kDimAttribute,
                options_.denseDim > 0 ? options_.denseDim : maxIndex_);
  writeUnsigned(file, path_, format::kEntriesAttribute, entries_);
  writeString(file, path_, format::kSourceAttribute, options_.source);
  writeString(file, path_, format::kNormalizedAttribute, options_.normalized ? "l2" : "none");
  writeUnsigned(file, path_, format::kFingerprintAttribute, fingerprint_);
  writeUnsigned(file, path_, format::kSourceFingerprintAttribute, sourceFingerprint_);
  for (Column* column : {&labels_, &dense_, &indptr_, &indices_, &values_}) {
    column->dataset = Hdf5Handle();
  }
  MEMSGD_HDF5_CHECK(H5Fflush(file, H5F_SCOPE_LOCAL), path_, "");
  file_ = Hdf5Handle();
}

}  // namespace memsgd
