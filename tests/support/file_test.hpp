#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "memsgd/core/error.hpp"

namespace memsgd::test {

// A fixture whose tests each write files into their own folder (ctest runs tests as parallel
// processes), removed after the test.
class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("memsgd_" + std::string(test->test_suite_name()) + "_" + std::to_string(::getpid()) +
            "_" + test->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `bytes` as they are to the folder's file `name` and returns its path.
  [[nodiscard]] std::string write(const std::string& name, const std::string& bytes) const {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  std::filesystem::path dir_;
};

// Passes when `read` throws a DataError naming `path` (a whole-file problem, no line).
template <class Read>
::testing::AssertionResult failsOnFile(const std::string& path, const std::string& fragment,
                                       Read read) {
  try {
    read();
  } catch (const DataError& e) {
    const std::string message = e.what();
    if (message.starts_with(path + ": ") && message.find(fragment) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "unexpected message \"" << message << "\"";
  }
  return ::testing::AssertionFailure() << "no DataError reading " << path;
}

// Passes when `read` throws a DataError located at `path`:`line` whose message has `fragment`.
template <class Read>
::testing::AssertionResult failsAtLine(const std::string& path, std::uint64_t line,
                                       const std::string& fragment, Read read) {
  try {
    read();
  } catch (const DataError& e) {
    const std::string message = e.what();
    const std::string location = path + ":" + std::to_string(line) + ": ";
    if (message.starts_with(location) && message.find(fragment) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "message \"" << message << "\" lacks \"" << location
                                         << "\" or \"" << fragment << "\"";
  }
  return ::testing::AssertionFailure() << "no DataError reading " << path;
}

}  // namespace memsgd::test
