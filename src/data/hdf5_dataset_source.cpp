#include "memsgd/data/hdf5_dataset_source.hpp"

#include <hdf5.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "memsgd/core/error.hpp"
#include "memsgd/data/data_layout.hpp"
#include "memsgd/util/default_init_allocator.hpp"
#include "memsgd/util/hdf5_handle.hpp"

namespace memsgd {
namespace {

namespace format = hdf5_dataset;

// An HDF5 failure inside a dataset file is bad input, not an I/O failure of memsgd's own files.
template <typename Body>
auto asDataError(const std::string& path, Body&& body) {
  try {
    return body();
  } catch (const IoError& error) {
    // HDF5's message starts with the file, which DataError names already: "<file>, <object>: ..."
    std::string_view cause = error.what();
    if (cause.starts_with(path))
      cause.remove_prefix(path.size() + (cause[path.size()] == ':' ? 2 : 0));
    if (cause.starts_with(", ")) cause.remove_prefix(2);
    throw DataError(path, "cannot read it as an HDF5 dataset (not HDF5, truncated or corrupt?): " +
                              std::string(cause));
  }
}

Hdf5Handle openForReading(const std::string& path) {
  detail::silenceHdf5Errors();
  const Hdf5Handle access(MEMSGD_HDF5_CHECK(H5Pcreate(H5P_FILE_ACCESS), path, ""));
  // Many ranks read one file: no lock (which NFS may not even offer) is needed to read.
  MEMSGD_HDF5_CHECK(H5Pset_file_locking(access.get(), false, true), path, "");
  return Hdf5Handle(
      MEMSGD_HDF5_CHECK(H5Fopen(path.c_str(), H5F_ACC_RDONLY, access.get()), path, ""));
}

std::string slashed(const char* name) { return std::string("/") + name; }

bool hasAttribute(hid_t file, const std::string& path, const char* name) {
  return MEMSGD_HDF5_CHECK(H5Aexists(file, name), path, name) > 0;
}

Hdf5Handle openAttribute(hid_t file, const std::string& path, const char* name) {
  if (!hasAttribute(file, path, name)) {
    throw DataError(path, std::string("has no attribute '") + name +
                              "' on its root group: not a memsgd HDF5 dataset "
                              "(README \"The HDF5 dataset format\")");
  }
  return Hdf5Handle(MEMSGD_HDF5_CHECK(H5Aopen(file, name, H5P_DEFAULT), path, name));
}

std::uint64_t readUnsignedAttribute(hid_t file, const std::string& path, const char* name) {
  const Hdf5Handle attribute = openAttribute(file, path, name);
  const Hdf5Handle type(MEMSGD_HDF5_CHECK(H5Aget_type(attribute.get()), path, name));
  if (H5Tget_class(type.get()) != H5T_INTEGER) {
    throw DataError(path, std::string("attribute '") + name + "' is not an integer");
  }
  std::uint64_t value = 0;
  MEMSGD_HDF5_CHECK(H5Aread(attribute.get(), H5T_NATIVE_UINT64, &value), path, name);
  return value;
}

// A string attribute, fixed-length or variable-length (h5py writes the latter).
std::string readStringAttribute(hid_t file, const std::string& path, const char* name) {
  const Hdf5Handle attribute = openAttribute(file, path, name);
  const Hdf5Handle type(MEMSGD_HDF5_CHECK(H5Aget_type(attribute.get()), path, name));
  if (H5Tget_class(type.get()) != H5T_STRING) {
    throw DataError(path, std::string("attribute '") + name + "' is not a string");
  }
  if (MEMSGD_HDF5_CHECK(H5Tis_variable_str(type.get()), path, name) > 0) {
    char* text = nullptr;
    MEMSGD_HDF5_CHECK(H5Aread(attribute.get(), type.get(), static_cast<void*>(&text)), path, name);
    std::string value = text != nullptr ? text : "";
    H5free_memory(text);
    return value;
  }
  std::string value(H5Tget_size(type.get()), '\0');
  MEMSGD_HDF5_CHECK(H5Aread(attribute.get(), type.get(), value.data()), path, name);
  return value.substr(0, value.find('\0'));
}

// What a dataset must hold: its class, the sizes in bytes allowed, signedness for integers.
struct Expected {
  H5T_class_t kind;
  std::vector<std::size_t> sizes;
  const char* words;  // for the message, e.g. "int64"
};

struct Array {
  Hdf5Handle dataset;
  std::vector<hsize_t> dims;
  std::size_t typeSize = 0;
};

bool hasDataset(hid_t file, const std::string& path, const char* name) {
  return MEMSGD_HDF5_CHECK(H5Lexists(file, name, H5P_DEFAULT), path, name) > 0;
}

Array openArray(hid_t file, const std::string& path, const char* name, int rank,
                const Expected& expected) {
  const std::string object = slashed(name);
  if (!hasDataset(file, path, name)) {
    throw DataError(path, "has no dataset " + object + " (README \"The HDF5 dataset format\")");
  }
  // No chunk cache: a chunk the block covers whole is then read straight into our array, not
  // into the cache and copied (each chunk is read once; the partial ones at the block's ends
  // go through HDF5's own buffer still).
  const Hdf5Handle access(MEMSGD_HDF5_CHECK(H5Pcreate(H5P_DATASET_ACCESS), path, object));
  MEMSGD_HDF5_CHECK(H5Pset_chunk_cache(access.get(), 0, 0, 1.0), path, object);
  Array array{
      Hdf5Handle(MEMSGD_HDF5_CHECK(H5Dopen2(file, name, access.get()), path, object)), {}, 0};
  const Hdf5Handle type(MEMSGD_HDF5_CHECK(H5Dget_type(array.dataset.get()), path, object));
  array.typeSize = H5Tget_size(type.get());
  bool fits = H5Tget_class(type.get()) == expected.kind &&
              std::ranges::find(expected.sizes, array.typeSize) != expected.sizes.end();
  if (fits && expected.kind == H5T_INTEGER) fits = H5Tget_sign(type.get()) == H5T_SGN_2;
  if (!fits) {
    throw DataError(path, object + " has the wrong type (expected " + expected.words + ")");
  }
  const Hdf5Handle space(MEMSGD_HDF5_CHECK(H5Dget_space(array.dataset.get()), path, object));
  const int found = MEMSGD_HDF5_CHECK(H5Sget_simple_extent_ndims(space.get()), path, object);
  if (found != rank) {
    throw DataError(path, object + " has " + std::to_string(found) + " dimensions, not " +
                              std::to_string(rank));
  }
  array.dims.resize(static_cast<std::size_t>(rank));
  MEMSGD_HDF5_CHECK(H5Sget_simple_extent_dims(space.get(), array.dims.data(), nullptr), path,
                    object);
  return array;
}

const Expected kFloat64{H5T_FLOAT, {8}, "float64"};
const Expected kFloatValues{H5T_FLOAT, {4, 8}, "float32 or float64"};
const Expected kInt64{H5T_INTEGER, {8}, "int64"};
const Expected kInt32{H5T_INTEGER, {4}, "int32"};

void requireLength(const std::string& path, const char* name, hsize_t found, std::uint64_t expected,
                   const std::string& what) {
  if (found != expected) {
    throw DataError(path, "attribute " + what + " = " + std::to_string(expected) + ", but " +
                              slashed(name) + " has " + std::to_string(found) + " elements");
  }
}

// Reads `count` elements from `first` (and, for /dense, all columns) as `memoryType` into `out`,
// which holds count x (its columns) of them.
void readInto(const Array& array, const std::string& path, const char* name, hid_t memoryType,
              std::uint64_t first, std::uint64_t count, void* out) {
  const std::uint64_t width = array.dims.size() == 2 ? array.dims[1] : 1;
  if (count == 0 || width == 0) return;
  const std::string object = slashed(name);
  const Hdf5Handle fileSpace(MEMSGD_HDF5_CHECK(H5Dget_space(array.dataset.get()), path, object));
  std::array<hsize_t, 2> start{first, 0};
  std::array<hsize_t, 2> counts{count, width};
  const int rank = static_cast<int>(array.dims.size());
  MEMSGD_HDF5_CHECK(H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, start.data(), nullptr,
                                        counts.data(), nullptr),
                    path, object);
  const Hdf5Handle memorySpace(
      MEMSGD_HDF5_CHECK(H5Screate_simple(rank, counts.data(), nullptr), path, object));
  MEMSGD_HDF5_CHECK(H5Dread(array.dataset.get(), memoryType, memorySpace.get(), fileSpace.get(),
                            H5P_DEFAULT, out),
                    path, object);
}

template <typename Vector>
void readSlab(const Array& array, const std::string& path, const char* name, hid_t memoryType,
              std::uint64_t first, std::uint64_t count, Vector& out) {
  out.resize(count * (array.dims.size() == 2 ? array.dims[1] : 1));
  readInto(array, path, name, memoryType, first, count, out.data());
}

// Floats a float32 array is read by at a time (1 MiB), then widened to double in our loop: HDF5's
// own conversion goes through a buffer of its own and is several times slower.
constexpr std::uint64_t kWidenedAtOnce = std::uint64_t{1} << 18;

// readInto of float32 or float64 values as double: float64 straight into `out`, float32 a part
// of the slab at a time into a reused buffer, widened (exactly) in a loop the compiler vectorises.
void readValues(const Array& array, const std::string& path, const char* name, std::uint64_t first,
                std::uint64_t count, double* out) {
  if (array.typeSize == sizeof(double)) {
    readInto(array, path, name, H5T_NATIVE_DOUBLE, first, count, out);
    return;
  }
  const std::uint64_t width = array.dims.size() == 2 ? array.dims[1] : 1;
  const std::uint64_t step =
      std::max<std::uint64_t>(1, kWidenedAtOnce / std::max<std::uint64_t>(width, 1));
  UninitializedVector<float> buffer(std::min(step, count) * width);
  for (std::uint64_t done = 0; done < count; done += step) {
    const std::uint64_t part = std::min(step, count - done);
    readInto(array, path, name, H5T_NATIVE_FLOAT, first + done, part, buffer.data());
    double* to = out + done * width;
    const float* from = buffer.data();
    for (std::uint64_t k = 0; k < part * width; ++k) to[k] = from[k];
  }
}

struct OpenDataset {
  Hdf5Handle file;
  Hdf5DatasetHeader header;
  Array labels, dense, indptr, indices, values;
};

OpenDataset openDataset(const std::string& path) {
  OpenDataset open;
  open.file = openForReading(path);
  const hid_t file = open.file.get();
  Hdf5DatasetHeader& header = open.header;
  const std::string name = readStringAttribute(file, path, format::kFormatAttribute);
  if (name != format::kFormatName) {
    throw DataError(
        path, "attribute format = '" + name + "', not '" + std::string(format::kFormatName) + "'");
  }
  const std::uint64_t version = readUnsignedAttribute(file, path, format::kVersionAttribute);
  if (version != format::kVersion) {
    throw DataError(path, "has format version " + std::to_string(version) +
                              "; this memsgd reads version " + std::to_string(format::kVersion));
  }
  header.rows = readUnsignedAttribute(file, path, format::kRowsAttribute);
  header.dim = readUnsignedAttribute(file, path, format::kDimAttribute);
  header.entries = readUnsignedAttribute(file, path, format::kEntriesAttribute);
  header.source = readStringAttribute(file, path, format::kSourceAttribute);
  const std::string normalized = readStringAttribute(file, path, format::kNormalizedAttribute);
  if (normalized != "none" && normalized != "l2") {
    throw DataError(path, "attribute normalized = '" + normalized + "' (expected none or l2)");
  }
  header.normalized = normalized == "l2";
  header.fingerprint = readUnsignedAttribute(file, path, format::kFingerprintAttribute);
  header.sourceFingerprint =
      hasAttribute(file, path, format::kSourceFingerprintAttribute)
          ? readUnsignedAttribute(file, path, format::kSourceFingerprintAttribute)
          : header.fingerprint;
  if (header.dim > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
    throw DataError(
        path, "attribute d = " + std::to_string(header.dim) + " does not fit the 32-bit index");
  }

  open.labels = openArray(file, path, format::kLabels, 1, kFloat64);
  requireLength(path, format::kLabels, open.labels.dims[0], header.rows, "n");
  header.dense = hasDataset(file, path, format::kDense);
  if (header.dense && hasDataset(file, path, format::kIndptr)) {
    throw DataError(path, "has both /dense and /indptr: one file holds one storage");
  }
  if (header.dense) {
    open.dense = openArray(file, path, format::kDense, 2, kFloatValues);
    requireLength(path, format::kDense, open.dense.dims[0], header.rows, "n");
    if (open.dense.dims[1] != header.dim) {
      throw DataError(path, "attribute d = " + std::to_string(header.dim) + ", but /dense has " +
                                std::to_string(open.dense.dims[1]) + " columns");
    }
    requireLength(path, format::kDense, open.dense.dims[0] * open.dense.dims[1], header.entries,
                  "nnz");
    header.values =
        open.dense.typeSize == 4 ? format::ValueType::kFloat32 : format::ValueType::kFloat64;
    return open;
  }
  open.indptr = openArray(file, path, format::kIndptr, 1, kInt64);
  requireLength(path, format::kIndptr, open.indptr.dims[0], header.rows + 1, "n + 1 = n");
  open.indices = openArray(file, path, format::kIndices, 1, kInt32);
  requireLength(path, format::kIndices, open.indices.dims[0], header.entries, "nnz");
  open.values = openArray(file, path, format::kValues, 1, kFloatValues);
  requireLength(path, format::kValues, open.values.dims[0], header.entries, "nnz");
  header.values =
      open.values.typeSize == 4 ? format::ValueType::kFloat32 : format::ValueType::kFloat64;
  return open;
}

constexpr double kLargest = std::numeric_limits<double>::max();

// Every value finite and nonzero, in one branch-free pass the compiler vectorises.
bool allNonzero(std::span<const double> values) {
  bool all = true;
  for (const double value : values) all &= std::abs(value) <= kLargest && value != 0.0;
  return all;
}

// Checks one row's entries; `number` is the row's number from 1. The rows are read in place:
// the caller keeps an entry's nonzero value.
class RowChecker {
 public:
  RowChecker(const std::string& path, const Hdf5DatasetHeader& header, DimLimit limit,
             RowBlock& rows)
      : path_(path), header_(header), limit_(limit), rows_(rows) {}

