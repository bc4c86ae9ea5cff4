// communication.mode = shared resumed from a checkpoint (README, "Shared-memory mode"): the
// restore is exact on any number of ranks (a resumed run that checkpoints again at once writes
// the same state), and the run file continues to as many rows at the same t. On one rank the
// resumed run is the uninterrupted one, bit for bit; on more its x depends on the interleaving
// of the ranks' steps, as an uninterrupted run's does, and its loss ends in the same band.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "memsgd/core/error.hpp"
#include "memsgd/data/distributed_load.hpp"
#include "memsgd/io/checkpoint_file.hpp"
#include "memsgd/io/run_file_reader.hpp"
#include "memsgd/model/model_factory.hpp"
#include "memsgd/run/run_identity.hpp"
#include "memsgd/run/run_plan.hpp"
#include "memsgd/run/training_run.hpp"
#include "run_helpers.hpp"
#include "test_paths.hpp"
#include "trainer_states.hpp"

namespace memsgd {
namespace {

class SharedResume : public ::testing::Test {
 protected:
  [[nodiscard]] RunConfig config(const std::string& output, double epochs,
                                 std::vector<std::string> extra) const {
    std::vector<std::string> arguments{test::sourcePath("configs/a9a_top_k.ini"),
                                       "--communication.mode=shared",
                                       "--optimizer.averaging=last",
                                       "--log.divergence_factor=0",
                                       "--log.eval_every=3000",
                                       "--optimizer.epochs=" + std::to_string(epochs),
                                       "--log.output=" + scratch_.path(output)};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return test::configFrom(arguments);
  }
  TrainingOutcome run(const std::string& output, double epochs, std::vector<std::string> extra) {
    return runTraining(config(output, epochs, std::move(extra)), comm_, console_);
  }
  // The checkpoint at `path` as this rank reads it.
  [[nodiscard]] Checkpoint<double> read(const std::string& path) const {
    const RunConfig run = config("any.h5", 1.0, {});
    const auto shards = loadShards<double>(run.data, comm_);
    const auto model = makeModel(run.model, shards.train);
    const std::uint64_t p = model->parameterCount();
    const RunPlan plan = planRun(run, shards.train.globalRows(), p);
    return readCheckpoint<double>(path, comm_,
                                  checkpointIdentity(run, plan.k, comm_, shards, p, std::nullopt));
  }

