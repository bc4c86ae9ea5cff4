#include "memsgd/run/divergence_check.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "memsgd/mpi/communicator.hpp"

namespace memsgd {
namespace {

// The message of the AgreedError that check() throws, or "" when it passes.
template <typename Check>
std::string stopMessage(Check check) {
  try {
    check();
  } catch (const AgreedError& error) {
    EXPECT_EQ(error.exitCode(), kExitRuntimeError);
    return error.what();
  }
  return "";
}

TEST(DivergenceCheck, TheFirstEvaluationSetsTheStartValueAndTheFactorAppliesFromCheckedFrom) {
  RunConfig config;
  config.optimizer.schedule = Schedule::kConstant;
  double startLoss = 0.0;
  DivergenceCheck check(config, 1.0, 100, false, startLoss);
  check.checkObjective(0.5, 0, 0);
  EXPECT_EQ(startLoss, 0.5);
  // 25x its start value before the first epoch passes, as the paper's rand-1 does.
  EXPECT_EQ(stopMessage([&] { check.checkObjective(12.5, 3, 99); }), "");
  EXPECT_EQ(startLoss, 0.5);
  EXPECT_EQ(stopMessage([&] { check.checkObjective(12.5, 4, 100); }),
            "training diverged after step 4: the objective 12.5 exceeds log.divergence_factor = "
            "10 times its start value 0.5; lower optimizer.rate");
}

TEST(DivergenceCheck, AResumedRunKeepsItsStartValue) {
  RunConfig config;
  double startLoss = 0.5;
  DivergenceCheck check(config, 1.0, 0, true, startLoss);
  EXPECT_EQ(stopMessage([&] { check.checkObjective(6.0, 0, 0); }),
            "training diverged after step 0: the objective 6 exceeds log.divergence_factor = 10 "
            "times its start value 0.5; lower optimizer.gamma");
  EXPECT_EQ(startLoss, 0.5);
}

TEST(DivergenceCheck, ANonFiniteObjectiveOrIterateStopsAtOnce) {
  RunConfig config;
  config.log.divergenceFactor = 0.0;
  double startLoss = 0.0;
  DivergenceCheck check(config, 4.0, 1000, false, startLoss);
  EXPECT_EQ(stopMessage([&] { check.checkObjective(std::nan(""), 2, 5); }),
            "training diverged after step 2: the objective is nan; rows are far from unit norm "
            "(largest ||a_i||^2 = 4): set data.normalize = l2; or lower optimizer.gamma");
  EXPECT_EQ(stopMessage([&] { check.checkObjective(1e300, 2, 5000); }), "");
  EXPECT_EQ(stopMessage([&] { check.checkIterate(true, 7); }), "");
  EXPECT_NE(stopMessage([&] {
              check.checkIterate(false, 7);
            }).find("training diverged after step 7: x is not finite; "),
            std::string::npos);
}

TEST(DivergenceCheck, ARunShorterThanCheckedFromWarnsAtTheEndWhenAboveTheFactor) {
  RunConfig config;
  config.optimizer.schedule = Schedule::kConstant;
  double startLoss = 0.5;
  const DivergenceCheck check(config, 1.0, 100, true, startLoss);
  std::ostringstream below;
  check.warnIfUnchecked(4.0, 99, below);
  EXPECT_EQ(below.str(), "");
  std::ostringstream checked;
  check.warnIfUnchecked(12.5, 100, checked);
  EXPECT_EQ(checked.str(), "");
  std::ostringstream above;
  check.warnIfUnchecked(12.5, 99, above);
  EXPECT_EQ(above.str(),
            "warning: the objective 12.5 is above log.divergence_factor = 10 times its start "
            "value 0.5, unchecked in a run shorter than one epoch; lower optimizer.rate\n");
}

}  // namespace
}  // namespace memsgd
