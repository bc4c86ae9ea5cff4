#pragma once

#include <string>

namespace memsgd::test {

// A file shipped in the repository, e.g. sourcePath("configs/data/a9a.bz2").
inline std::string sourcePath(const std::string& relative) {
  return std::string(MEMSGD_SOURCE_DIR) + "/" + relative;
}

}  // namespace memsgd::test
