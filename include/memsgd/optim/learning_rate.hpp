#pragma once

#include "memsgd/config/run_config.hpp"

namespace memsgd {

// eta_t as a function of t, the number of samples processed by all ranks before the step:
//   decay:    gamma / (lambda (t + a))       (the paper's Theorem 2.4 schedule)
//   bottou:   gamma / (1 + gamma lambda t)   (Bottou's SGD schedule, used for the bits plots)
//   constant: eta
class LearningRate {
 public:
  LearningRate(Schedule schedule, double gamma, double lambda, double offset, double constant)
      : schedule_(schedule), gamma_(gamma), lambda_(lambda), offset_(offset), constant_(constant) {}

  [[nodiscard]] double at(double t) const;

 private:
  Schedule schedule_;
  double gamma_;
  double lambda_;
  double offset_;
  double constant_;
};

}  // namespace memsgd
