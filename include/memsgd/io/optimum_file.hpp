#pragma once

#include <string>
#include <utility>
#include <vector>

#include "memsgd/io/run_file.hpp"
#include "memsgd/optim/optimum.hpp"

namespace memsgd {

// The HDF5 file memsgd-optimum writes, read back by model.optimum = FILE:
//   /x_star [d] float64, /f_star [1] float64, /gradient_norm [1] float64, /iterations [1] int64,
//   /newton_steps [1] int64, and root attributes describing the problem (data set, lambda, ...).
// Not collective: call it on one rank. Throws IoError when `path` exists and !overwrite, or when
// HDF5 fails; parent directories are created.
void writeOptimumFile(const std::string& path, const OptimumResult& result,
                      const std::vector<std::pair<std::string, AttributeValue>>& attributes,
                      bool overwrite = true);

// f* from /f_star of an optimum file. Throws IoError naming the file when it cannot be opened or
// has no finite scalar /f_star.
double readOptimumValue(const std::string& path);

}  // namespace memsgd
