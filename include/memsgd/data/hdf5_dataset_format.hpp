#pragma once

#include <cstdint>
#include <string_view>

namespace memsgd::hdf5_dataset {

// The names of memsgd's HDF5 dataset format (README "The HDF5 dataset format"), shared by its
// reader (hdf5_dataset_source.hpp) and its writer (hdf5_dataset_writer.hpp).

// The first bytes of every HDF5 file without a user block.
inline constexpr std::string_view kSignature = "\x89HDF\r\n\x1a\n";

inline constexpr const char* kLabels = "labels";    // float64 [n]
inline constexpr const char* kDense = "dense";      // float32|float64 [n x d], or CSR:
inline constexpr const char* kIndptr = "indptr";    // int64 [n + 1]
inline constexpr const char* kIndices = "indices";  // int32 [nnz], 0-based, increasing in a row
inline constexpr const char* kValues = "values";    // float32|float64 [nnz]

// Attributes on the root group.
inline constexpr const char* kFormatAttribute = "format";  // kFormatName
inline constexpr const char* kVersionAttribute = "version";
inline constexpr const char* kRowsAttribute = "n";
inline constexpr const char* kDimAttribute = "d";
inline constexpr const char* kEntriesAttribute = "nnz";  // stored entries: n d for /dense
inline constexpr const char* kSourceAttribute = "source";
inline constexpr const char* kNormalizedAttribute = "normalized";  // "none" or "l2"
// fingerprintRows (data_fingerprint.hpp) of the rows as stored, and of the input's rows as parsed
// (the same unless the rows were normalised or rounded to float32 on the way).
inline constexpr const char* kFingerprintAttribute = "fingerprint";
inline constexpr const char* kSourceFingerprintAttribute = "source_fingerprint";

inline constexpr std::string_view kFormatName = "memsgd-dataset";
inline constexpr std::uint64_t kVersion = 1;

// Elements per chunk along the rows: a rank's block is a few chunk reads, and a chunk is small
// enough for a converter's bounded memory.
inline constexpr std::uint64_t kChunkElements = 64ULL * 1024;

enum class ValueType { kFloat32, kFloat64 };

}  // namespace memsgd::hdf5_dataset
