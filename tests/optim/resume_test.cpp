// A run stopped at a checkpoint and resumed continues bitwise identically: the same remaining
// metrics rows, the same final x, with every rank's error memory, sampler and generator restored.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>

#include "memsgd/io/checkpoint_file.hpp"
#include "memsgd/io/run_file_reader.hpp"
#include "memsgd/model/model_factory.hpp"
#include "memsgd/optim/trainer.hpp"
#include "memsgd/run/training_run.hpp"
#include "random_data.hpp"
#include "run_helpers.hpp"
#include "test_paths.hpp"

namespace memsgd {
namespace {

// A model's run to stop and resume: its config, and the sample counts that fit its data.
struct ModelRun {
  const char* config;
  const char* metric;  // the test metric's column
  double epochs;       // of the whole run; the stopped one runs 0.4 of them
  const char* evalEvery;
  const char* checkpointEvery;
};

const ModelRun kLogistic{"configs/a9a_rand_k.ini", "test_accuracy", 1.0, "3000", "5000"};
const ModelRun kLeastSquares{"configs/diabetes_least_squares.ini", "test_rmse", 10.0, "300", "500"};
const ModelRun kSoftmax{"configs/digits_softmax.ini", "test_accuracy", 1.0, "300", "400"};

class Resume : public ::testing::Test {
 protected:
  TrainingOutcome run(const std::string& output, std::vector<std::string> extra,
                      const ModelRun& model = kLogistic) {
    std::vector<std::string> arguments{
        test::sourcePath(model.config), "--log.output=" + scratch_.path(output),
        "--log.eval_every=" + std::string(model.evalEvery), "--log.trace_steps=true"};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return runTraining(test::configFrom(arguments), comm_, console_);
  }

  // A whole run, and one stopped after 0.4 of its epochs and resumed from its last checkpoint:
  // the same x, metrics, traffic and trace. `name` names the files and is model.precision.
  void expectResumesBitwise(const ModelRun& model, const std::string& name,
                            const std::vector<std::string>& extra);

