#include "memsgd/optim/learning_rate.hpp"

namespace memsgd {

double LearningRate::at(double t) const {
  switch (schedule_) {
    case Schedule::kDecay:
      return gamma_ / (lambda_ * (t + offset_));
    case Schedule::kBottou:
      return gamma_ / (1.0 + gamma_ * lambda_ * t);
    case Schedule::kConstant:
      return constant_;
  }
  return constant_;
}

}  // namespace memsgd
