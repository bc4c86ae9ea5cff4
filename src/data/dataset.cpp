#include "memsgd/data/dataset.hpp"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace memsgd {
namespace {

// SparseRows stores inner indices and row offsets as int32.
constexpr std::uint64_t kMaxStorageIndex = std::numeric_limits<std::int32_t>::max();

void checkShard(std::uint64_t rows, std::uint64_t globalRows, RowRange global) {
  if (global.begin > global.end || global.size() != rows || global.end > globalRows) {
    throw std::invalid_argument("dataset: shard [" + std::to_string(global.begin) + ", " +
                                std::to_string(global.end) + ") of " + std::to_string(globalRows) +
                                " rows does not match its " + std::to_string(rows) + " rows");
  }
}

}  // namespace

template <typename Scalar>
Dataset<Scalar> Dataset<Scalar>::fromRows(RowBlock rows, std::uint64_t dim,
                                          std::uint64_t globalRows, RowRange global) {
  if (dim < rows.maxIndex) {
    throw std::invalid_argument("dataset: dimension " + std::to_string(dim) +
                                " is smaller than the largest feature index " +
                                std::to_string(rows.maxIndex));
  }
  if (dim > kMaxStorageIndex || rows.values.size() > kMaxStorageIndex) {
    throw std::invalid_argument("dataset: dimension " + std::to_string(dim) + " or " +
                                std::to_string(rows.values.size()) +
                                " nonzeros exceed the 32-bit sparse storage");
  }
  if (rows.rowOffsets.size() != rows.rows() + 1 || rows.indices.size() != rows.values.size() ||
      rows.rowOffsets.front() != 0 ||
      static_cast<std::uint64_t>(rows.rowOffsets.back()) != rows.values.size()) {
    throw std::invalid_argument("dataset: inconsistent compressed-row arrays");
  }
  checkShard(rows.rows(), globalRows, global);

  Dataset<Scalar> data;
  const auto n = static_cast<Eigen::Index>(rows.rows());
  const auto nnz = static_cast<Eigen::Index>(rows.values.size());
  data.dim_ = static_cast<Eigen::Index>(dim);
  // Fill the compressed storage directly: no triplets, no sorting.
  data.sparseRows_.resize(n, data.dim_);
  data.sparseRows_.resizeNonZeros(nnz);
  std::transform(rows.rowOffsets.begin(), rows.rowOffsets.end(), data.sparseRows_.outerIndexPtr(),
                 [](std::int64_t offset) { return static_cast<std::int32_t>(offset); });
  std::copy(rows.indices.begin(), rows.indices.end(), data.sparseRows_.innerIndexPtr());
  std::transform(rows.values.begin(), rows.values.end(), data.sparseRows_.valuePtr(),
                 [](double value) { return static_cast<Scalar>(value); });
  data.labels_ = Eigen::Map<const Vector>(rows.labels.data(), n);
  data.globalRows_ = globalRows;
  data.globalRange_ = global;
  return data;
}

template <typename Scalar>
// NOLINTNEXTLINE(performance-unnecessary-value-param): labels is moved; clang-tidy 14 misses it
Dataset<Scalar> Dataset<Scalar>::fromDense(DenseRows rows, Vector labels, std::uint64_t globalRows,
                                           RowRange global) {
  if (rows.rows() != labels.size()) {
    throw std::invalid_argument("dataset: " + std::to_string(rows.rows()) + " rows but " +
                                std::to_string(labels.size()) + " labels");
  }
  // Real values for a regression model; which labels a model accepts is the loader's check.
  if (!labels.allFinite()) {
    throw std::invalid_argument("dataset: labels must be finite");
  }
  checkShard(static_cast<std::uint64_t>(rows.rows()), globalRows, global);

  Dataset<Scalar> data;
  data.dim_ = rows.cols();
  data.denseRows_ = std::move(rows);
  data.labels_ = std::move(labels);
  data.globalRows_ = globalRows;
  data.globalRange_ = global;
  data.dense_ = true;
  return data;
}

template <typename Scalar>
template <typename To>
Dataset<To> Dataset<Scalar>::cast() const {
  Dataset<To> data;
  data.sparseRows_ = sparseRows_.template cast<To>();
  data.denseRows_ = denseRows_.template cast<To>();
  data.labels_ = labels_;
  data.dim_ = dim_;
  data.globalRows_ = globalRows_;
  data.globalRange_ = globalRange_;
  data.dense_ = dense_;
  return data;
}