  Communicator comm_;
  test::ScratchDirectory scratch_{comm_, "resume"};
  std::ostringstream console_;
};

// Every model, both precisions: a float run stores x and the memories as float and resumes from
// them.
class ResumeAtPrecision
    : public Resume,
      public ::testing::WithParamInterface<std::tuple<const ModelRun*, std::string>> {};

TEST_P(ResumeAtPrecision, ContinuesBitwiseIdentically) {
  expectResumesBitwise(*std::get<0>(GetParam()), std::get<1>(GetParam()), {});
}

void Resume::expectResumesBitwise(const ModelRun& model, const std::string& name,
                                  const std::vector<std::string>& extra) {
  const std::string wholeFile = name + "_whole.h5";
  const std::string partFile = name + "_part.h5";
  const auto with = [&extra, &name](std::vector<std::string> arguments) {
    arguments.push_back("--model.precision=" + name);
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return arguments;
  };
  const std::string epochs = "--optimizer.epochs=" + std::to_string(model.epochs);
  const TrainingOutcome whole = run(wholeFile, with({epochs}), model);
  // Stops after 0.4 of the epochs with checkpoints on the way and at the end, then continues.
  (void)run(partFile,
            with({"--optimizer.epochs=" + std::to_string(0.4 * model.epochs),
                  "--log.checkpoint_every=" + std::string(model.checkpointEvery)}),
            model);
  const TrainingOutcome resumed =
      run(partFile, with({epochs, "--resume=" + scratch_.path(name + "_part.ckpt.h5")}), model);

  EXPECT_EQ(resumed.steps, whole.steps);
  ASSERT_EQ(resumed.x.size(), whole.x.size());
  EXPECT_EQ(std::memcmp(resumed.x.data(), whole.x.data(), sizeof(double) * whole.x.size()), 0);
  EXPECT_EQ(resumed.last.trainLoss, whole.last.trainLoss);
  if (comm_.rank() != 0) {
    return;
  }
  const RunFileReader expected(scratch_.path(wholeFile));
  const RunFileReader actual(scratch_.path(partFile));
  EXPECT_TRUE(actual.isComplete());
  EXPECT_EQ(std::get<std::string>(actual.readConfigAttribute("model.precision")), name);
  for (const std::string& column : std::vector<std::string>{
           "/metrics/train_loss", "/metrics/test_loss", "/metrics/" + std::string(model.metric),
           "/metrics/samples", "/metrics/step", "/metrics/bytes_sent", "/metrics/bytes_received",
           "/metrics/paper_bits", "/metrics/learning_rate"}) {
    EXPECT_EQ(actual.readColumn(column), expected.readColumn(column)) << column;
  }
  EXPECT_EQ(actual.readMatrix("/ranks/bytes_sent"), expected.readMatrix("/ranks/bytes_sent"));
  // Step time continues from the checkpoint's, like wall time, rather than starting again at 0.
  for (const char* column : {"/metrics/step_s", "/metrics/wall_s"}) {
    const std::vector<double> seconds = actual.readColumn(column);
    EXPECT_EQ(seconds.size(), expected.readColumn(column).size()) << column;
    EXPECT_TRUE(std::is_sorted(seconds.begin(), seconds.end())) << column;
  }
  // The per-step trace continues where the checkpoint left it, and adds up to the totals.
  EXPECT_EQ(actual.readColumn("/trace/step"), expected.readColumn("/trace/step"));
  const auto trace = actual.readMatrix("/trace/bytes_sent");
  EXPECT_EQ(trace, expected.readMatrix("/trace/bytes_sent"));
  EXPECT_EQ(trace.size(), whole.steps);
  std::vector<std::int64_t> summed(static_cast<std::size_t>(comm_.size()), 0);
  for (const auto& step : trace) {
    for (std::size_t r = 0; r < summed.size(); ++r) {
      summed[r] += step[r];
    }
  }
  EXPECT_EQ(summed, actual.readMatrix("/ranks/bytes_sent").back());
}

INSTANTIATE_TEST_SUITE_P(ModelsAndPrecisions, ResumeAtPrecision,
                         ::testing::Combine(::testing::Values(&kLogistic, &kLeastSquares,
                                                              &kSoftmax),
                                            ::testing::Values("double", "float")),
                         [](const auto& info) {
                           const ModelRun* model = std::get<0>(info.param);
                           return std::string(model == &kLogistic       ? "logistic_"
                                              : model == &kLeastSquares ? "least_squares_"
                                                                        : "softmax_") +
                                  std::get<1>(info.param);
                         });

// The velocity is in the checkpoint (momentum correction: rand_k with memory; heavy ball: without),
// and a warm-up that ends after the checkpoint (0.6 of a9a's 32561 rows in steps of all ranks)
// continues as it would have; the step schedule decays on both sides of the resume.
TEST_F(Resume, ContinuesBitwiseWithMomentumAcrossTheWarmupBoundary) {
  const std::uint64_t warmup = 32561 * 6 / 10 / static_cast<std::uint64_t>(comm_.size());
  const std::vector<std::string> step{"--optimizer.schedule=step", "--optimizer.rate=0.5",
                                      "--optimizer.rate_every=0.3", "--optimizer.rate_decay=0.5"};
  std::vector<std::string> corrected{"--optimizer.momentum=0.9",
                                     "--compression.warmup_steps=" + std::to_string(warmup)};
  corrected.insert(corrected.end(), step.begin(), step.end());
  expectResumesBitwise(kLogistic, "double", corrected);
  std::vector<std::string> heavyBall{"--optimizer.momentum=0.5", "--compression.memory=false"};
  heavyBall.insert(heavyBall.end(), step.begin(), step.end());
  expectResumesBitwise(kLogistic, "float", heavyBall);
}

// communication.collective = auto resumes with the collective the checkpointed run picked: the
// constants (fixed here so the pick is split_allgather, whose fp64 sums round unlike allgather's)
// are part of the identity, and the pick is kept, not calibrated again.
TEST_F(Resume, AutoCollectiveContinuesBitwiseWithItsPick) {
  const std::vector<std::string> splitFirst{"--communication.collective=auto",
                                            "--communication.alpha_s=0",
                                            "--communication.beta_s_per_byte=0",
                                            "--communication.encode_s_per_pair=0",
                                            "--communication.decode_s_per_pair=1e-6",
                                            "--communication.apply_s_per_pair=0",
                                            "--communication.dense_s_per_coordinate=1e-6"};
  expectResumesBitwise(kLogistic, "double", splitFirst);
  if (comm_.rank() == 0) {
    const RunFileReader resumed(scratch_.path("double_part.h5"));
    EXPECT_EQ(std::get<std::string>(resumed.readConfigAttribute("collective_resolved")),
              "split_allgather");
    // The original pick's record stays; the resumed run adds none of its own.
    EXPECT_EQ(std::get<std::string>(resumed.readConfigAttribute("collective_costs")), "configured");
  }
}

// Measured constants may differ between runs; the resumed run uses the checkpoint's pick.
TEST_F(Resume, AutoCollectiveKeepsAMeasuredPick) {
  (void)run("measured.h5", {"--optimizer.epochs=0.1", "--log.checkpoint_every=100000",
                            "--communication.collective=auto"});
  const std::string checkpoint = scratch_.path("measured.ckpt.h5");
  const std::string picked =
      readCheckpointIdentityValue(checkpoint, comm_, "collective_resolved").value_or("none");
  EXPECT_NE(picked, "none");
  (void)run("measured.h5", {"--optimizer.epochs=0.2", "--communication.collective=auto",
                            "--resume=" + checkpoint});
  // A resumed run that picked again and differently would fail the identity's
  // collective_resolved; the run file keeps the original pick.
  if (comm_.rank() == 0) {
    const RunFileReader resumed(scratch_.path("measured.h5"));
    EXPECT_TRUE(resumed.isComplete());
    EXPECT_EQ(std::get<std::string>(resumed.readConfigAttribute("collective_resolved")), picked);
    EXPECT_EQ(std::get<std::string>(resumed.readConfigAttribute("collective_costs")), "measured");
  }
}

TEST_F(Resume, RefusesAnotherMomentum) {
  (void)run("momentum.h5", {"--optimizer.epochs=0.1", "--log.checkpoint_every=100000",
                            "--optimizer.momentum=0.9"});
  try {
    (void)run("momentum.h5",
              {"--optimizer.momentum=0", "--resume=" + scratch_.path("momentum.ckpt.h5")});
    ADD_FAILURE() << "resumed a run with momentum without it";
  } catch (const AgreedError& error) {
    EXPECT_NE(std::string(error.what()).find("optimizer.momentum"), std::string::npos)
        << error.what();
    EXPECT_EQ(error.exitCode(), kExitConfigError);
  }
}

// A checkpoint of a logistic run does not continue as least squares (same data, other model).
TEST_F(Resume, RefusesAnotherModelNamingModelType) {
  (void)run("model.h5", {"--optimizer.epochs=0.1", "--log.checkpoint_every=100000"});
  try {
    (void)run("model.h5", {"--model.type=least_squares", "--optimizer.schedule=constant",
                           "--resume=" + scratch_.path("model.ckpt.h5")});
    ADD_FAILURE() << "resumed a logistic checkpoint as least squares";
  } catch (const AgreedError& error) {
    EXPECT_NE(std::string(error.what()).find("model.type"), std::string::npos) << error.what();
    EXPECT_EQ(error.exitCode(), kExitConfigError);
  }
}

TEST_F(Resume, RefusesAnotherPrecision) {
  (void)run("precision.h5",
            {"--optimizer.epochs=0.1", "--log.checkpoint_every=100000", "--model.precision=float"});
  try {
    (void)run("precision.h5",
              {"--model.precision=double", "--resume=" + scratch_.path("precision.ckpt.h5")});
    ADD_FAILURE() << "resumed a float checkpoint in double";
  } catch (const AgreedError& error) {
    EXPECT_NE(std::string(error.what()).find("model.precision"), std::string::npos) << error.what();
    EXPECT_EQ(error.exitCode(), kExitConfigError);
  }
}

TEST_F(Resume, RefusesAnotherConfiguration) {
  (void)run("short.h5", {"--optimizer.epochs=0.1", "--log.checkpoint_every=100000"});
  try {
    (void)run("short.h5", {"--compression.k=2", "--resume=" + scratch_.path("short.ckpt.h5")});
    ADD_FAILURE() << "resumed with another k";
  } catch (const AgreedError& error) {
    EXPECT_NE(std::string(error.what()).find("compression.k"), std::string::npos) << error.what();
    EXPECT_EQ(error.exitCode(), kExitConfigError);
  }
}

TEST_F(Resume, RefusesAnotherRankCount) {
  if (comm_.size() == 1) {
    GTEST_SKIP() << "needs a smaller communicator than the one that wrote the checkpoint";
  }
  (void)run("ranks.h5", {"--optimizer.epochs=0.05", "--log.checkpoint_every=100000"});
  // Rank 0 alone tries to continue what all ranks saved.
  MPI_Comm single = MPI_COMM_NULL;
  MPI_Comm_split(comm_.raw(), comm_.rank() == 0 ? 0 : MPI_UNDEFINED, 0, &single);
  if (single != MPI_COMM_NULL) {
    const Communicator alone(single);
    const std::vector<std::string> arguments{
        test::sourcePath("configs/a9a_rand_k.ini"), "--log.output=" + scratch_.path("ranks.h5"),
        "--log.eval_every=3000", "--resume=" + scratch_.path("ranks.ckpt.h5")};
    try {
      (void)runTraining(test::configFrom(arguments), alone, console_);
      ADD_FAILURE() << "resumed on another number of ranks";
    } catch (const AgreedError& error) {
      EXPECT_NE(std::string(error.what()).find("ranks"), std::string::npos) << error.what();
    }
    MPI_Comm_free(&single);
  }
  MPI_Barrier(comm_.raw());
}

// heart_scale copied to the scratch folder, with every label flipped when asked; rank 0 writes it.
void writeHeartScale(const Communicator& comm, const std::string& path, bool flipLabels) {
  if (comm.rank() == 0) {
    std::ifstream in(test::sourcePath("configs/data/heart_scale"));
    std::ofstream out(path);
    for (std::string line; std::getline(in, line);) {
      if (flipLabels && !line.empty()) line[0] = line[0] == '+' ? '-' : '+';
      out << line << "\n";
    }
  }
  MPI_Barrier(comm.raw());
}

// A batch job resumes from another working directory: the same data under another path string.
TEST_F(Resume, AcceptsTheSameDataUnderAnotherPath) {
  const std::string data = scratch_.path("heart.svm");
  writeHeartScale(comm_, data, false);
  const std::vector<std::string> common{"--compression.method=top_k", "--compression.k=2",
                                        "--log.checkpoint_every=100",
                                        "--log.output=" + scratch_.path("moved.h5")};
  std::vector<std::string> first{"--data.train=" + data, "--optimizer.epochs=1"};
  first.insert(first.end(), common.begin(), common.end());
  (void)runTraining(test::configFrom(first), comm_, console_);

  const std::filesystem::path before = std::filesystem::current_path();
  std::filesystem::current_path(std::filesystem::path(data).parent_path());
  std::vector<std::string> second{"--data.train=heart.svm", "--optimizer.epochs=2",
                                  "--resume=" + scratch_.path("moved.ckpt.h5")};
  second.insert(second.end(), common.begin(), common.end());
  EXPECT_NO_THROW((void)runTraining(test::configFrom(second), comm_, console_));
  std::filesystem::current_path(before);
}

// The same path with other content (every label flipped) is another data set.
TEST_F(Resume, RefusesOtherDataAtTheSamePath) {
  const std::string data = scratch_.path("flipped.svm");
  writeHeartScale(comm_, data, false);
  const std::vector<std::string> common{"--data.train=" + data, "--log.checkpoint_every=100",
                                        "--log.output=" + scratch_.path("flipped.h5")};
  std::vector<std::string> first{"--optimizer.epochs=1"};
  first.insert(first.end(), common.begin(), common.end());
  (void)runTraining(test::configFrom(first), comm_, console_);
  writeHeartScale(comm_, data, true);
  std::vector<std::string> second{"--optimizer.epochs=2",
                                  "--resume=" + scratch_.path("flipped.ckpt.h5")};
  second.insert(second.end(), common.begin(), common.end());
  try {
    (void)runTraining(test::configFrom(second), comm_, console_);
    ADD_FAILURE() << "resumed on data whose labels were all flipped";
  } catch (const AgreedError& error) {
    EXPECT_NE(std::string(error.what()).find("train_fingerprint"), std::string::npos)
        << error.what();
    EXPECT_EQ(error.exitCode(), kExitConfigError);
  }
}

TEST_F(Resume, ReportsAMissingCheckpoint) {
  EXPECT_THROW((void)run("none.h5", {"--resume=" + scratch_.path("absent.ckpt.h5")}), AgreedError);
}

// The mlp through the trainer and a real checkpoint file (its labels 0..C-1 built here, as the
// loader will give them): 150 steps, a checkpoint, a fresh trainer restored from the file and
// 250 more steps end bitwise where 400 steps in one go end, at both precisions, with a
// randomised compressor (its generator restored) and the error memory, over the whole vector and
// per layer (three generators drawing from one stream).
template <typename Scalar>
void expectMlpResumesBitwise(const Communicator& comm, const test::ScratchDirectory& scratch,
                             CompressionScope scope) {
  const Dataset<Scalar> shard =
      test::randomClassData<Scalar>(60, 20, 4, 200 + static_cast<std::uint64_t>(comm.rank()));
  RunConfig config;
  config.model.type = "mlp";
  config.compression.method = "rand_k";
  config.compression.k = 10;
  config.compression.scope = scope;
  config.optimizer.batchSize = 3;
  config.optimizer.schedule = Schedule::kConstant;
  config.optimizer.constantRate = 0.05;
  const auto model =
      makeModel<Scalar>("mlp", {.dim = 20, .lambda = 1e-3, .classes = 4, .hidden = {8, 6}});
  const auto steps = [](Trainer<Scalar>& trainer, int count) {
    for (int step = 0; step < count; ++step) trainer.step();
  };
  Trainer<Scalar> whole(config, comm, *model, shard);
  steps(whole, 400);
  const CheckpointIdentity identity{{"model.type", "mlp"}};
  const std::string path = scratch.path("mlp.ckpt.h5");
  {
    Trainer<Scalar> part(config, comm, *model, shard);
    steps(part, 150);
    writeCheckpoint(path, comm, part.state(), RunProgress{}, identity);
  }
  MPI_Barrier(comm.raw());  // rank 0 writes the file: the others read it once it is there
  Trainer<Scalar> resumed(config, comm, *model, shard);
  resumed.restore(readCheckpoint<Scalar>(path, comm, identity).state);
  steps(resumed, 250);
  EXPECT_EQ(resumed.steps(), whole.steps());
  const auto bytes = sizeof(Scalar) * static_cast<std::size_t>(whole.x().size());
  EXPECT_EQ(std::memcmp(resumed.x().data(), whole.x().data(), bytes), 0);
  const TrainerState<Scalar> a = resumed.state();
  const TrainerState<Scalar> b = whole.state();
  EXPECT_EQ(std::memcmp(a.memory.data(), b.memory.data(), bytes), 0);
  EXPECT_EQ(a.counters.sent.total(), b.counters.sent.total());
  EXPECT_NE(whole.x(), Trainer<Scalar>(config, comm, *model, shard).x());  // it moved
}

TEST(MlpResume, ContinuesBitwiseIdenticallyFromACheckpointFile) {
  const Communicator comm;
  const test::ScratchDirectory scratch(comm, "mlp_resume");
  for (const CompressionScope scope : {CompressionScope::kGlobal, CompressionScope::kLayer}) {
    expectMlpResumesBitwise<double>(comm, scratch, scope);
    expectMlpResumesBitwise<float>(comm, scratch, scope);
  }
}

}  // namespace
}  // namespace memsgd
