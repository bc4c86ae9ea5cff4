#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "memsgd/data/dataset.hpp"
#include "memsgd/data/libsvm_reader.hpp"

namespace memsgd {

// A 64-bit content fingerprint of a data set, so that f* files, checkpoints and sweeps recognise
// the data itself rather than its path. It covers every row's global row number, its -1/+1 label
// and its nonzero (index, value) pairs with the values as parsed in double, before normalisation
// and before any rounding to float: model.precision and data.normalize do not change it (the
// latter is an identity field of its own), nor does dense or sparse storage, since only nonzeros
// count. A row's hash depends on the row alone and the data set's fingerprint is the sum of its
// rows' hashes mod 2^64, so the partial fingerprints of disjoint row blocks (one per rank) add up
// to the same value whatever the rank count.

// The partial fingerprint of `rows`, whose first row is global row `firstRow`.
[[nodiscard]] std::uint64_t fingerprintRows(const RowBlock& rows, std::uint64_t firstRow);
// The partial fingerprint of dense `rows` with their `labels`, the first being global row
// `firstRow`.
[[nodiscard]] std::uint64_t fingerprintRows(const Dataset<double>::DenseRows& rows,
                                            std::span<const double> labels, std::uint64_t firstRow);
// The partial fingerprint of a shard's rows (at its global position) in double, dense or sparse.
[[nodiscard]] std::uint64_t fingerprintRows(const Dataset<double>& data);

// 16 lower-case hex digits, as run files, f* files and checkpoints store it.
[[nodiscard]] std::string formatFingerprint(std::uint64_t fingerprint);

}  // namespace memsgd
