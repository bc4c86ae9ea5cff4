#include "memsgd/optim/averager.hpp"

#include <stdexcept>

namespace memsgd {

Averager::Averager(Averaging kind, Eigen::Index dim, double offset) : kind_(kind), offset_(offset) {
  if (kind_ != Averaging::kLast) {
    weightedSum_ = Vector::Zero(dim);
    foldedWeight_ = Vector::Zero(dim);
  }
}

double Averager::weight(double t) const {
  return kind_ == Averaging::kWeighted ? (t + offset_) * (t + offset_) : 1.0;
}

void Averager::beforeSparseUpdate(std::span<const std::uint32_t> indices, const ConstVectorRef& x) {
  if (kind_ == Averaging::kLast) {
    return;
  }
  for (const std::uint32_t j : indices) {
    weightedSum_[j] += x[j] * (totalWeight_ - foldedWeight_[j]);
    foldedWeight_[j] = totalWeight_;
  }
}

void Averager::beforeDenseUpdate(const ConstVectorRef& x) {
  if (kind_ == Averaging::kLast) {
    return;
  }
  weightedSum_.array() += x.array() * (totalWeight_ - foldedWeight_.array());
  foldedWeight_.setConstant(totalWeight_);
}

void Averager::afterStep(double t) {
  if (kind_ != Averaging::kLast) {
    totalWeight_ += weight(t);
  }
}

void Averager::average(const ConstVectorRef& x, Vector& out) const {
  if (kind_ == Averaging::kLast || totalWeight_ == 0.0) {
    out = x;
    return;
  }
  out = (weightedSum_.array() + x.array() * (totalWeight_ - foldedWeight_.array())) / totalWeight_;
}

void Averager::restore(const State& state) {
  if (state.weightedSum.size() != weightedSum_.size() ||
      state.foldedWeight.size() != foldedWeight_.size()) {
    throw std::invalid_argument("averaging state of another dimension or averaging kind");
  }
  weightedSum_ = state.weightedSum;
  foldedWeight_ = state.foldedWeight;
  totalWeight_ = state.totalWeight;
}

}  // namespace memsgd
