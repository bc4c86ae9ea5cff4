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

double LogisticRegression::lossSum(const ConstVectorRef& x) const {
  double sum = 0.0;
  for (Eigen::Index i = 0; i < data_.rows(); ++i) {
    sum += logisticLoss(data_.label(i) * data_.rowDot(i, x));
  }
  return sum;
}

std::uint64_t LogisticRegression::correctCount(const ConstVectorRef& x) const {
  std::uint64_t correct = 0;
  for (Eigen::Index i = 0; i < data_.rows(); ++i) {
    const double predicted = data_.rowDot(i, x) >= 0.0 ? 1.0 : -1.0;
    correct += predicted == data_.label(i) ? 1 : 0;
  }
  return correct;
}

double LogisticRegression::regularizer(const ConstVectorRef& x) const {
  return 0.5 * lambda_ * x.squaredNorm();
}

void LogisticRegression::addScaledDataGradient(const ConstVectorRef& x,
                                               std::span<const std::uint32_t> rows, double scale,
                                               VectorRef out) const {
  const double perRow = scale / static_cast<double>(rows.size());
  for (const std::uint32_t row : rows) {
    const double y = data_.label(row);
    const double derivative = logisticLossDerivative(y * data_.rowDot(row, x));
    data_.addScaledRow(row, perRow * derivative * y, out);
  }
}

void LogisticRegression::addScaledRegularizerGradient(const ConstVectorRef& x, double scale,
                                                      VectorRef out) const {
  out += (scale * lambda_) * x;
}

}  // namespace memsgd
