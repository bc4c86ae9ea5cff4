#include "memsgd/optim/learning_rate.hpp"

#include <gtest/gtest.h>

namespace memsgd {
namespace {

TEST(LearningRate, FollowsEachSchedule) {
  const LearningRate decay(Schedule::kDecay, 2.0, 0.01, 123.0, 0.0);
  EXPECT_DOUBLE_EQ(decay.at(0.0), 2.0 / (0.01 * 123.0));
  EXPECT_DOUBLE_EQ(decay.at(877.0), 2.0 / (0.01 * 1000.0));
  const LearningRate bottou(Schedule::kBottou, 0.5, 0.1, 0.0, 0.0);
  EXPECT_DOUBLE_EQ(bottou.at(0.0), 0.5);
  EXPECT_DOUBLE_EQ(bottou.at(20.0), 0.5 / (1.0 + 0.5 * 0.1 * 20.0));
  const LearningRate constant(Schedule::kConstant, 2.0, 0.1, 5.0, 0.03);
  EXPECT_DOUBLE_EQ(constant.at(0.0), 0.03);
  EXPECT_DOUBLE_EQ(constant.at(1e9), 0.03);
}

}  // namespace
}  // namespace memsgd