  void label(std::uint64_t number, double label) {
    if (!std::isfinite(label)) fail(number, "label " + std::to_string(label) + " is not finite");
    label += 0.0;  // -0 and +0 are one label
    rows_.labels.push_back(label);
    if (++rows_.labelCounts[label] == 1) rows_.labelLines.emplace(label, number);
  }

  void entry(std::uint64_t number, std::int64_t index, double value, std::int64_t previous) {
    if (index < 0 || static_cast<std::uint64_t>(index) >= header_.dim) {
      fail(number, "index " + std::to_string(index) + " is outside [0, d = " +
                       std::to_string(header_.dim) + ") (indices are 0-based)");
    }
    if (index <= previous) {
      fail(number, "index " + std::to_string(index) +
                       " is not strictly increasing (previous index " + std::to_string(previous) +
                       ")");
    }
    const auto oneBased = static_cast<std::uint64_t>(index) + 1;
    if (limit_.dim > 0 && oneBased > limit_.dim) beyondLimit(number, oneBased);
    finite(number, index, value);
    if (oneBased > rows_.maxIndex) {
      rows_.maxIndex = oneBased;
      rows_.maxIndexLine = number;
    }
  }

  // A /dense row holds every column, in order: only its values need a look. A stored -0 becomes
  // +0 (a zero is no entry, in either storage). Returns how many of its values are not zero.
  std::uint64_t denseRow(std::uint64_t number, std::span<double> values) {
    if (limit_.dim > 0 && header_.dim > limit_.dim) beyondLimit(number, limit_.dim + 1);
    if (header_.dim > rows_.maxIndex) {
      rows_.maxIndex = header_.dim;
      rows_.maxIndexLine = number;
    }
    if (allNonzero(values)) return values.size();  // the common row
    std::uint64_t nonZeros = 0;
    for (std::size_t column = 0; column < values.size(); ++column) {
      finite(number, static_cast<std::int64_t>(column), values[column]);
      values[column] += 0.0;
      nonZeros += values[column] != 0.0 ? 1 : 0;
    }
    return nonZeros;
  }

