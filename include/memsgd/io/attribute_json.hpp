#pragma once

#include <string>
#include <utility>
#include <vector>

#include "memsgd/io/run_file.hpp"

namespace memsgd {

// Attributes as one JSON object, in order ({"compression.k": "10", "ranks": 2, ...}): strings
// escaped, integers as integers, doubles with the 17 significant digits that give back the same
// double (non-finite ones as null), so that a script compares them with a run file's exactly.
[[nodiscard]] std::string toJson(
    const std::vector<std::pair<std::string, AttributeValue>>& attributes);

}  // namespace memsgd
