#pragma once

#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include "memsgd/data/dataset.hpp"
#include "memsgd/util/random.hpp"

namespace memsgd::test {

// The row numbers 0 .. rows - 1: a batch of a whole shard, for a model's gradient over every row.
inline std::vector<std::uint32_t> allRows(std::uint32_t rows) {
  std::vector<std::uint32_t> all(rows);
  std::iota(all.begin(), all.end(), 0U);
  return all;
}

// Reproducible sparse rows (about 40% nonzeros, values in [-1, 1), random labels -1/+1).
inline RowBlock randomLibsvmRows(std::uint32_t rows, std::int32_t dim, std::uint64_t seed) {
  Rng rng(seed);
  RowBlock libsvm;
  for (std::uint32_t i = 0; i < rows; ++i) {
    for (std::int32_t j = 0; j < dim; ++j) {
      if (rng.uniform() < 0.4) {
        libsvm.indices.push_back(j);
        libsvm.values.push_back(2.0 * rng.uniform() - 1.0);
      }
    }
    libsvm.rowOffsets.push_back(static_cast<std::int64_t>(libsvm.indices.size()));
    libsvm.labels.push_back(rng.uniform() < 0.5 ? -1.0 : 1.0);
  }
  libsvm.maxIndex = static_cast<std::uint64_t>(dim);
  return libsvm;
}

// A reproducible sparse data set of randomLibsvmRows, built through the same LIBSVM path as real
// files. Values are drawn in double and stored as Scalar, so both precisions see the same data.
template <typename Scalar = double>
Dataset<Scalar> randomSparseData(std::uint32_t rows, std::int32_t dim, std::uint64_t seed) {
  return Dataset<Scalar>::fromRows(randomLibsvmRows(rows, dim, seed),
                                   static_cast<std::uint64_t>(dim), rows, {0, rows});
}

// The rows of randomSparseData with labels 0..classes-1 (what the loader maps class labels to),
// drawn uniformly, stored sparse or dense.
template <typename Scalar = double>
Dataset<Scalar> randomClassData(std::uint32_t rows, std::int32_t dim, std::uint64_t classes,
                                std::uint64_t seed, bool dense = true) {
  RowBlock libsvm = randomLibsvmRows(rows, dim, seed);
  Rng rng(seed + 1);
  for (double& label : libsvm.labels) label = static_cast<double>(rng.below(classes));
  auto data = Dataset<Scalar>::fromRows(std::move(libsvm), static_cast<std::uint64_t>(dim), rows,
                                        {0, rows});
  if (!dense) return data;
  return Dataset<Scalar>::fromDense(typename Dataset<Scalar>::DenseRows(data.sparseRows()),
                                    data.labels(), rows, {0, rows});
}

// The same rows with labels 0..classes-1 drawn uniformly from `seed` (a class model's labels).
template <typename Scalar>
Dataset<Scalar> withClassLabels(const Dataset<Scalar>& data, std::uint64_t classes,
                                std::uint64_t seed) {
  Rng rng(seed);
  Vector labels(data.rows());
  for (auto& label : labels) {
    label = std::floor(rng.uniform() * static_cast<double>(classes));
  }
  typename Dataset<Scalar>::SparseRows rows = data.sparseRows();
  RowBlock libsvm;
  for (Eigen::Index row = 0; row < rows.rows(); ++row) {
    for (typename Dataset<Scalar>::SparseRows::InnerIterator it(rows, row); it; ++it) {
      libsvm.indices.push_back(static_cast<std::int32_t>(it.col()));
      libsvm.values.push_back(static_cast<double>(it.value()));
    }
    libsvm.rowOffsets.push_back(static_cast<std::int64_t>(libsvm.indices.size()));
    libsvm.labels.push_back(labels[row]);
  }
  libsvm.maxIndex = static_cast<std::uint64_t>(data.dim());
  return Dataset<Scalar>::fromRows(std::move(libsvm), static_cast<std::uint64_t>(data.dim()),
                                   data.globalRows(), data.globalRange());
}

}  // namespace memsgd::test
