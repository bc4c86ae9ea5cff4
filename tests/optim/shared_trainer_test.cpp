// communication.mode = shared (SharedTrainer): each rank's error memory keeps exactly what it did
// not write into the shared x, its byte counters are k pairs per step (p values for dense Hogwild
// SGD), a checkpoint restores every rank's state, training on a9a converges like the synchronous
// mode per sample (sparse and dense), and a job across nodes is refused.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <cstdint>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "memsgd/compress/selection.hpp"
#include "memsgd/core/error.hpp"
#include "memsgd/data/distributed_load.hpp"
#include "memsgd/io/checkpoint_file.hpp"
#include "memsgd/io/run_file_reader.hpp"
#include "memsgd/model/model_factory.hpp"
#include "memsgd/optim/shared_trainer.hpp"
#include "memsgd/run/training_run.hpp"
#include "run_helpers.hpp"
#include "test_paths.hpp"
#include "trainer_states.hpp"

namespace memsgd {
namespace {

const std::vector<std::string> kShared = {
    "--communication.mode=shared", "--optimizer.averaging=last", "--log.divergence_factor=0"};

// Steps the ranks one at a time, round after round, until the shared t runs out, calling
// check(v) after each step of this rank with v = m_old + eta (grad f_i(x) + lambda x) as the step
// forms it, at the x it read and on the rows a sampler seeded as the trainer's draws. A step reads
// x in place, racing with the others' adds, so only steps in turns have an x that a test can
// know; the racing steps are the convergence tests'.
template <typename Check>
void checkEachStepInTurns(const Communicator& comm, const RunConfig& config,
                          const Dataset<double>& train, const Model<double>& model,
                          SharedTrainer<double>& trainer, Check&& check) {
  ShardSampler rows(static_cast<std::uint32_t>(train.rows()),
                    Rng(config.optimizer.seed, static_cast<std::uint64_t>(comm.rank()),
                        static_cast<std::uint64_t>(RngPurpose::kSampling)));
  Vector before = trainer.memory();
  for (std::uint64_t stepped = 1; stepped != 0;) {
    stepped = 0;
    for (int turn = 0; turn < comm.size(); ++turn) {
      if (turn == comm.rank()) {
        const Vector x = trainer.sharedXNow();
        if (trainer.step()) {
          const double eta = trainer.learningRate(trainer.lastClaim());
          Vector v = before;
          model.addScaledDataGradient(train, x, rows.next(config.optimizer.batchSize), eta, v);
          addScaled<double>(v, x, eta * model.lambda());
          check(v);
          before = trainer.memory();
          stepped = 1;
        }
      }
      stepped = comm.allreduceMax(stepped);  // also the turn's barrier
    }
  }
}

// The synchronous dense run's final loss at np 1 (measured), the floor of the band on more ranks.
constexpr double kSyncDenseLossAtNp1 = 0.3373;

RunConfig a9aConfig(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), test::sourcePath("configs/a9a_top_k.ini"));
  return test::configFrom(arguments);
}

