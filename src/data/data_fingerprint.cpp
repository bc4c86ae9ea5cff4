#include "memsgd/data/data_fingerprint.hpp"

#include <bit>
#include <cstdio>

namespace memsgd {
namespace {

constexpr std::uint64_t kMultiplier = 0xff51afd7ed558ccdULL;
constexpr std::uint64_t kFinalMultiplier = 0xc4ceb9fe1a85ec53ULL;
constexpr std::uint64_t kRowSeed = 0x6d656d7367642d31ULL;

// Folds one word into a running hash: multiply-xorshift, so every input bit reaches every output
// bit after the final avalanche.
std::uint64_t fold(std::uint64_t hash, std::uint64_t word) {
  hash = (hash ^ word) * kMultiplier;
  return hash ^ (hash >> 33U);
}

// The hash of one row, fed its nonzeros in ascending index order.
class RowHash {
 public:
  RowHash(std::uint64_t row, double label)
      : hash_(fold(fold(kRowSeed, row), std::bit_cast<std::uint64_t>(label))) {}

  void add(std::int64_t index, double value) {
    if (value != 0.0) {  // storage-independent: a dense row's zeros are not entries
      hash_ =
          fold(fold(hash_, static_cast<std::uint64_t>(index)), std::bit_cast<std::uint64_t>(value));
    }
  }

  [[nodiscard]] std::uint64_t finish() const {
    std::uint64_t hash = hash_ * kFinalMultiplier;
    return hash ^ (hash >> 29U);
  }

 private:
  std::uint64_t hash_;
};

}  // namespace

std::uint64_t fingerprintRows(const RowBlock& rows, std::uint64_t firstRow) {
  std::uint64_t sum = 0;
  for (std::uint64_t row = 0; row < rows.rows(); ++row) {
    RowHash hash(firstRow + row, rows.labels[row]);
    for (auto k = rows.rowOffsets[row]; k < rows.rowOffsets[row + 1]; ++k) {
      hash.add(rows.indices[k], rows.values[k]);
    }
    sum += hash.finish();  // unsigned: wraps mod 2^64
  }
  return sum;
}

std::uint64_t fingerprintRows(const Dataset<double>::DenseRows& rows,
                              std::span<const double> labels, std::uint64_t firstRow) {
  std::uint64_t sum = 0;
  for (Eigen::Index row = 0; row < rows.rows(); ++row) {
    const auto number = static_cast<std::uint64_t>(row);
    RowHash hash(firstRow + number, labels[number]);
    for (Eigen::Index j = 0; j < rows.cols(); ++j) hash.add(j, rows(row, j));
    sum += hash.finish();
  }
  return sum;
}

std::uint64_t fingerprintRows(const Dataset<double>& data) {
  if (data.isDense()) {
    return fingerprintRows(
        data.denseRows(),
        std::span<const double>(data.labels().data(), static_cast<std::size_t>(data.rows())),
        data.globalRange().begin);
  }
  std::uint64_t sum = 0;
  const std::uint64_t first = data.globalRange().begin;
  for (Eigen::Index row = 0; row < data.rows(); ++row) {
    RowHash hash(first + static_cast<std::uint64_t>(row), data.label(row));
    const auto& sparse = data.sparseRows();
    const std::int32_t* outer = sparse.outerIndexPtr();
    for (std::int32_t k = outer[row]; k < outer[row + 1]; ++k) {
      hash.add(sparse.innerIndexPtr()[k], sparse.valuePtr()[k]);
    }
    sum += hash.finish();
  }
  return sum;
}

std::string formatFingerprint(std::uint64_t fingerprint) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(fingerprint));
  return text;
}

}  // namespace memsgd
