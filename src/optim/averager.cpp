#include "memsgd/optim/averager.hpp"

#include <stdexcept>

namespace memsgd {

template <typename Scalar>
Averager<Scalar>::Averager(Averaging kind, Eigen::Index dim, double offset)
    : kind_(kind), offset_(offset) {
  if (kind_ != Averaging::kLast) {
    weightedSum_ = Vector::Zero(dim);
    foldedWeight_ = Vector::Zero(dim);
  }
}

template <typename Scalar>
double Averager<Scalar>::weight(double t) const {
  return kind_ == Averaging::kWeighted ? (t + offset_) * (t + offset_) : 1.0;
}

template <typename Scalar>
void Averager<Scalar>::beforeSparseUpdate(std::span<const std::uint32_t> indices,
                                          const ConstVectorRefOf<Scalar>& x) {
  if (kind_ == Averaging::kLast) {
    return;
  }
  for (const std::uint32_t j : indices) {
    weightedSum_[j] += static_cast<double>(x[j]) * (totalWeight_ - foldedWeight_[j]);
    foldedWeight_[j] = totalWeight_;
  }
}

template <typename Scalar>
void Averager<Scalar>::beforeDenseUpdate(const ConstVectorRefOf<Scalar>& x) {
  if (kind_ == Averaging::kLast) {
    return;
  }
  weightedSum_.array() +=
      x.array().template cast<double>() * (totalWeight_ - foldedWeight_.array());
  foldedWeight_.setConstant(totalWeight_);
}

template <typename Scalar>
void Averager<Scalar>::afterStep(double t) {
  if (kind_ != Averaging::kLast) {
    totalWeight_ += weight(t);
  }
}

template <typename Scalar>
void Averager<Scalar>::average(const ConstVectorRefOf<Scalar>& x, VectorOf<Scalar>& out) const {
  if (kind_ == Averaging::kLast || totalWeight_ == 0.0) {
    out = x;
    return;
  }
  out = ((weightedSum_.array() +
          x.array().template cast<double>() * (totalWeight_ - foldedWeight_.array())) /
         totalWeight_)
            .template cast<Scalar>();
}

template <typename Scalar>
void Averager<Scalar>::restore(const State& state) {
  if (state.weightedSum.size() != weightedSum_.size() ||
      state.foldedWeight.size() != foldedWeight_.size()) {
    throw std::invalid_argument("averaging state of another dimension or averaging kind");
  }
  weightedSum_ = state.weightedSum;
  foldedWeight_ = state.foldedWeight;
  totalWeight_ = state.totalWeight;
}

template class Averager<float>;
template class Averager<double>;

}  // namespace memsgd
