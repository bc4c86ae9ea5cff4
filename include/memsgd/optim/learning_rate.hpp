#pragma once

#include <cstdint>

#include "memsgd/config/run_config.hpp"

namespace memsgd {

// eta_t as a function of t, the number of samples processed by all ranks before the step:
//   decay:    gamma / (lambda (t + a))       (the paper's Theorem 2.4 schedule)
//   bottou:   gamma / (1 + gamma lambda t)   (Bottou's SGD schedule, used for the bits plots)
//   constant: eta
//   step:     eta * decay^floor(t / (every n)), n the global number of training rows: the
//             epoch counted in samples, so the schedule is the same at any rank count
class LearningRate {
 public:
  // `lambda` and `offset` as resolved from the data (ResolvedHyperParameters); `globalRows` is n.
  LearningRate(const OptimizerConfig& config, double lambda, double offset,
               std::uint64_t globalRows);

  [[nodiscard]] double at(double t) const;

 private:
  Schedule schedule_;
  double gamma_;
  double lambda_;
  double offset_;
  double constant_;
  double decay_;
  double samplesPerDecay_;  // every * n
};

}  // namespace memsgd