  // Whether a CSR row needs no look entry by entry: indices increasing in [0, min(d, limit)),
  // values finite and nonzero; then its largest index is noted. A row that is not is checked by
  // entry(), which names what is wrong.
  bool cleanRow(std::uint64_t number, std::span<const std::int32_t> indices,
                std::span<const double> values) {
    if (indices.empty()) return true;
    const std::uint64_t bound =
        limit_.dim > 0 ? std::min<std::uint64_t>(header_.dim, limit_.dim) : header_.dim;
    if (indices.front() < 0 || static_cast<std::uint64_t>(indices.back()) >= bound) return false;
    bool clean = allNonzero(values);
    for (std::size_t k = 1; k < indices.size(); ++k) clean &= indices[k - 1] < indices[k];
    if (!clean) return false;
    const auto oneBased = static_cast<std::uint64_t>(indices.back()) + 1;
    if (oneBased > rows_.maxIndex) {
      rows_.maxIndex = oneBased;
      rows_.maxIndexLine = number;
    }
    return true;
  }

  void finite(std::uint64_t number, std::int64_t index, double value) const {
    if (!std::isfinite(value)) {
      fail(number, "value at index " + std::to_string(index) + " is NaN or infinite");
    }
  }

  void endRow(std::size_t kept) { rows_.rowOffsets.push_back(static_cast<std::int64_t>(kept)); }