template <typename Scalar>
void Dataset<Scalar>::normalizeRows() {
  if (dense_) {
    for (Eigen::Index row = 0; row < denseRows_.rows(); ++row) {
      // Eigen's normalize() leaves a zero vector unchanged.
      denseRows_.row(row).normalize();
    }
    return;
  }
  const std::int32_t* outer = sparseRows_.outerIndexPtr();
  Scalar* values = sparseRows_.valuePtr();
  for (Eigen::Index row = 0; row < sparseRows_.rows(); ++row) {
    Eigen::Map<VectorOf<Scalar>> rowValues(values + outer[row], outer[row + 1] - outer[row]);
    rowValues.normalize();
  }
}

template <typename Scalar>
std::uint64_t Dataset<Scalar>::nonZeros() const {
  if (dense_) return static_cast<std::uint64_t>(denseRows_.size());
  return static_cast<std::uint64_t>(sparseRows_.nonZeros());
}

template <typename Scalar>
double Dataset<Scalar>::rowDot(Eigen::Index row, const ConstVectorRefOf<Scalar>& x) const {
  assert(row >= 0 && row < rows() && x.size() == dim_);
  if (dense_) return denseRows_.row(row).dot(x.transpose());
  const std::int32_t* outer = sparseRows_.outerIndexPtr();
  const std::int32_t* indices = sparseRows_.innerIndexPtr();
  const Scalar* values = sparseRows_.valuePtr();
  const Scalar* xData = x.data();
  Scalar sum = 0;
  for (std::int32_t k = outer[row]; k < outer[row + 1]; ++k) sum += values[k] * xData[indices[k]];
  return sum;
}

template <typename Scalar>
void Dataset<Scalar>::products(const ConstVectorRefOf<Scalar>& x, VectorOf<Scalar>& out) const {
  assert(x.size() == dim_);
  out.resize(rows());
  if (dense_) {
    out.noalias() = denseRows_ * x;
  } else {
    out.noalias() = sparseRows_ * x;
  }
}

template <typename Scalar>
void Dataset<Scalar>::addScaledRow(Eigen::Index row, double alpha, VectorRefOf<Scalar> out) const {
  assert(row >= 0 && row < rows() && out.size() == dim_);
  const auto scale = static_cast<Scalar>(alpha);
  if (dense_) {
    out.noalias() += scale * denseRows_.row(row).transpose();
    return;
  }
  const std::int32_t* outer = sparseRows_.outerIndexPtr();
  const std::int32_t* indices = sparseRows_.innerIndexPtr();
  const Scalar* values = sparseRows_.valuePtr();
  Scalar* outData = out.data();
  for (std::int32_t k = outer[row]; k < outer[row + 1]; ++k) {
    outData[indices[k]] += scale * values[k];
  }
}

template <typename Scalar>
void Dataset<Scalar>::prefetchRow(Eigen::Index row) const {
  static constexpr std::uintptr_t kCacheLine = 64;
  // Every line of the row, to L2 (prefetcht1): prefetches to L1 of a whole 16 KB row stalled on
  // the core's few L1 miss buffers, and page heads alone left most lines to be fetched on demand.
  // Measured on the d = 2000 step: float top-1 1.57 -> 1.27 us, double unchanged within noise.
  const auto prefetchBytes = [](const void* begin, std::size_t bytes) {
    const auto address = reinterpret_cast<std::uintptr_t>(begin);
    for (std::uintptr_t line = address & ~(kCacheLine - 1); line < address + bytes;
         line += kCacheLine) {
      // NOLINTNEXTLINE(performance-no-int-to-ptr): a prefetch hint, never dereferenced
      __builtin_prefetch(reinterpret_cast<const void*>(line), 0, 2);
    }
  };
  if (dense_) {
    prefetchBytes(denseRows_.row(row).data(), sizeof(Scalar) * static_cast<std::size_t>(dim_));
    return;
  }
  const std::int32_t begin = sparseRows_.outerIndexPtr()[row];
  const auto count = static_cast<std::size_t>(sparseRows_.outerIndexPtr()[row + 1] - begin);
  prefetchBytes(sparseRows_.innerIndexPtr() + begin, sizeof(std::int32_t) * count);
  prefetchBytes(sparseRows_.valuePtr() + begin, sizeof(Scalar) * count);
}

template class Dataset<float>;
template class Dataset<double>;
template Dataset<float> Dataset<double>::cast<float>() const;

}  // namespace memsgd
