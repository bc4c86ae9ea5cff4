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
  Array array{
      Hdf5Handle(MEMSGD_HDF5_CHECK(H5Dopen2(file, name, H5P_DEFAULT), path, object)), {}, 0};
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
// resized to them.
template <typename T>
void readSlab(const Array& array, const std::string& path, const char* name, hid_t memoryType,
              std::uint64_t first, std::uint64_t count, std::vector<T>& out) {
  const std::string object = slashed(name);
  std::uint64_t width = array.dims.size() == 2 ? array.dims[1] : 1;
  out.resize(count * width);
  if (out.empty()) return;
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
                            H5P_DEFAULT, out.data()),
                    path, object);
}

template <typename T>
std::vector<T> readSlab(const Array& array, const std::string& path, const char* name,
                        hid_t memoryType, std::uint64_t first, std::uint64_t count) {
  std::vector<T> out;
  readSlab(array, path, name, memoryType, first, count, out);
  return out;
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

  // A /dense row holds every column, in order: only its values need a look.
  void denseRow(std::uint64_t number, std::span<const double> values) {
    if (limit_.dim > 0 && header_.dim > limit_.dim) beyondLimit(number, limit_.dim + 1);
    bool finiteRow = true;
    for (const double value : values) finiteRow &= std::abs(value) <= kLargest;
    if (!finiteRow) {
      for (std::size_t column = 0; column < values.size(); ++column) {
        finite(number, static_cast<std::int64_t>(column), values[column]);
      }
    }
    if (header_.dim > rows_.maxIndex) {
      rows_.maxIndex = header_.dim;
      rows_.maxIndexLine = number;
    }
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

// The values are read into rows.values and the indices into rows.indices, checked and then
// compacted in place (zeros dropped): no copy of the block besides HDF5's.
RowBlock readRows(const std::string& path, const OpenDataset& open, RowRange range,
                  DimLimit limit) {
  const Hdf5DatasetHeader& header = open.header;
  range.end = std::min(range.end, header.rows);
  range.begin = std::min(range.begin, range.end);
  const std::uint64_t count = range.end - range.begin;
  RowBlock rows;
  rows.rowOffsets.reserve(count + 1);
  rows.labels.reserve(count);
  RowChecker checker(path, header, limit, rows);
  const std::vector<double> labels =
      readSlab<double>(open.labels, path, format::kLabels, H5T_NATIVE_DOUBLE, range.begin, count);
  std::vector<double>& values = rows.values;
  std::vector<std::int32_t>& indices = rows.indices;
  if (header.dense) {
    readSlab(open.dense, path, format::kDense, H5T_NATIVE_DOUBLE, range.begin, count, values);
    indices.resize(values.size());
    std::size_t kept = 0;
    for (std::uint64_t row = 0; row < count; ++row) {
      const std::uint64_t number = range.begin + row + 1;
      checker.label(number, labels[row]);
      const std::size_t at = row * header.dim;
      const std::span<const double> dense(values.data() + at, header.dim);
      checker.denseRow(number, dense);
      if (allNonzero(dense)) {  // the common row: kept whole, its indices 0..d-1
        std::copy(dense.begin(), dense.end(), values.begin() + static_cast<std::ptrdiff_t>(kept));
        std::iota(indices.begin() + static_cast<std::ptrdiff_t>(kept),
                  indices.begin() + static_cast<std::ptrdiff_t>(kept + header.dim), 0);
        kept += header.dim;
      } else {
        for (std::uint64_t column = 0; column < header.dim; ++column) {
          // kept <= at + column: the write never passes the value still to be read
          const double value = values[at + column];
          values[kept] = value;
          indices[kept] = static_cast<std::int32_t>(column);
          kept += value != 0.0 ? 1 : 0;
        }
      }
      checker.endRow(kept);
    }
    values.resize(kept);
    indices.resize(kept);
    return rows;
  }
  if (count == 0) return rows;
  const std::vector<std::int64_t> indptr = readSlab<std::int64_t>(
      open.indptr, path, format::kIndptr, H5T_NATIVE_INT64, range.begin, count + 1);
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
  readSlab(open.values, path, format::kValues, H5T_NATIVE_DOUBLE, first, stored, values);
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
  // d is the file's: a largest index whose value was 0 ("5:0" in LIBSVM) is not stored, but
  // counts in d, as it does when the LIBSVM file is read.
  if (header.dim > rows.maxIndex) {
    rows.maxIndex = header.dim;
    rows.maxIndexLine = range.begin + 1;
  }
  return rows;
}

}  // namespace

Hdf5DatasetHeader readHdf5DatasetHeader(const std::string& path) {
  return asDataError(path, [&] { return openDataset(path).header; });
}

RowBlock readHdf5DatasetRows(const std::string& path, RowRange range, DimLimit limit) {
  return asDataError(path, [&] { return readRows(path, openDataset(path), range, limit); });
}

RowShard Hdf5DatasetSource::readShard(const Communicator& comm, DimLimit limit) const {
  // The file is opened once: its header gives n, its arrays the block (read runs only on a rank
  // whose count succeeded, as agreeOn refuses on every rank when one fails).
  std::optional<OpenDataset> open;
  RowShard shard = countThenRead(
      path_, comm,
      [&] {
        return asDataError(path_, [&] {
          open = openDataset(path_);
          return open->header.rows;
        });
      },
      [&](RowRange range) {
        return asDataError(path_, [&] { return readRows(path_, *open, range, limit); });
      });
  shard.normalized = open->header.normalized;
  return shard;
}

bool recognizesHdf5Dataset(const std::string& /*path*/, std::span<const char> head) {
  return std::string_view(head.data(), head.size()).starts_with(hdf5_dataset::kSignature);
}

std::unique_ptr<DataSource> openHdf5Dataset(const SplitFiles& files, const DataConfig& /*config*/) {
  refuseLabelsFile(files, "is an HDF5 dataset, which carries its labels");
  return std::make_unique<Hdf5DatasetSource>(files.rows);
}

}  // namespace memsgd
