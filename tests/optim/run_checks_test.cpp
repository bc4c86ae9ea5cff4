// The training run's own checks: a run that blows up stops and keeps its last good checkpoint,
// k given as a percentage is resolved and logged, and step time is a column of the run file.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

#include "memsgd/io/run_file_reader.hpp"
#include "memsgd/run/training_run.hpp"
#include "run_helpers.hpp"
#include "test_paths.hpp"

namespace memsgd {
namespace {

class RunChecks : public ::testing::Test {
 protected:
  void SetUp() override {
    // 40 dense rows of three features with squared norms up to 990: unnormalised, as a user's
    // own data may be.
    if (comm_.rank() == 0) {
      std::ofstream rows(scratch_.path("wide.svm"));
      for (int i = 0; i < 40; ++i) {
        rows << (i % 2 == 1 ? "+1" : "-1") << " 1:" << (i % 7) * 3 + 1 << " 2:" << -(i % 5) * 4 - 2
             << " 3:" << (i % 3) * 10 + 5 << "\n";
      }
    }
    MPI_Barrier(comm_.raw());
  }

  TrainingOutcome run(const std::string& output, std::vector<std::string> arguments) {
    arguments.push_back("--log.output=" + scratch_.path(output));
    return runTraining(test::configFrom(arguments), comm_, console_);
  }

  // The message of the AgreedError the run throws (exit code 1), or a failure.
  std::string divergence(const std::string& output, const std::vector<std::string>& arguments) {
    try {
      (void)run(output, arguments);
    } catch (const AgreedError& error) {
      EXPECT_EQ(error.exitCode(), kExitRuntimeError) << error.what();
      return error.what();
    }
    ADD_FAILURE() << "the run did not stop";
    return {};
  }

  // The step a divergence message names ("... after step 12: ...").
  static std::uint64_t stepOf(const std::string& message) {
    const std::string marker = "after step ";
    const auto at = message.find(marker);
    return at == std::string::npos ? 0 : std::stoull(message.substr(at + marker.size()));
  }

  [[nodiscard]] std::vector<std::string> wide() const {
    return {"--data.train=" + scratch_.path("wide.svm"), "--optimizer.epochs=3"};
  }