  [[noreturn]] void fail(std::uint64_t number, const std::string& what) const {
    throw DataError(path_, "row " + std::to_string(number) + ": " + what);
  }

 private:
  // As the LIBSVM reader words it, with the row for the line.
  [[noreturn]] void beyondLimit(std::uint64_t number, std::uint64_t oneBased) const {
    const std::string what = "index " + std::to_string(oneBased) + " (1-based)";
    const std::string dim = std::to_string(limit_.dim);
    if (limit_.source == DimSource::kDataDim) fail(number, what + " exceeds data.dim = " + dim);
    fail(number, what + " exceeds the training dimension " + dim + "; set data.dim to at least " +
                     std::to_string(oneBased) + " to train with the test set's features");
  }

  const std::string& path_;
  const Hdf5DatasetHeader& header_;
  DimLimit limit_;
  RowBlock& rows_;
};

// Checks the labels and the `count` x d cells of a /dense block and returns how many cells are
// not zero.
std::uint64_t checkDenseRows(RowChecker& checker, RowRange range, std::span<const double> labels,
                             double* cells, std::uint64_t dim) {
  std::uint64_t nonZeros = 0;
  for (std::uint64_t row = 0; row < range.size(); ++row) {
    const std::uint64_t number = range.begin + row + 1;
    checker.label(number, labels[row]);
    nonZeros += checker.denseRow(number, std::span<double>(cells + row * dim, dim));
  }
  return nonZeros;
}

// Checked /dense cells (`count` rows of d) as CSR rows in `rows`, zeros dropped. `cells` may be
// rows.values itself: an entry is written at or before where it was read.
void compressDense(const double* cells, std::uint64_t count, std::uint64_t dim, RowBlock& rows) {
  auto& values = rows.values;
  auto& indices = rows.indices;
  values.resize(count * dim);
  indices.resize(count * dim);
  std::size_t kept = 0;
  for (std::uint64_t row = 0; row < count; ++row) {
    const std::span<const double> dense(cells + row * dim, dim);
    if (allNonzero(dense)) {  // the common row: kept whole, its indices 0..d-1
      if (values.data() + kept != dense.data()) {
        std::copy(dense.begin(), dense.end(), values.begin() + static_cast<std::ptrdiff_t>(kept));
      }
      std::iota(indices.begin() + static_cast<std::ptrdiff_t>(kept),
                indices.begin() + static_cast<std::ptrdiff_t>(kept + dim), 0);
      kept += dim;
    } else {
      for (std::uint64_t column = 0; column < dim; ++column) {
        const double value = dense[column];
        values[kept] = value;
        indices[kept] = static_cast<std::int32_t>(column);
        kept += value != 0.0 ? 1 : 0;
      }
    }
    rows.rowOffsets.push_back(static_cast<std::int64_t>(kept));
  }
  values.resize(kept);
  indices.resize(kept);
}

// This rank's rows `range` (clipped to n) into `rows`, checked, zeros dropped. The rows of a
// /dense file go to `dense` (count x d, `rows` then holding their labels only) when `keepDense`,
// else into rows.values, compacted in place to CSR with rows.indices: no copy besides HDF5's.
// Returns how many values are not zero.
std::uint64_t readRows(const std::string& path, const OpenDataset& open, RowRange range,
                       DimLimit limit, bool keepDense, RowBlock& rows,
                       Dataset<double>::DenseRows& dense) {
  const Hdf5DatasetHeader& header = open.header;
  range.end = std::min(range.end, header.rows);
  range.begin = std::min(range.begin, range.end);
  const std::uint64_t count = range.end - range.begin;
  rows = RowBlock();
  rows.rowOffsets.reserve(count + 1);
  rows.labels.reserve(count);
  RowChecker checker(path, header, limit, rows);
  UninitializedVector<double> labels;
  readSlab(open.labels, path, format::kLabels, H5T_NATIVE_DOUBLE, range.begin, count, labels);
  UninitializedVector<double>& values = rows.values;
  UninitializedVector<std::int32_t>& indices = rows.indices;
  if (header.dense) {
    double* cells = nullptr;
    if (keepDense) {
      dense.resize(static_cast<Eigen::Index>(count), static_cast<Eigen::Index>(header.dim));
      cells = dense.data();
    } else {
      values.resize(count * header.dim);
      cells = values.data();
    }
    readValues(open.dense, path, format::kDense, range.begin, count, cells);
    const std::uint64_t nonZeros = checkDenseRows(checker, range, labels, cells, header.dim);
    if (!keepDense) compressDense(cells, count, header.dim, rows);
    return nonZeros;
  }
  if (count == 0) return 0;
  UninitializedVector<std::int64_t> indptr;
  readSlab(open.indptr, path, format::kIndptr, H5T_NATIVE_INT64, range.begin, count + 1, indptr);
  const auto entries = static_cast<std::int64_t>(header.entries);
  for (std::uint64_t k = 0; k <= count; ++k) {
    const std::uint64_t number = range.begin + std::max<std::uint64_t>(k, 1);
    if (indptr[k] < 0 || indptr[k] > entries) {
      checker.fail(number, "/indptr[" + std::to_string(range.begin + k) +
                               "] = " + std::to_string(indptr[k]) +
                               " is outside [0, nnz = " + std::to_string(entries) + "]");
    }
    if (k > 0 && indptr[k] < indptr[k - 1]) {
      checker.fail(number, "/indptr decreases (/indptr[" + std::to_string(range.begin + k - 1) +
                               "] = " + std::to_string(indptr[k - 1]) + ", /indptr[" +
                               std::to_string(range.begin + k) +
                               "] = " + std::to_string(indptr[k]) + ")");
    }
  }
  if (range.begin == 0 && indptr.front() != 0) {
    checker.fail(1, "/indptr[0] = " + std::to_string(indptr.front()) + ", not 0");
  }
  if (range.end == header.rows && indptr.back() != entries) {
    checker.fail(header.rows, "/indptr[n] = " + std::to_string(indptr.back()) +
                                  ", but attribute nnz = " + std::to_string(entries));
  }
  const auto first = static_cast<std::uint64_t>(indptr.front());
  const auto stored = static_cast<std::uint64_t>(indptr.back()) - first;
  readSlab(open.indices, path, format::kIndices, H5T_NATIVE_INT32, first, stored, indices);
  values.resize(stored);
  readValues(open.values, path, format::kValues, first, stored, values.data());
  std::size_t kept = 0;
  for (std::uint64_t row = 0; row < count; ++row) {
    const std::uint64_t number = range.begin + row + 1;
    checker.label(number, labels[row]);
    const auto begin = static_cast<std::uint64_t>(indptr[row]) - first;
    const auto end = static_cast<std::uint64_t>(indptr[row + 1]) - first;
    const std::span<const std::int32_t> rowIndices(indices.data() + begin, end - begin);
    const std::span<const double> rowValues(values.data() + begin, end - begin);
    if (checker.cleanRow(number, rowIndices, rowValues)) {  // the common row: kept whole
      if (kept != begin) {
        std::copy(rowIndices.begin(), rowIndices.end(),
                  indices.begin() + static_cast<std::ptrdiff_t>(kept));
        std::copy(rowValues.begin(), rowValues.end(),
                  values.begin() + static_cast<std::ptrdiff_t>(kept));
      }
      kept += end - begin;
      checker.endRow(kept);
      continue;
    }
    std::int64_t previous = -1;
    for (auto k = begin; k < end; ++k) {
      const std::int32_t index = indices[k];
      const double value = values[k];
      checker.entry(number, index, value, previous);
      previous = index;
      indices[kept] = index;
      values[kept] = value;
      kept += value != 0.0 ? 1 : 0;
    }
    checker.endRow(kept);
  }
  values.resize(kept);
  indices.resize(kept);
  return kept;
}

}  // namespace

