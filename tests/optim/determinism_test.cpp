// The same config, seed and rank count give bitwise identical metrics (wall time aside); another
// seed gives another run.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <variant>

#include "memsgd/io/run_file_reader.hpp"
#include "memsgd/run/training_run.hpp"
#include "run_helpers.hpp"
#include "test_paths.hpp"

namespace memsgd {
namespace {

class Determinism : public ::testing::TestWithParam<std::string> {};

TEST_P(Determinism, SameSeedSameMetricsOtherSeedOtherRun) {
  const Communicator comm;
  const test::ScratchDirectory scratch(comm, "determinism_" + GetParam());
  std::ostringstream console;
  const auto run = [&](const std::string& name, const std::string& seed) {
    const std::string output = scratch.path(name + ".h5");
    runTraining(test::configFrom({test::sourcePath("configs/a9a_rand_k.ini"),
                                  "--optimizer.epochs=0.5", "--optimizer.seed=" + seed,
                                  "--model.precision=" + GetParam(), "--log.output=" + output}),
                comm, console);
    return output;
  };
  const std::string first = run("first", "5");
  const std::string again = run("again", "5");
  const std::string other = run("other", "6");
  if (comm.rank() != 0) {
    return;
  }
  const RunFileReader a(first);
  const RunFileReader b(again);
  const RunFileReader c(other);
  for (const char* column : {"/metrics/train_loss", "/metrics/test_loss", "/metrics/test_accuracy",
                             "/metrics/samples", "/metrics/bytes_sent", "/metrics/learning_rate"}) {
    EXPECT_EQ(a.readColumn(column), b.readColumn(column)) << column;
  }
  EXPECT_EQ(a.readMatrix("/ranks/bytes_received"), b.readMatrix("/ranks/bytes_received"));
  EXPECT_NE(a.readColumn("/metrics/train_loss"), c.readColumn("/metrics/train_loss"));
  // The version recorded is CMake's project version, the one place it is written.
  EXPECT_EQ(std::get<std::string>(a.readAttribute("/config", "memsgd_version")),
            MEMSGD_PROJECT_VERSION);
}

INSTANTIATE_TEST_SUITE_P(Precisions, Determinism, ::testing::Values("double", "float"));

}  // namespace
}  // namespace memsgd
