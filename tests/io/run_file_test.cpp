#include "memsgd/io/run_file.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "memsgd/core/error.hpp"
#include "memsgd/io/run_file_reader.hpp"

namespace memsgd {
namespace {

static_assert(!std::is_copy_constructible_v<RunFile>);
static_assert(std::is_nothrow_move_constructible_v<RunFile>);
static_assert(std::is_nothrow_move_assignable_v<RunFile>);
static_assert(!std::is_copy_constructible_v<RunFileReader>);
static_assert(std::is_nothrow_move_constructible_v<RunFileReader>);

constexpr std::int64_t kRanks = 3;

// Row `i` of a test run; values that are not exact in decimal or need all 53 bits of a double.
MetricsRow makeRow(std::int64_t i) {
  return {{{"train_loss", 0.1 * static_cast<double>(i + 1)},
           {"wall_s", 1e-300 * static_cast<double>(i)}},
          {{"samples", (std::int64_t{1} << 52) + i}, {"epoch", -i}},
          {{"bytes_sent", {i, 10 * i, 100 * i}}, {"bytes_received", {-i, 0, i}}}};
}

// Expects the file to hold exactly makeRow(0), ..., makeRow(rows - 1).
void expectRows(const std::string& path, std::int64_t rows) {
  const RunFileReader reader(path);
  std::vector<MetricsRow> expected;
  for (std::int64_t i = 0; i < rows; ++i) {
    expected.push_back(makeRow(i));
  }
  for (std::size_t column = 0; column < 2; ++column) {
    const auto& name = expected.front().reals[column].first;
    const std::vector<double> values = reader.readColumn("/metrics/" + name);
    ASSERT_EQ(values.size(), static_cast<std::size_t>(rows)) << name;
    for (std::int64_t i = 0; i < rows; ++i) {
      EXPECT_EQ(values[i], expected[i].reals[column].second) << name << " row " << i;
    }
  }
  for (std::size_t column = 0; column < 2; ++column) {
    const auto& name = expected.front().integers[column].first;
    const std::vector<double> values = reader.readColumn("/metrics/" + name);
    ASSERT_EQ(values.size(), static_cast<std::size_t>(rows)) << name;
    for (std::int64_t i = 0; i < rows; ++i) {
      EXPECT_EQ(values[i], static_cast<double>(expected[i].integers[column].second))
          << name << " row " << i;
    }
  }
  for (std::size_t column = 0; column < 2; ++column) {
    const auto& name = expected.front().perRank[column].first;
    const std::vector<std::vector<std::int64_t>> values = reader.readMatrix("/ranks/" + name);
    ASSERT_EQ(values.size(), static_cast<std::size_t>(rows)) << name;
    for (std::int64_t i = 0; i < rows; ++i) {
      EXPECT_EQ(values[i], expected[i].perRank[column].second) << name << " row " << i;
    }
  }
}

void expectIoErrorContaining(const std::function<void()>& action,
                             const std::vector<std::string>& parts) {
  try {
    action();
    ADD_FAILURE() << "no IoError";
  } catch (const IoError& error) {
    const std::string message = error.what();
    for (const auto& part : parts) {
      EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' not in: " << message;
    }
  }
}

class RunFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("memsgd_run_file_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  [[nodiscard]] std::string file(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

TEST_F(RunFileTest, ConfigAttributesRoundTrip) {
  const std::string path = file("run.h5");
  {
    RunFile run = RunFile::create(path, false);
    run.writeConfig({{"compression.k", std::int64_t{-(std::int64_t{1} << 60)}},
                     {"optim.gamma", 0.1},
                     {"compression.name", std::string("top_k")},
                     {"data.path", std::string("données/rcv1 ✓")},
                     {"empty", std::string()}});
    // Writing an attribute again replaces it.
    run.writeConfig({{"optim.gamma", 2.5}});
  }
  const RunFileReader reader(path);
  EXPECT_EQ(reader.readConfigAttribute("compression.k"),
            AttributeValue(std::int64_t{-(std::int64_t{1} << 60)}));
  EXPECT_EQ(reader.readConfigAttribute("optim.gamma"), AttributeValue(2.5));
  EXPECT_EQ(reader.readConfigAttribute("compression.name"), AttributeValue(std::string("top_k")));
  EXPECT_EQ(reader.readConfigAttribute("data.path"), AttributeValue(std::string("données/rcv1 ✓")));
  EXPECT_EQ(reader.readConfigAttribute("empty"), AttributeValue(std::string()));
}

TEST_F(RunFileTest, AppendedRowsReadBackExactly) {
  const std::string path = file("run.h5");
  {
    RunFile created = RunFile::create(path, false);
    RunFile run(std::move(created));
    for (std::int64_t i = 0; i < 3; ++i) {
      run.appendRow(makeRow(i));
    }
    EXPECT_EQ(run.rows(), 3u);
    EXPECT_EQ(run.path(), path);
  }
  expectRows(path, 3);
  const RunFileReader reader(path);
  EXPECT_EQ(reader.readMatrix("/ranks/bytes_sent").front().size(),
            static_cast<std::size_t>(kRanks));
  EXPECT_TRUE(reader.hasDataset("/metrics/train_loss"));
  EXPECT_TRUE(reader.hasDataset("/ranks/bytes_received"));
}

// Sweeps rerun a file that lacks the mark, so only a finished run may carry it, and a resumed run
// must lose it until it finishes again.
TEST_F(RunFileTest, PerRankRealsAreFloat64Rows) {
  const std::string path = file("run.h5");
  const std::vector<std::vector<double>> waits{{0.25, 1e-300, 3.0}, {0.5, 0.1, 6.5}};
  {
    RunFile run = RunFile::create(path, false);
    for (const auto& wait : waits) {
      MetricsRow row = makeRow(0);
      row.perRankReals = {{"wait_s", wait}};
      run.appendRow(row);
    }
  }
  const Hdf5Handle opened(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  ASSERT_GE(opened.get(), 0);
  const Hdf5Handle dataset(H5Dopen2(opened.get(), "/ranks/wait_s", H5P_DEFAULT));
  ASSERT_GE(dataset.get(), 0);
  const Hdf5Handle type(H5Dget_type(dataset.get()));
  EXPECT_EQ(H5Tget_class(type.get()), H5T_FLOAT);
  EXPECT_EQ(H5Tget_size(type.get()), sizeof(double));
  const Hdf5Handle space(H5Dget_space(dataset.get()));
  std::array<hsize_t, 2> dims{};
  ASSERT_EQ(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), 2);
  EXPECT_EQ(dims[0], waits.size());
  EXPECT_EQ(dims[1], static_cast<hsize_t>(kRanks));
  std::vector<double> values(dims[0] * dims[1]);
  ASSERT_GE(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
            0);
  EXPECT_EQ(values, (std::vector<double>{0.25, 1e-300, 3.0, 0.5, 0.1, 6.5}));
}

TEST_F(RunFileTest, OnlyAFinishedRunIsMarkedCompleteAndReopeningClearsTheMark) {
  const std::string path = file("run.h5");
  {
    RunFile run = RunFile::create(path, false);
    run.appendRow(makeRow(0));
    EXPECT_FALSE(RunFileReader(path).isComplete());
    run.markComplete();
    EXPECT_TRUE(RunFileReader(path).isComplete());
  }
  RunFile resumed = RunFile::reopen(path, 1);
  EXPECT_FALSE(RunFileReader(path).isComplete());
  resumed.appendRow(makeRow(1));
  resumed.markComplete();
  EXPECT_TRUE(RunFileReader(path).isComplete());
  expectRows(path, 2);
}

TEST_F(RunFileTest, RowWithOtherColumnsIsRejectedAndLeavesTheFileAsItWas) {
  const std::string path = file("run.h5");
  RunFile run = RunFile::create(path, false);
  run.appendRow(makeRow(0));

  MetricsRow renamed = makeRow(1);
  renamed.reals[1].first = "wall_seconds";
  expectIoErrorContaining([&] { run.appendRow(renamed); },
                          {path, "/metrics/wall_seconds", "/metrics/wall_s"});
  MetricsRow missing = makeRow(1);
  missing.integers.pop_back();
  expectIoErrorContaining([&] { run.appendRow(missing); }, {path, "lacks", "/metrics/epoch"});
  MetricsRow extra = makeRow(1);
  extra.perRank.push_back({"trace", {1, 2, 3}});
  expectIoErrorContaining([&] { run.appendRow(extra); }, {path, "/ranks/trace", "not in"});
  MetricsRow wider = makeRow(1);
  wider.perRank[0].second.push_back(7);
  expectIoErrorContaining([&] { run.appendRow(wider); }, {path, "/ranks/bytes_sent", "4 values"});

  EXPECT_EQ(run.rows(), 1u);
  expectRows(path, 1);
  run.appendRow(makeRow(1));
  expectRows(path, 2);
}

TEST_F(RunFileTest, PerRankColumnWithoutValuesIsRejected) {
  RunFile run = RunFile::create(file("run.h5"), false);
  const MetricsRow row{{}, {}, {{"bytes_sent", {}}}};
  expectIoErrorContaining([&] { run.appendRow(row); }, {"/ranks/bytes_sent"});
}

TEST_F(RunFileTest, ExistingFileIsKeptUnlessOverwriteIsSet) {
  const std::string path = file("run.h5");
  RunFile::create(path, false).appendRow(makeRow(0));
  const auto size = std::filesystem::file_size(path);

  expectIoErrorContaining([&] { RunFile::create(path, false); },
                          {path, "exists; set log.overwrite = true to replace it"});
  EXPECT_EQ(std::filesystem::file_size(path), size);
  expectRows(path, 1);

  RunFile::create(path, true);
  EXPECT_FALSE(RunFileReader(path).hasDataset("/metrics/train_loss"));
}

TEST_F(RunFileTest, MissingParentDirectoriesAreCreated) {
  const std::string path = file("a/b/c/run.h5");
  RunFile::create(path, false).appendRow(makeRow(0));
  expectRows(path, 1);
}

// An output that cannot be written names the path and the system's reason, not HDF5's call and
// source line. Permission bits do not stop root, so the cases include paths that stop everyone.
void expectUnwritable(const std::string& path, const std::string& reason) {
  SCOPED_TRACE(path);
  try {
    RunFile::create(path, true);
    ADD_FAILURE() << "no IoError";
  } catch (const IoError& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.rfind(path + ": ", 0), 0U) << message;
    EXPECT_NE(message.find(reason), std::string::npos) << "'" << reason << "' not in: " << message;
    EXPECT_EQ(message.find("H5F"), std::string::npos) << message;
    EXPECT_EQ(message.find(".cpp:"), std::string::npos) << message;
  }
}

TEST_F(RunFileTest, UncreatableFileIsAnIoErrorWithTheSystemsReason) {
  std::filesystem::create_directories(dir_ / "dir.h5");
  expectUnwritable(file("dir.h5"), "Is a directory");
  expectUnwritable("/proc/memsgd_run_file_test.h5", "No such file or directory");
  expectUnwritable("/sys/memsgd_run_file_test.h5", "Permission denied");
  if (::geteuid() != 0) {
    std::filesystem::create_directories(dir_ / "read_only");
    std::filesystem::permissions(dir_ / "read_only", std::filesystem::perms::owner_read |
                                                         std::filesystem::perms::owner_exec);
    expectUnwritable(file("read_only/run.h5"), "Permission denied");
  }
}

TEST_F(RunFileTest, ParentThatIsAFileIsAnIoErrorNamingIt) {
  std::ofstream(file("plain")) << "not a folder";
  expectUnwritable(file("plain/run.h5"), file("plain"));
}

TEST_F(RunFileTest, ReplaceableUnlessItExistsWithoutOverwrite) {
  const std::string path = file("any.ckpt.h5");
  requireReplaceable(path, false);
  std::ofstream(path) << "an earlier run's checkpoint";
  requireReplaceable(path, true);
  expectIoErrorContaining([&] { requireReplaceable(path, false); },
                          {path, "exists; set log.overwrite = true to replace it"});
}

TEST_F(RunFileTest, ReaderInTheSameProcessSeesEveryRowWhileTheWriterIsOpen) {
  const std::string path = file("run.h5");
  RunFile run = RunFile::create(path, false);
  for (std::int64_t i = 0; i < 3; ++i) {
    run.appendRow(makeRow(i));
    expectRows(path, i + 1);
  }
}

// The writer takes no file lock, so another process can read a run in progress; and every row is
// flushed, so a run killed without closing its file leaves all its rows readable.
TEST_F(RunFileTest, OtherProcessReadsEveryRowWhileTheWriterRunsAndAfterItIsKilled) {
  const std::string path = file("run.h5");
  std::array<int, 2> rowWritten{};
  std::array<int, 2> rowRead{};
  ASSERT_EQ(pipe(rowWritten.data()), 0);
  ASSERT_EQ(pipe(rowRead.data()), 0);
  const pid_t writer = fork();
  ASSERT_GE(writer, 0);
  if (writer == 0) {
    // The child writes and ends with _exit while the file is open, like a killed run. It never
    // returns into gtest, and stops if the parent goes away.
    try {
      RunFile run = RunFile::create(path, false);
      run.writeConfig({{"P", kRanks}});
      char token = 0;
      for (std::int64_t i = 0; i < 3; ++i) {
        run.appendRow(makeRow(i));
        if (write(rowWritten[1], &token, 1) != 1 || read(rowRead[0], &token, 1) != 1) {
          _exit(2);
        }
      }
      _exit(0);
    } catch (...) {
      _exit(1);
    }
  }
  close(rowWritten[1]);
  close(rowRead[0]);
  char token = 0;
  for (std::int64_t i = 0; i < 3; ++i) {
    ASSERT_EQ(read(rowWritten[0], &token, 1), 1) << "writer failed before row " << i;
    expectRows(path, i + 1);
    ASSERT_EQ(write(rowRead[1], &token, 1), 1);
  }
  close(rowWritten[0]);
  close(rowRead[1]);
  int status = 0;
  ASSERT_EQ(waitpid(writer, &status, 0), writer);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  expectRows(path, 3);
  EXPECT_EQ(RunFileReader(path).readConfigAttribute("P"), AttributeValue(kRanks));
}

TEST_F(RunFileTest, ReaderErrorsNameTheFileAndTheObject) {
  const std::string path = file("run.h5");
  {
    RunFile run = RunFile::create(path, false);
    run.writeConfig({{"seed", std::int64_t{1}}});
    run.appendRow(makeRow(0));
  }
  const RunFileReader reader(path);
  expectIoErrorContaining([&] { (void)reader.readColumn("/metrics/absent"); },
                          {path, "/metrics/absent", "doesn't exist"});
  expectIoErrorContaining([&] { (void)reader.readMatrix("/ranks/absent"); },
                          {path, "/ranks/absent"});
  expectIoErrorContaining([&] { (void)reader.readMatrix("/metrics/epoch"); },
                          {path, "/metrics/epoch", "1 dimensions, expected 2"});
  expectIoErrorContaining([&] { (void)reader.readColumn("/ranks/bytes_sent"); },
                          {path, "/ranks/bytes_sent", "2 dimensions, expected 1"});
  expectIoErrorContaining([&] { (void)reader.readMatrix("/ranks"); }, {path, "/ranks"});
  expectIoErrorContaining([&] { (void)reader.readConfigAttribute("absent"); },
                          {path, "/config attribute 'absent'"});
  EXPECT_FALSE(reader.hasDataset("/metrics/absent"));
  EXPECT_FALSE(reader.hasDataset("/absent/train_loss"));
  EXPECT_FALSE(reader.hasDataset("/metrics"));

  expectIoErrorContaining([&] { RunFileReader(file("absent.h5")); },
                          {file("absent.h5"), "H5Fopen"});
}

}  // namespace
}  // namespace memsgd