TEST(SharedTrainer, MemoryKeepsExactlyWhatTheRankDidNotWrite) {
  const Communicator comm;
  for (const std::string method : {"top_k", "rand_k"}) {
    std::vector<std::string> arguments = kShared;
    arguments.push_back("--compression.method=" + method);
    arguments.emplace_back("--compression.k=3");
    arguments.emplace_back("--optimizer.batch_size=2");
    arguments.emplace_back("--communication.value_type=fp32");
    const RunConfig config = a9aConfig(arguments);
    const auto shards = loadShards<double>(config.data, comm);
    const auto model = makeModel(config.model, shards.train);
    const std::uint64_t total = 4000;
    SharedTrainer<double> trainer(config, comm, *model, shards.train, total, 1000);
    std::uint64_t mismatches = 0;
    std::uint64_t pairs = 0;
    checkEachStepInTurns(comm, config, shards.train, *model, trainer, [&](const Vector& v) {
      // m_new + c = v, coordinate by coordinate, with c what the rank subtracted from x.
      Vector sum = trainer.memory();
      const SparseMessage& sent = trainer.lastMessage();
      for (std::size_t i = 0; i < sent.size(); ++i) {
        sum[sent.indices[i]] += sent.values[i];
      }
      mismatches += static_cast<std::uint64_t>((sum.array() != v.array()).count());
      pairs += sent.size();
    });
    const std::uint64_t steps = trainer.steps();
    trainer.finish();
    EXPECT_EQ(mismatches, 0U) << method;
    EXPECT_EQ(pairs, 3 * steps) << method;
    // Bytes written: a uint32 index and a double per pair; read: all of x per step.
    EXPECT_EQ(trainer.counters().sent.index, 4 * 3 * steps);
    EXPECT_EQ(trainer.counters().sent.value, 8 * 3 * steps);
    EXPECT_EQ(trainer.counters().received.value, 8 * 123 * steps);
    EXPECT_EQ(trainer.samples(), total);  // batches of 2 end exactly at 4000
    EXPECT_TRUE(trainer.x().allFinite());
    ASSERT_EQ(trainer.snapshots().size(), 3U);  // at 1000, 2000 and 3000
    for (std::size_t j = 0; j < 3; ++j) {
      EXPECT_EQ(trainer.snapshots()[j].samples, 1000 * (j + 1));
    }
  }
}

// A checkpoint at a settled point restores exactly on any number of ranks: x, t and every
// rank's memory, sampler, compression generator, counters and step count. t is the samples of
// the steps taken: batches of 3 claimed up to 999 are steps, the claims from 1002 on are not.
// After the resume each rank's sampler continues its own stream, and on one rank the run ends
// where an uninterrupted one does, bit for bit.
TEST(SharedTrainer, RestoresEveryRanksStateFromACheckpoint) {
  const Communicator comm;
  const test::ScratchDirectory scratch(comm, "shared_restore");
  std::vector<std::string> arguments = kShared;
  arguments.emplace_back("--compression.method=rand_k");  // a generator to restore
  arguments.emplace_back("--compression.k=3");
  arguments.emplace_back("--optimizer.batch_size=3");
  const RunConfig config = a9aConfig(arguments);
  const auto shards = loadShards<double>(config.data, comm);
  const auto model = makeModel(config.model, shards.train);
  const std::uint64_t total = 3000;
  const std::uint64_t every = 500;
  const CheckpointIdentity identity{{"communication.mode", "shared"}};
  const std::string path = scratch.path("shared.ckpt.h5");
  TrainerState<double> saved;
  {
    SharedTrainer<double> first(config, comm, *model, shards.train, total, every);
    first.runTo(1000);
    saved = first.state();
    writeCheckpoint(path, comm, saved, RunProgress{}, identity);
    first.finish();
  }
  EXPECT_EQ(saved.samples, 1002U);
  EXPECT_TRUE(saved.stepsPerRank);
  std::uint64_t steps = saved.steps;
  comm.allreduceSum(std::span<std::uint64_t>(&steps, 1));
  EXPECT_EQ(3 * steps, saved.samples);

  MPI_Barrier(comm.raw());  // rank 0 wrote the file
  SharedTrainer<double> resumed(config, comm, *model, shards.train, total, every);
  resumed.restore(readCheckpoint<double>(path, comm, identity).state);
  test::expectSameState(resumed.state(), saved);
  resumed.runTo(total);
  EXPECT_EQ(resumed.samples(), total);
  // Only the snapshots after the checkpoint (at 1500, 2000, 2500), each by the step whose batch
  // holds its t.
  ASSERT_EQ(resumed.snapshots().size(), 3U);
  for (std::size_t j = 0; j < 3; ++j) {
    const std::uint64_t due = 1500 + every * j;
    EXPECT_GE(resumed.snapshots()[j].samples, due);
    EXPECT_LT(resumed.snapshots()[j].samples, due + 3);
  }
  // The rank's sampler stands where one seeded like it stands after all of its steps' draws.
  ShardSampler rows(static_cast<std::uint32_t>(shards.train.rows()),
                    Rng(config.optimizer.seed, static_cast<std::uint64_t>(comm.rank()),
                        static_cast<std::uint64_t>(RngPurpose::kSampling)));
  for (std::uint64_t step = 0; step < resumed.steps(); ++step) {
    (void)rows.next(3);
  }
  const ShardSampler::State continued = resumed.state().sampling;
  EXPECT_EQ(continued.order, rows.state().order);
  EXPECT_EQ(continued.position, rows.state().position);
  EXPECT_EQ(continued.rng, rows.state().rng);
  resumed.finish();

  SharedTrainer<double> whole(config, comm, *model, shards.train, total, every);
  whole.run();
  if (comm.size() == 1) {
    test::expectSameState(resumed.state(), whole.state());
  }
}

