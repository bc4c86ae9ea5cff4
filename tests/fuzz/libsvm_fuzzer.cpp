// libFuzzer target for the LIBSVM reader: the input is a file's content (bzip2-compressed when it
// starts with the bzip2 magic "BZh", so the reader's decompression path is fuzzed too). It is
// counted, read whole and read over a sub-range. DataError is the reader's answer to malformed
// input; any other exception, a crash, or a broken property of the rows read is a bug.
//   libsvm_fuzzer -dict=tests/fuzz/libsvm.dict tests/fuzz/corpus/libsvm
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>

#include "fuzz_file.hpp"
#include "memsgd/core/error.hpp"
#include "memsgd/data/libsvm_reader.hpp"

namespace {

using memsgd::RowBlock;
using memsgd::RowRange;

// The properties libsvm_reader.hpp promises for rows it returns.
void checkRows(const RowBlock& rows, std::uint64_t maxDim) {
  MEMSGD_FUZZ_CHECK(rows.rowOffsets.size() == rows.rows() + 1);
  MEMSGD_FUZZ_CHECK(rows.rowOffsets.front() == 0);
  MEMSGD_FUZZ_CHECK(rows.rowOffsets.back() == static_cast<std::int64_t>(rows.indices.size()));
  MEMSGD_FUZZ_CHECK(rows.indices.size() == rows.values.size());
  if (maxDim > 0) MEMSGD_FUZZ_CHECK(rows.maxIndex <= maxDim);
  std::uint64_t counted = 0;
  for (const auto& [label, count] : rows.labelCounts) counted += count;
  MEMSGD_FUZZ_CHECK(counted == rows.rows());
  for (const double label : rows.labels) {
    MEMSGD_FUZZ_CHECK(std::isfinite(label) && rows.labelCounts.contains(label));
  }
  for (std::uint64_t row = 0; row < rows.rows(); ++row) {
    const std::int64_t begin = rows.rowOffsets[row];
    const std::int64_t end = rows.rowOffsets[row + 1];
    MEMSGD_FUZZ_CHECK(begin <= end);
    for (std::int64_t j = begin; j < end; ++j) {
      const auto index = rows.indices[static_cast<std::size_t>(j)];
      const double value = rows.values[static_cast<std::size_t>(j)];
      MEMSGD_FUZZ_CHECK(index >= 0);
      MEMSGD_FUZZ_CHECK(static_cast<std::uint64_t>(index) < rows.maxIndex);
      MEMSGD_FUZZ_CHECK(j == begin || rows.indices[static_cast<std::size_t>(j - 1)] < index);
      MEMSGD_FUZZ_CHECK(std::isfinite(value) && value != 0.0);
    }
  }
}

// Row `row` of `whole` equals row `row - offset` of `part`.
void checkSameRow(const RowBlock& whole, std::uint64_t row, const RowBlock& part,
                  std::uint64_t partRow) {
  MEMSGD_FUZZ_CHECK(whole.labels[row] == part.labels[partRow]);
  const std::int64_t wholeBegin = whole.rowOffsets[row];
  const std::int64_t partBegin = part.rowOffsets[partRow];
  const std::int64_t length = whole.rowOffsets[row + 1] - wholeBegin;
  MEMSGD_FUZZ_CHECK(part.rowOffsets[partRow + 1] - partBegin == length);
  for (std::int64_t j = 0; j < length; ++j) {
    const auto w = static_cast<std::size_t>(wholeBegin + j);
    const auto p = static_cast<std::size_t>(partBegin + j);
    MEMSGD_FUZZ_CHECK(whole.indices[w] == part.indices[p]);
    MEMSGD_FUZZ_CHECK(whole.values[w] == part.values[p]);
  }
}

template <typename Read>
std::optional<RowBlock> readOrDataError(Read read) {
  try {
    return read();
  } catch (const memsgd::DataError&) {
    return std::nullopt;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // One name for every input: the reader tells gzip and bzip2 by their first bytes.
  static const memsgd::fuzz::ScratchFile file("input.svm");
  file.write(data, size);
  const std::string& path = file.path();

  std::optional<std::uint64_t> count;
  try {
    count = memsgd::countLibsvmRows(path);
  } catch (const memsgd::DataError&) {
  }

  constexpr std::uint64_t kAll = std::numeric_limits<std::uint64_t>::max();
  const auto whole = readOrDataError([&] { return memsgd::readLibsvmRows(path, {0, kAll}); });
  if (whole) {
    checkRows(*whole, 0);
    // Reading succeeded, so counting the same lines must have as well, with the same result.
    MEMSGD_FUZZ_CHECK(count.has_value());
    MEMSGD_FUZZ_CHECK(*count == whole->rows());
  }

  // A sub-range and a dimension limit chosen from the input, so the fuzzer can steer both.
  const std::uint64_t rows = count.value_or(size % 7);
  const std::uint64_t begin = rows == 0 ? 0 : data[0] % (rows + 1);
  const std::uint64_t end = begin + (size > 1 ? data[size - 1] % 4 : 1);
  const std::uint64_t maxDim = size > 2 ? data[1] % 16 : 0;
  const RowRange range{begin, end};
  const auto part = readOrDataError([&] { return memsgd::readLibsvmRows(path, range, {maxDim}); });
  if (part) {
    checkRows(*part, maxDim);
    if (count) MEMSGD_FUZZ_CHECK(part->rows() == std::min(end, *count) - std::min(begin, *count));
  }
  if (whole && maxDim == 0) {
    // Without a dimension limit, the rows of a well-formed file read alone equal those read whole.
    MEMSGD_FUZZ_CHECK(part.has_value());
    for (std::uint64_t row = 0; row < part->rows(); ++row) {
      checkSameRow(*whole, begin + row, *part, row);
    }
  }
  if (whole && part && maxDim > 0) {
    for (std::uint64_t row = 0; row < part->rows(); ++row) {
      // With a limit, the rows that were kept are unchanged.
      checkSameRow(*whole, begin + row, *part, row);
    }
  }
  return 0;
}
