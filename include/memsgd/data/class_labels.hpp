#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "memsgd/data/libsvm_reader.hpp"

namespace memsgd {

// Class labels (LabelKind::kClasses): any integers, mapped to 0..C-1 in ascending order over the
// whole training set; the test set takes the training set's map. The map (the original labels,
// sorted) travels with the shards and into the run file.

// The most distinct classes a training set may hold: a class model's p grows with C (softmax:
// p = C d), and a file with more is a regression or an id column rather than classes.
inline constexpr std::size_t kMaxClasses = 65536;

// Throws DataError with path:line at the first row of `rows` (in file order) whose label is not
// an integer of magnitude <= 2^53 (the integers that double and int64 both hold exactly).
void requireIntegerLabels(const std::string& path, const RowBlock& rows);

// The distinct labels of `rows` (integers, after requireIntegerLabels) in ascending order. Throws
// DataError naming `path` and the count when they are more than kMaxClasses.
std::vector<std::int64_t> distinctClasses(const std::string& path, const RowBlock& rows);

// Throws DataError naming `path` unless the training set's classes (all ranks' together, sorted)
// are at least 2 and at most kMaxClasses.
void requireTrainingClasses(const std::string& path, std::span<const std::int64_t> classes);

// Replaces every label by its position in `classes` (sorted ascending): 0..C-1. Throws DataError
// with path:line at the first row whose label is not one of them.
void toClassIndices(const std::string& path, std::span<const std::int64_t> classes, RowBlock& rows);

// "0,1,2": the map as the run file records it.
std::string formatClasses(std::span<const std::int64_t> classes);

}  // namespace memsgd