// One rank alone runs the synchronous algorithm: the same x, bit for bit. On more ranks the
// shared run's last iterate must end within the band of the synchronous one per sample (3 epochs
// of a9a, top-1, last iterate: sync 0.3388 at np 1 and 0.3986 at np 2, shared 0.3424 at np 2).
TEST(SharedTrainer, ConvergesOnA9aAsTheSynchronousModePerSample) {
  const Communicator comm;
  const test::ScratchDirectory scratch(comm, "shared_a9a");
  std::ostringstream console;
  std::vector<std::string> shared = kShared;
  shared.push_back("--log.output=" + scratch.path("shared.h5"));
  const TrainingOutcome sharedRun = runTraining(a9aConfig(shared), comm, console);
  const TrainingOutcome syncRun = runTraining(
      a9aConfig({"--optimizer.averaging=last", "--log.output=" + scratch.path("sync.h5")}), comm,
      console);
  EXPECT_TRUE(sharedRun.x.allFinite());
  if (comm.size() == 1) {
    EXPECT_EQ(sharedRun.x, syncRun.x);
    EXPECT_EQ(sharedRun.last.trainLoss, syncRun.last.trainLoss);
  } else {
    EXPECT_LT(sharedRun.last.trainLoss, 1.25 * std::max(syncRun.last.trainLoss, 0.3388));
  }
  // Every rank's bytes written into x: k = 1 pair (4 + 8 bytes) per step of its own.
  std::vector<std::uint64_t> steps(static_cast<std::size_t>(comm.size()));
  const std::uint64_t mine = sharedRun.steps;
  comm.allgather(std::span(&mine, 1), steps);
  if (comm.rank() == 0) {
    const RunFileReader reader(scratch.path("shared.h5"));
    const std::vector<double> samples = reader.readColumn("/metrics/samples");
    ASSERT_EQ(samples.size(), 32U);  // start, 30 snapshots, end
    EXPECT_EQ(samples.front(), 0.0);
    EXPECT_EQ(samples.back(), 3.0 * 32561.0);
    EXPECT_EQ(reader.readColumn("/metrics/train_loss").back(), sharedRun.last.trainLoss);
    std::vector<std::int64_t> expected;
    for (const std::uint64_t rankSteps : steps) {
      expected.push_back(static_cast<std::int64_t>(12 * rankSteps));
    }
    EXPECT_EQ(reader.readMatrix("/ranks/bytes_sent").back(), expected);
  }
}

