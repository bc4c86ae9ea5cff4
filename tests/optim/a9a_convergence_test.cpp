// The paper's central claim on real data (a9a, 2 ranks, 3 epochs, paper settings): top-1 with
// memory converges like dense SGD, top-1 without memory does not. An independent simulation of
// this exact setting gives final training losses 0.3293 (SGD), 0.3293 (top-1) and 0.549 (no
// memory).
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "memsgd/cli/options.hpp"
#include "memsgd/io/run_file_reader.hpp"
#include "memsgd/run/training_run.hpp"
#include "run_helpers.hpp"
#include "test_paths.hpp"

namespace memsgd {
namespace {

TEST(A9aConvergence, TopOneWithMemoryMatchesSgdAndWithoutMemoryDoesNot) {
  const Communicator comm;
  const test::ScratchDirectory scratch(comm, "a9a_convergence");
  std::ostringstream console;
  const auto run = [&](const std::string& configName) {
    const std::string output = scratch.path(configName + ".h5");
    const RunConfig config = test::configFrom(
        {test::sourcePath("configs/" + configName + ".ini"), "--log.output=" + output});
    return std::make_pair(runTraining(config, comm, console), output);
  };
  const auto [sgd, sgdFile] = run("a9a_sgd");
  const auto [topOne, topOneFile] = run("a9a_top_k");
  const auto [noMemory, noMemoryFile] = run("a9a_top_k_no_memory");

  EXPECT_NEAR(sgd.last.trainLoss, 0.3293, 0.01);
  EXPECT_LT(std::abs(topOne.last.trainLoss - sgd.last.trainLoss), 0.01 * sgd.last.trainLoss);
  EXPECT_GT(noMemory.last.trainLoss, 1.3 * sgd.last.trainLoss);

  if (comm.rank() == 0) {
    // The run file holds what the run computed: its last row is the final evaluation.
    const RunFileReader reader(topOneFile);
    const std::vector<double> loss = reader.readColumn("/metrics/train_loss");
    const std::vector<double> samples = reader.readColumn("/metrics/samples");
    const std::vector<double> sent = reader.readColumn("/metrics/bytes_sent");
    ASSERT_GE(loss.size(), 31U);  // start, every n/10 samples for 3 epochs, end
    EXPECT_EQ(loss.back(), topOne.last.trainLoss);
    EXPECT_GE(samples.back(), 3.0 * 32561.0);
    EXPECT_EQ(samples.front(), 0.0);
    // Top-1: 8 bytes per step from each of the 2 ranks to its one peer.
    EXPECT_EQ(sent.back(), 2.0 * 8.0 * static_cast<double>(topOne.steps));
    EXPECT_EQ(std::get<std::string>(reader.readConfigAttribute("compression.method")), "top_k");
    EXPECT_EQ(std::get<std::int64_t>(reader.readConfigAttribute("ranks")), 2);
    const auto perRank = reader.readMatrix("/ranks/bytes_sent");
    ASSERT_EQ(perRank.size(), loss.size());
    EXPECT_EQ(perRank.back(),
              (std::vector<std::int64_t>{static_cast<std::int64_t>(8 * topOne.steps),
                                         static_cast<std::int64_t>(8 * topOne.steps)}));
    // SGD sends the dense d = 123 vector as float32: the paper counts 64 bits per coordinate.
    const RunFileReader sgdReader(sgdFile);
    EXPECT_EQ(sgdReader.readColumn("/metrics/paper_bits").back(),
              2.0 * 64.0 * 123.0 * static_cast<double>(sgd.steps));
    EXPECT_TRUE(std::filesystem::exists(noMemoryFile));
  }
}

// model.precision = float stores x, the memory and the data in float: the same runs must end
// within a small tolerance of double (SGD's own noise is far larger than float's rounding).
TEST(A9aConvergence, FloatEndsWhereDoubleDoes) {
  const Communicator comm;
  const test::ScratchDirectory scratch(comm, "a9a_precision");
  std::ostringstream console;
  for (const std::string configName : {"a9a_top_k", "a9a_sgd"}) {
    const auto run = [&](const std::string& precision) {
      const RunConfig config = test::configFrom(
          {test::sourcePath("configs/" + configName + ".ini"), "--model.precision=" + precision,
           "--log.output=" + scratch.path(configName + "_" + precision + ".h5")});
      return runTraining(config, comm, console);
    };
    const TrainingOutcome inDouble = run("double");
    const TrainingOutcome inFloat = run("float");
    SCOPED_TRACE(configName);
    EXPECT_EQ(inFloat.steps, inDouble.steps);
    EXPECT_NEAR(inFloat.last.trainLoss, inDouble.last.trainLoss, 1e-4 * inDouble.last.trainLoss);
    EXPECT_NEAR(*inFloat.last.testLoss, *inDouble.last.testLoss, 1e-4 * *inDouble.last.testLoss);
    EXPECT_NEAR(*inFloat.last.testMetric, *inDouble.last.testMetric, 1e-3);
    // Not the same run rounded at the end: float's x differs from double's (along the loss's flat
    // directions by ~1%; measured losses agree to ~1e-5).
    EXPECT_NE(inFloat.x, inDouble.x);
  }
}

}  // namespace
}  // namespace memsgd
