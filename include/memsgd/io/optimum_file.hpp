#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "memsgd/config/run_config.hpp"
#include "memsgd/io/run_file.hpp"
#include "memsgd/optim/optimum.hpp"

namespace memsgd {

// The problem an f* belongs to: memsgd-optimum stores it with f*, and memsgd-train compares it
// with its own run's before using that f*.
struct OptimumIdentity {
  std::string modelType;  // model.type
  std::uint64_t rows = 0;
  std::uint64_t dim = 0;
  double lambda = 0.0;
  Normalization normalization = Normalization::kNone;
  std::uint64_t trainFingerprint = 0;  // data_fingerprint.hpp
};

// The HDF5 file memsgd-optimum writes, read back by model.optimum = FILE:
//   /x_star [d] float64, /f_star [1] float64, /gradient_norm [1] float64, /iterations [1] int64,
//   /newton_steps [1] int64, root attributes `model_type`, `rows`, `dim`, `lambda`, `normalize` and
//   `train_fingerprint` (16 hex digits) for the identity, and `attributes` for humans.
// Not collective: call it on one rank. Throws IoError when `path` exists and !overwrite, or when
// HDF5 fails; parent directories are created.
void writeOptimumFile(const std::string& path, const OptimumResult& result,
                      const OptimumIdentity& identity,
                      const std::vector<std::pair<std::string, AttributeValue>>& attributes,
                      bool overwrite = true);

// f* from /f_star of an optimum file whose identity equals `expected`. Throws ConfigError naming
// every identity field that differs (both values), or saying to recompute a file that has no
// identity; IoError naming the file when it cannot be opened or has no finite scalar /f_star.
double readOptimumValue(const std::string& path, const OptimumIdentity& expected);

}  // namespace memsgd
