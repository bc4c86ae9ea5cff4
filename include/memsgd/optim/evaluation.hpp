#pragma once

#include <optional>

namespace memsgd {

// The losses of one iterate, whatever the model's precision: what the run file logs.
struct Evaluation {
  double trainLoss = 0.0;  // f(x): mean logistic loss over all n training rows + regulariser
  std::optional<double> testLoss;       // mean logistic loss over the test rows, no regulariser
  std::optional<double> testAccuracy;   // fraction of test rows classified correctly
  std::optional<double> suboptimality;  // trainLoss - f*, when f* is known
};

}  // namespace memsgd