// Dense Hogwild SGD (compression.method = none): every step writes all p values of
// v = eta (grad f_i(x) + lambda x) into x, and m keeps only their rounding to the value type
// (nothing in fp64, v - fp32(v) in fp32). No indices: p model.precision values each way.
TEST(SharedTrainer, DenseHogwildWritesAllOfVAndKeepsOnlyItsRounding) {
  const Communicator comm;
  for (const std::string valueType : {"fp64", "fp32"}) {
    const RunConfig config =
        a9aConfig({"--communication.mode=shared", "--optimizer.averaging=last",
                   "--log.divergence_factor=0", "--compression.method=none",
                   "--optimizer.batch_size=2", "--communication.value_type=" + valueType});
    const auto shards = loadShards<double>(config.data, comm);
    const auto model = makeModel(config.model, shards.train);
    const std::uint64_t total = 4000;
    SharedTrainer<double> trainer(config, comm, *model, shards.train, total, 1000);
    std::uint64_t mismatches = 0;
    checkEachStepInTurns(comm, config, shards.train, *model, trainer, [&](const Vector& v) {
      Vector kept = v;
      if (valueType == "fp32") {
        kept -= v.cast<float>().cast<double>();
      } else {
        kept.setZero();
      }
      mismatches += static_cast<std::uint64_t>((trainer.memory().array() != kept.array()).count());
      EXPECT_EQ(trainer.lastMessage().size(), 0U);  // no pairs: v itself is written
    });
    const std::uint64_t steps = trainer.steps();
    trainer.finish();
    EXPECT_EQ(mismatches, 0U) << valueType;
    EXPECT_EQ(trainer.counters().sent.index, 0U);
    EXPECT_EQ(trainer.counters().sent.value, 8 * 123 * steps);
    EXPECT_EQ(trainer.counters().received.value, 8 * 123 * steps);
    EXPECT_EQ(trainer.counters().paperBits, 64 * 123 * steps);
    EXPECT_EQ(trainer.counters().pairs, 123 * steps);
    EXPECT_EQ(trainer.samples(), total);
    EXPECT_TRUE(trainer.x().allFinite());
    ASSERT_EQ(trainer.snapshots().size(), 3U);
    // Every snapshot's counters are this rank's own: p values per step it had made by then.
    for (const SharedSnapshot<double>& snapshot : trainer.snapshots()) {
      EXPECT_EQ(snapshot.counters.sent.value, 8 * 123 * snapshot.steps);
    }
  }
}

// Dense Hogwild SGD against the synchronous dense SGD (MPI_Allreduce of v) of the same config:
// at one rank both subtract the same v from x in the same order, so x is the same bit for bit.
// On more ranks the last iterate must end within the band of the synchronous run per sample
// (3 epochs of a9a, last iterate: 0.3373 for both at np 1; sync 0.3780 and shared 0.3429 at np 2,
// sync 0.3466 and shared 0.3399 at np 4).
TEST(SharedTrainer, DenseHogwildConvergesOnA9aAsTheSynchronousDenseRunPerSample) {
  const Communicator comm;
  const test::ScratchDirectory scratch(comm, "shared_dense_a9a");
  std::ostringstream console;
  std::vector<std::string> shared = kShared;
  shared.emplace_back("--compression.method=none");
  shared.push_back("--log.output=" + scratch.path("shared.h5"));
  const TrainingOutcome sharedRun = runTraining(a9aConfig(shared), comm, console);
  const TrainingOutcome syncRun =
      runTraining(a9aConfig({"--compression.method=none", "--optimizer.averaging=last",
                             "--log.output=" + scratch.path("sync.h5")}),
                  comm, console);
  EXPECT_TRUE(sharedRun.x.allFinite());
  if (comm.size() == 1) {
    EXPECT_EQ(sharedRun.x, syncRun.x);
    EXPECT_EQ(sharedRun.last.trainLoss, syncRun.last.trainLoss);
  } else {
    EXPECT_LT(sharedRun.last.trainLoss,
              1.1 * std::max(syncRun.last.trainLoss, kSyncDenseLossAtNp1));
  }
  // Every rank's bytes written into x: p = 123 doubles per step of its own, no index bytes.
  std::vector<std::uint64_t> steps(static_cast<std::size_t>(comm.size()));
  const std::uint64_t mine = sharedRun.steps;
  comm.allgather(std::span(&mine, 1), steps);
  if (comm.rank() == 0) {
    const RunFileReader reader(scratch.path("shared.h5"));
    EXPECT_EQ(reader.readColumn("/metrics/samples").back(), 3.0 * 32561.0);
    std::vector<std::int64_t> expected;
    for (const std::uint64_t rankSteps : steps) {
      expected.push_back(static_cast<std::int64_t>(8 * 123 * rankSteps));
    }
    EXPECT_EQ(reader.readMatrix("/ranks/bytes_sent").back(), expected);
  }
}

TEST(SharedWindow, RefusesAJobAcrossNodes) {
  EXPECT_NO_THROW(requireOneNode(4, 4));
  try {
    requireOneNode(2, 4);
    ADD_FAILURE() << "a node with 2 of 4 ranks was accepted";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what())
                  .find("communication.mode = shared needs every rank on one "
                        "node, but this node holds 2 of the 4 ranks"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace memsgd