  Communicator comm_;
  test::ScratchDirectory scratch_{comm_, "shared_resume"};
  std::ostringstream console_;
};

TEST_F(SharedResume, RestoresExactlyAndContinuesTheRunFile) {
  const std::string every = "--log.checkpoint_every=5000";
  // 3 epochs: by then the loss has left the first epoch's overshoot, which depends on the
  // interleaving.
  const TrainingOutcome whole = run("whole.h5", 3.0, {});
  // 0.4 epochs (t = 13025) with checkpoints at 5000, 10000 and the end.
  (void)run("part.h5", 0.4, {every});
  const std::string checkpoint = scratch_.path("part.ckpt.h5");
  std::vector<double> partLosses;
  if (comm_.rank() == 0) {
    partLosses = RunFileReader(scratch_.path("part.h5")).readColumn("/metrics/train_loss");
  }

  // Resumed without a step to take, the run checkpoints again at once: the same state on every
  // rank, and the run file gets back the same rows.
  (void)run(
      "part.h5", 0.4,
      {every, "--resume=" + checkpoint, "--log.checkpoint=" + scratch_.path("again.ckpt.h5")});
  const Checkpoint<double> saved = read(checkpoint);
  const Checkpoint<double> again = read(scratch_.path("again.ckpt.h5"));
  test::expectSameState(again.state, saved.state);
  EXPECT_EQ(saved.state.samples, 13025U);
  EXPECT_EQ(again.progress.runFileRows, saved.progress.runFileRows);
  EXPECT_EQ(again.progress.nextEvaluation, saved.progress.nextEvaluation);
  EXPECT_EQ(again.progress.nextCheckpoint, saved.progress.nextCheckpoint);
  if (comm_.rank() == 0) {
    EXPECT_EQ(RunFileReader(scratch_.path("part.h5")).readColumn("/metrics/train_loss"),
              partLosses);
  }

  // Resumed to the whole run's end.
  const TrainingOutcome resumed = run("part.h5", 3.0, {every, "--resume=" + checkpoint});
  std::uint64_t steps = resumed.steps;
  comm_.allreduceSum(std::span<std::uint64_t>(&steps, 1));
  EXPECT_EQ(steps, 3U * 32561U);  // every rank's steps, one sample each
  if (comm_.size() == 1) {
    ASSERT_EQ(resumed.x.size(), whole.x.size());
    EXPECT_EQ(std::memcmp(resumed.x.data(), whole.x.data(), sizeof(double) * whole.x.size()), 0);
    EXPECT_EQ(resumed.last.trainLoss, whole.last.trainLoss);
  } else {
    // The band of SharedTrainer.ConvergesOnA9aAsTheSynchronousModePerSample, around the
    // uninterrupted shared run instead of the synchronous one.
    EXPECT_LT(resumed.last.trainLoss, 1.25 * std::max(whole.last.trainLoss, 0.3388));
  }
  if (comm_.rank() != 0) {
    return;
  }
  const RunFileReader expected(scratch_.path("whole.h5"));
  const RunFileReader actual(scratch_.path("part.h5"));
  EXPECT_TRUE(actual.isComplete());
  // A snapshot's t is the end of the claim that holds its due point, whichever rank claimed it.
  EXPECT_EQ(actual.readColumn("/metrics/samples"), expected.readColumn("/metrics/samples"));
  for (const char* column : {"/metrics/step_s", "/metrics/wall_s"}) {
    const std::vector<double> seconds = actual.readColumn(column);
    EXPECT_TRUE(std::is_sorted(seconds.begin(), seconds.end())) << column;
  }
  if (comm_.size() == 1) {
    for (const char* column :
         {"/metrics/train_loss", "/metrics/test_loss", "/metrics/test_accuracy", "/metrics/step",
          "/metrics/bytes_sent", "/metrics/bytes_received", "/metrics/paper_bits",
          "/metrics/learning_rate"}) {
      EXPECT_EQ(actual.readColumn(column), expected.readColumn(column)) << column;
    }
    EXPECT_EQ(actual.readMatrix("/ranks/bytes_sent"), expected.readMatrix("/ranks/bytes_sent"));
  }
}

// A run that ends on a scheduled row (t = 12000 with a row every 3000) and is resumed for longer
// has that row once, as the uninterrupted run has it.
TEST_F(SharedResume, KeepsTheRowOfAnEndOnSchedule) {
  const double epochs = 12000.0 / 32561.0;
  (void)run("whole.h5", 0.5, {});
  (void)run("part.h5", epochs, {"--log.checkpoint_every=100000"});
  if (comm_.rank() == 0) {
    EXPECT_EQ(RunFileReader(scratch_.path("part.h5")).readColumn("/metrics/samples").back(),
              12000.0);
  }
  (void)run("part.h5", 0.5, {"--resume=" + scratch_.path("part.ckpt.h5")});
  if (comm_.rank() == 0) {
    EXPECT_EQ(RunFileReader(scratch_.path("part.h5")).readColumn("/metrics/samples"),
              RunFileReader(scratch_.path("whole.h5")).readColumn("/metrics/samples"));
  }
}

// A checkpoint of the synchronous mode does not resume a shared run: the identity holds
// communication.mode.
TEST_F(SharedResume, RefusesASynchronousCheckpoint) {
  (void)runTraining(
      test::configFrom({test::sourcePath("configs/a9a_top_k.ini"), "--optimizer.averaging=last",
                        "--log.divergence_factor=0", "--optimizer.epochs=0.05",
                        "--log.checkpoint_every=1000", "--log.output=" + scratch_.path("sync.h5")}),
      comm_, console_);
  try {
    (void)run("sync.h5", 0.1, {"--resume=" + scratch_.path("sync.ckpt.h5")});
    ADD_FAILURE() << "resumed a synchronous checkpoint in shared mode";
  } catch (const AgreedError& error) {
    EXPECT_NE(std::string(error.what())
                  .find("communication.mode is shared now; the checkpoint "
                        "has sync"),
              std::string::npos)
        << error.what();
    EXPECT_EQ(error.exitCode(), kExitConfigError);
  }
}

}  // namespace
}  // namespace memsgd