  Communicator comm_;
  test::ScratchDirectory scratch_{comm_, "run_checks"};
  std::ostringstream console_;
};

// Unnormalised rows under the paper's decay rate are at ~227x the start objective after one epoch
// and end 3 epochs at ~26x, finite, which once passed for success.
TEST_F(RunChecks, ObjectiveFarAboveItsStartStopsTheRunWithoutTheCompleteMark) {
  const std::string message = divergence("wide.h5", wide());
  EXPECT_GT(stepOf(message), 0U) << message;
  EXPECT_NE(message.find("exceeds log.divergence_factor = 10 times its start value 0.693147"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("||a_i||^2 = 990): set data.normalize = l2"), std::string::npos)
      << message;
  if (comm_.rank() == 0) {
    EXPECT_FALSE(RunFileReader(scratch_.path("wide.h5")).isComplete());
  }
  // The same run without the check goes to its end: what stopped it was the factor.
  auto unchecked = wide();
  unchecked.emplace_back("--log.divergence_factor=0");
  EXPECT_GT(run("unchecked.h5", unchecked).last.trainLoss, 10 * 0.693147);
}

TEST_F(RunChecks, UnbiasedCompressorWithMemoryIsNamedInTheHint) {
  auto arguments = wide();
  arguments.insert(arguments.end(), {"--compression.method=qsgd", "--compression.memory=true"});
  const std::string message = divergence("qsgd.h5", arguments);
  EXPECT_NE(message.find("unbiased qsgd: set compression.memory = false"), std::string::npos)
      << message;
}

// Checked at every step (a checkpoint after each one, no evaluation in between), the run must stop
// at the first step whose objective is too high, with the checkpoint of the step before on disk;
// resumed from it, the run stops at the same step against the same start value.
TEST_F(RunChecks, CheckpointNeverHoldsADivergedStateAndResumeKeepsTheStartValue) {
  const std::vector<std::string> settings{"--data.train=" + scratch_.path("wide.svm"),
                                          "--data.normalize=l2", "--optimizer.schedule=constant",
                                          "--optimizer.rate=100", "--optimizer.epochs=3"};
  const std::string everyStep = "--log.eval_every=" + std::to_string(comm_.size());
  // The trajectory without the check, one row per step.
  auto traced = settings;
  traced.insert(traced.end(), {everyStep, "--log.divergence_factor=0"});
  (void)run("traced.h5", traced);
  std::vector<double> losses(1);
  if (comm_.rank() == 0) {
    losses = RunFileReader(scratch_.path("traced.h5")).readColumn("/metrics/train_loss");
  }
  int size = static_cast<int>(losses.size());
  MPI_Bcast(&size, 1, MPI_INT, 0, comm_.raw());
  losses.resize(static_cast<std::size_t>(size));
  MPI_Bcast(losses.data(), size, MPI_DOUBLE, 0, comm_.raw());
  // x = 0 at the start: f = log 2, whatever the data.
  ASSERT_EQ(losses.front(), std::log(2.0));
  // Just above the objective after the first epoch's steps (the factor applies from the first
  // epoch on): the run must get past it, then stop at the first later step that exceeds it.
  const std::size_t epochSteps = (40 + comm_.size() - 1) / comm_.size();  // 40 rows
  ASSERT_GT(losses.size(), epochSteps);
  const double factor = losses[epochSteps] / losses[0] * (1 + 1e-9);
  ASSERT_GE(factor, 1.0);
  const auto expectedStep = static_cast<std::uint64_t>(
      std::find_if(losses.begin() + static_cast<std::ptrdiff_t>(epochSteps), losses.end(),
                   [&](double loss) { return loss > factor * losses[0]; }) -
      losses.begin());
  ASSERT_LT(expectedStep, losses.size()) << "the objective never exceeds its value after one epoch";
  std::ostringstream factorText;
  factorText << std::setprecision(17) << factor;

  auto checked = settings;
  checked.insert(checked.end(), {"--log.eval_every=1000000",
                                 "--log.checkpoint_every=" + std::to_string(comm_.size()),
                                 "--log.divergence_factor=" + factorText.str()});
  const std::string message = divergence("checked.h5", checked);
  EXPECT_EQ(stepOf(message), expectedStep) << message;
  const std::string checkpoint = scratch_.path("checked.ckpt.h5");
  double storedSteps = 0.0;
  if (comm_.rank() == 0) {
    storedSteps = RunFileReader(checkpoint).readColumn("/progress").front();
  }
  MPI_Bcast(&storedSteps, 1, MPI_DOUBLE, 0, comm_.raw());
  EXPECT_EQ(storedSteps, static_cast<double>(expectedStep - 1));

  checked.push_back("--resume=" + checkpoint);
  const std::string resumed = divergence("checked.h5", checked);
  EXPECT_EQ(stepOf(resumed), expectedStep) << resumed;
  EXPECT_NE(resumed.find("times its start value 0.693147;"), std::string::npos) << resumed;
}

TEST_F(RunChecks, PercentageKIsLoggedAsTheIntegerAndResumesAsIt) {
  // a9a has d = 123: 1% is 1.23, rounded up to 2.
  const std::vector<std::string> a9a{test::sourcePath("configs/a9a_top_k.ini"),
                                     "--log.checkpoint_every=100000"};
  auto percent = a9a;
  percent.insert(percent.end(), {"--compression.k=1%", "--optimizer.epochs=0.1"});
  (void)run("percent.h5", percent);
  if (comm_.rank() == 0) {
    const RunFileReader reader(scratch_.path("percent.h5"));
    EXPECT_EQ(reader.readConfigAttribute("k_resolved"), AttributeValue(std::int64_t{2}));
    EXPECT_EQ(reader.readConfigAttribute("compression.k"), AttributeValue(std::string("1%")));
  }
  // The checkpoint of k = 1% is the checkpoint of k = 2, whichever way the resume writes it.
  auto integer = a9a;
  integer.insert(integer.end(), {"--compression.k=2", "--optimizer.epochs=0.2",
                                 "--resume=" + scratch_.path("percent.ckpt.h5")});
  EXPECT_NO_THROW((void)run("percent.h5", integer));
}

TEST_F(RunChecks, StepTimeIsCumulativeAndBelowWallTime) {
  (void)run("time.h5", {test::sourcePath("configs/a9a_top_k.ini"), "--optimizer.epochs=0.3",
                        "--log.eval_every=2000"});
  if (comm_.rank() != 0) {
    return;
  }
  const RunFileReader reader(scratch_.path("time.h5"));
  const std::vector<double> step = reader.readColumn("/metrics/step_s");
  const std::vector<double> wall = reader.readColumn("/metrics/wall_s");
  ASSERT_EQ(step.size(), wall.size());
  EXPECT_EQ(step.front(), 0.0);  // the evaluation at the start follows no step
  EXPECT_GT(step.back(), 0.0);
  EXPECT_TRUE(std::is_sorted(step.begin(), step.end()));
  for (std::size_t i = 0; i < step.size(); ++i) {
    EXPECT_LE(step[i], wall[i]) << "row " << i;
  }
}

}  // namespace
}  // namespace memsgd
