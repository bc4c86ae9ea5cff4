#include "memsgd/model/logistic_regression.hpp"

#include <cmath>

namespace memsgd {

double logisticLoss(double margin) {
  // log(1 + e^-z) = max(-z, 0) + log1p(e^-|z|): the exponent is never positive.
  return std::max(-margin, 0.0) + std::log1p(std::exp(-std::abs(margin)));
}

double logisticLossDerivative(double margin) {
  if (margin >= 0) {
    const double e = std::exp(-margin);
    return -e / (1.0 + e);
  }
  return -1.0 / (1.0 + std::exp(margin));
}

template <typename Scalar>
double LogisticRegression<Scalar>::lossSum(const ConstRef& x) const {
  double sum = 0.0;
  for (Eigen::Index i = 0; i < data_.rows(); ++i) {
    sum += logisticLoss(data_.label(i) * data_.rowDot(i, x));
  }
  return sum;
}

template <typename Scalar>
std::uint64_t LogisticRegression<Scalar>::correctCount(const ConstRef& x) const {
  std::uint64_t correct = 0;
  for (Eigen::Index i = 0; i < data_.rows(); ++i) {
    const double predicted = data_.rowDot(i, x) >= 0.0 ? 1.0 : -1.0;
    correct += predicted == data_.label(i) ? 1 : 0;
  }
  return correct;
}

template <typename Scalar>
double LogisticRegression<Scalar>::regularizer(const ConstRef& x) const {
  return 0.5 * lambda_ * x.template cast<double>().squaredNorm();
}

template <typename Scalar>
void LogisticRegression<Scalar>::addScaledDataGradient(const ConstRef& x,
                                                       std::span<const std::uint32_t> rows,
                                                       double scale,
                                                       VectorRefOf<Scalar> out) const {
  const double perRow = scale / static_cast<double>(rows.size());
  for (const std::uint32_t row : rows) {
    const double y = data_.label(row);
    const double derivative = logisticLossDerivative(y * data_.rowDot(row, x));
    data_.addScaledRow(row, perRow * derivative * y, out);
  }
}

template <typename Scalar>
void LogisticRegression<Scalar>::addScaledRegularizerGradient(const ConstRef& x, double scale,
                                                              VectorRefOf<Scalar> out) const {
  out += static_cast<Scalar>(scale * lambda_) * x;
}

template class LogisticRegression<float>;
template class LogisticRegression<double>;

}  // namespace memsgd
