#pragma once

#include <optional>

#include "memsgd/model/metric.hpp"

namespace memsgd {

// The losses of one iterate, whatever the model's precision: what the run file logs.
struct Evaluation {
  double trainLoss = 0.0;  // f(x): the model's mean loss over all n training rows + regulariser
  std::optional<double> testLoss;  // the model's mean loss over the test rows, no regulariser
  // With a test set, the model's test metric: the fraction of test rows classified correctly
  // (Metric::kAccuracy) or the root mean squared error of the test predictions (kRmse).
  Metric metric = Metric::kAccuracy;
  std::optional<double> testMetric;
  std::optional<double> suboptimality;  // trainLoss - f*, when f* is known
};

}  // namespace memsgd
