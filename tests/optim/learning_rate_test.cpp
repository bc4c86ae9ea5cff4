#include "memsgd/optim/learning_rate.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace memsgd {
namespace {

OptimizerConfig schedule(Schedule kind, double gamma, double rate) {
  OptimizerConfig config;
  config.schedule = kind;
  config.gamma = gamma;
  config.constantRate = rate;
  return config;
}

TEST(LearningRate, FollowsEachSchedule) {
  const LearningRate decay(schedule(Schedule::kDecay, 2.0, 0.0), 0.01, 123.0, 10);
  EXPECT_DOUBLE_EQ(decay.at(0.0), 2.0 / (0.01 * 123.0));
  EXPECT_DOUBLE_EQ(decay.at(877.0), 2.0 / (0.01 * 1000.0));
  const LearningRate bottou(schedule(Schedule::kBottou, 0.5, 0.0), 0.1, 0.0, 10);
  EXPECT_DOUBLE_EQ(bottou.at(0.0), 0.5);
  EXPECT_DOUBLE_EQ(bottou.at(20.0), 0.5 / (1.0 + 0.5 * 0.1 * 20.0));
  const LearningRate constant(schedule(Schedule::kConstant, 2.0, 0.03), 0.1, 5.0, 10);
  EXPECT_DOUBLE_EQ(constant.at(0.0), 0.03);
  EXPECT_DOUBLE_EQ(constant.at(1e9), 0.03);
}

// rate * decay^(completed periods of `every` epochs), an epoch being n = 1000 samples of all
// ranks: the rate drops exactly at t = every * n, 2 every * n, ..., not one sample early or late.
TEST(LearningRate, StepDecaysAtEpochBoundariesCountedInSamples) {
  OptimizerConfig config = schedule(Schedule::kStep, 2.0, 0.4);
  config.rateDecay = 0.5;
  config.rateEvery = 3.0;
  const LearningRate step(config, 0.1, 5.0, 1000);
  EXPECT_DOUBLE_EQ(step.at(0.0), 0.4);
  EXPECT_DOUBLE_EQ(step.at(2999.0), 0.4);
  EXPECT_DOUBLE_EQ(step.at(3000.0), 0.2);
  EXPECT_DOUBLE_EQ(step.at(5999.0), 0.2);
  EXPECT_DOUBLE_EQ(step.at(6000.0), 0.1);
  EXPECT_DOUBLE_EQ(step.at(30000.0), 0.4 * std::pow(0.5, 10));
  // A fractional period (every half epoch) and decay = 1 (a constant rate).
  config.rateEvery = 0.5;
  const LearningRate halves(config, 0.1, 5.0, 1000);
  EXPECT_DOUBLE_EQ(halves.at(499.0), 0.4);
  EXPECT_DOUBLE_EQ(halves.at(500.0), 0.2);
  EXPECT_DOUBLE_EQ(halves.at(1000.0), 0.1);
  config.rateDecay = 1.0;
  EXPECT_DOUBLE_EQ(LearningRate(config, 0.1, 5.0, 1000).at(1e7), 0.4);
}

}  // namespace
}  // namespace memsgd
