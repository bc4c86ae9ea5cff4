#include "memsgd/optim/learning_rate.hpp"

#include <cmath>

namespace memsgd {

LearningRate::LearningRate(const OptimizerConfig& config, double lambda, double offset,
                           std::uint64_t globalRows)
    : schedule_(config.schedule),
      gamma_(config.gamma),
      lambda_(lambda),
      offset_(offset),
      constant_(config.constantRate),
      decay_(config.rateDecay),
      samplesPerDecay_(config.rateEvery * static_cast<double>(globalRows)) {}

double LearningRate::at(double t) const {
  switch (schedule_) {
    case Schedule::kDecay:
      return gamma_ / (lambda_ * (t + offset_));
    case Schedule::kBottou:
      return gamma_ / (1.0 + gamma_ * lambda_ * t);
    case Schedule::kConstant:
      return constant_;
    case Schedule::kStep:
      return constant_ * std::pow(decay_, std::floor(t / samplesPerDecay_));
  }
  return constant_;
}

}  // namespace memsgd
