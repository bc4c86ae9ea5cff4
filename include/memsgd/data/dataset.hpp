#pragma once

#include <Eigen/Core>
#include <Eigen/SparseCore>
#include <cstdint>

#include "memsgd/core/vector.hpp"
#include "memsgd/data/row_block.hpp"
#include "memsgd/data/row_partition.hpp"

namespace memsgd {

// One rank's shard of a labelled data set: rows with labels (-1/+1 for a binary model, real values
// as read for a regression), stored sparse (CSR) or dense depending on how they were built, plus
// where the shard sits in the global set. Values are stored as Scalar (float or double, explicitly
// instantiated); labels as double.
template <typename Scalar>
class Dataset {
 public:
  using SparseRows = Eigen::SparseMatrix<Scalar, Eigen::RowMajor, std::int32_t>;
  using DenseRows = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  Dataset() = default;
  // Sparse shard of dimension `dim` (>= rows.maxIndex) holding rows `global` of `globalRows`.
  // Both factories throw std::invalid_argument when the sizes do not fit together.
  static Dataset fromRows(RowBlock rows, std::uint64_t dim, std::uint64_t globalRows,
                          RowRange global);
  static Dataset fromDense(DenseRows rows, Vector labels, std::uint64_t globalRows,
                           RowRange global);

  // The same shard with values rounded to `To` (synthetic sources generate double rows).
  template <typename To>
  [[nodiscard]] Dataset<To> cast() const;

  // Scales every row to unit L2 norm; rows without nonzeros stay zero.
  void normalizeRows();
  // Keeps the rows in dense storage from now on (data.layout): the same values, zeros stored.
  void storeDense();

  [[nodiscard]] Eigen::Index rows() const { return labels_.size(); }
  [[nodiscard]] Eigen::Index dim() const { return dim_; }
  [[nodiscard]] std::uint64_t globalRows() const { return globalRows_; }
  [[nodiscard]] RowRange globalRange() const { return globalRange_; }
  [[nodiscard]] bool isDense() const { return dense_; }
  [[nodiscard]] std::uint64_t nonZeros() const;
  [[nodiscard]] double label(Eigen::Index row) const { return labels_[row]; }
  [[nodiscard]] const Vector& labels() const { return labels_; }
  [[nodiscard]] const SparseRows& sparseRows() const { return sparseRows_; }
  [[nodiscard]] const DenseRows& denseRows() const { return denseRows_; }

  // a_row . x (the trainer's hot loop: no allocation, raw CSR arrays for sparse rows), summed in
  // Scalar: one row's sum in float is accurate to ~1e-7 relative, which SGD's noise dwarfs.
  [[nodiscard]] double rowDot(Eigen::Index row, const ConstVectorRefOf<Scalar>& x) const;
  // out = A x: every row's product with x in one pass (a matrix-vector product, dense or CSR),
  // summed in Scalar per row like rowDot. `out` is resized to rows() (no allocation once sized).
  void products(const ConstVectorRefOf<Scalar>& x, VectorOf<Scalar>& out) const;
  // out += alpha * a_row
  void addScaledRow(Eigen::Index row, double alpha, VectorRefOf<Scalar> out) const;
  // Asks the CPU to start loading a row that will be used soon (a dense row of d = 2000 is 16 KB
  // from memory in double, 8 KB in float; fetched during the previous step, it costs less).
  void prefetchRow(Eigen::Index row) const;

 private:
  template <typename>
  friend class Dataset;

  SparseRows sparseRows_;
  DenseRows denseRows_;
  Vector labels_;
  Eigen::Index dim_ = 0;
  std::uint64_t globalRows_ = 0;
  RowRange globalRange_;
  bool dense_ = false;
};

}  // namespace memsgd