Hdf5DatasetHeader readHdf5DatasetHeader(const std::string& path) {
  return asDataError(path, [&] { return openDataset(path).header; });
}

RowBlock readHdf5DatasetRows(const std::string& path, RowRange range, DimLimit limit) {
  return asDataError(path, [&] {
    RowBlock rows;
    Dataset<double>::DenseRows unused;
    readRows(path, openDataset(path), range, limit, false, rows, unused);
    return rows;
  });
}

bool Hdf5DatasetSource::deliversDense(const Hdf5DatasetHeader& header, DimLimit limit) const {
  if (!header.dense || delivery_.layout == RowLayout::kSparse) return false;
  // Rows that data.normalize scales stay CSR: a dense row's norm sums its d cells in another
  // order than the CSR row's nonzeros, and the run must be bit for bit the CSR read's.
  if (delivery_.normalizes && !header.normalized) return false;
  // A block of another width than the run's d (data.dim, the training set's) is not its storage.
  if (limit.dim > 0 && limit.dim != header.dim) return false;
  return delivery_.layout == RowLayout::kDense || delivery_.training;
}

RowShard Hdf5DatasetSource::readShard(const Communicator& comm, DimLimit limit) const {
  // The file is opened once: its header gives n, its arrays the block (read runs only on a rank
  // whose count succeeded, as agreeOn refuses on every rank when one fails).
  std::optional<OpenDataset> open;
  Dataset<double>::DenseRows dense;
  std::uint64_t nonZeros = 0;
  RowShard shard = countThenRead(
      path_, comm,
      [&] {
        return asDataError(path_, [&] {
          open = openDataset(path_);
          return open->header.rows;
        });
      },
      [&](RowRange range) {
        return asDataError(path_, [&] {
          RowBlock rows;
          nonZeros =
              readRows(path_, *open, range, limit, deliversDense(open->header, limit), rows, dense);
          return rows;
        });
      });
  const Hdf5DatasetHeader& header = open->header;
  shard.normalized = header.normalized;
  // d is the file's: a largest index whose value was 0 ("5:0" in LIBSVM) is not stored, but
  // counts in d, as it does when the LIBSVM file is read.
  shard.dim = header.dim;
  if (dense.cols() == 0) return shard;
  if (delivery_.layout == RowLayout::kAuto) {  // data.layout's rule, on the whole training set
    comm.allreduceSum(std::span<std::uint64_t>(&nonZeros, 1));
    if (!storesDense(RowLayout::kAuto, nonZeros, shard.globalRows, header.dim)) {
      compressDense(dense.data(), shard.rows.rows(), header.dim, shard.rows);
      return shard;
    }
  }
  shard.dense = std::move(dense);
  return shard;
}

bool recognizesHdf5Dataset(const std::string& /*path*/, std::span<const char> head) {
  return std::string_view(head.data(), head.size()).starts_with(hdf5_dataset::kSignature);
}

std::unique_ptr<DataSource> openHdf5Dataset(const SplitFiles& files, const DataConfig& config) {
  refuseLabelsFile(files, "is an HDF5 dataset, which carries its labels");
  return std::make_unique<Hdf5DatasetSource>(
      files.rows, Hdf5Delivery{.layout = config.layout,
                               .normalizes = config.normalize == Normalization::kL2,
                               .training = files.rowsKey == "data.train"});
}

}  // namespace memsgd
