// Checks shared by the tests of data loading.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "memsgd/core/error.hpp"
#include "memsgd/data/distributed_load.hpp"

namespace memsgd::test {

// Passes when loading `config` throws on this rank with `exitCode` and a message holding
// `fragment`, as every rank must. Collective.
inline ::testing::AssertionResult loadRefused(const DataConfig& config, LabelKind labels,
                                              int exitCode, const std::string& fragment) {
  try {
    loadShards<double>(config, Communicator(), labels);
  } catch (const Error& e) {
    const std::string message = e.what();
    if (e.exitCode() == exitCode && message.find(fragment) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "exit " << e.exitCode() << ": " << message;
  }
  return ::testing::AssertionFailure() << "loaded";
}

// Bytes this process has read through read(2) and its kin so far (Linux's /proc/self/io rchar).
inline std::uint64_t bytesRead() {
  std::ifstream io("/proc/self/io");
  std::string key;
  std::uint64_t value = 0;
  while (io >> key >> value) {
    if (key == "rchar:") return value;
  }
  ADD_FAILURE() << "no rchar in /proc/self/io";
  return 0;
}

}  // namespace memsgd::test
