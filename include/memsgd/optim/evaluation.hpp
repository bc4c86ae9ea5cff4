#pragma once

#include <optional>

namespace memsgd {

// The losses of one iterate, whatever the model's precision: what the run file logs.
struct Evaluation {
  double trainLoss = 0.0;  // f(x): the model's mean loss over all n training rows + regulariser
  std::optional<double> testLoss;  // the model's mean loss over the test rows, no regulariser
  // The model's test metric (model.hpp's Metric): one of the two, with a test set.
  std::optional<double> testAccuracy;   // fraction of test rows classified correctly
  std::optional<double> testRmse;       // root mean squared error of the test predictions
  std::optional<double> suboptimality;  // trainLoss - f*, when f* is known
};

}  // namespace memsgd
