#pragma once

#include <cstdint>

#include "memsgd/config/run_config.hpp"

namespace memsgd {

// data.layout = auto stores the rows dense from this density (nonzeros / (n d) of the training
// set) on: the break-even of a top-1 step on rows of d = 2000, which costs about as much in
// either storage at 30% (the step benchmark's layout/ cases: 2.7 us in CSR and 4.0 dense at 20%,
// 5.5 and 4.4 at 35%, 8.0 and 3.9 at 100%), less in dense storage above.
inline constexpr double kDenseFromDensity = 0.3;

// Whether rows of `nonZeros` values in `rows` x `dim` are stored dense under `layout`.
bool storesDense(RowLayout layout, std::uint64_t nonZeros, std::uint64_t rows, std::uint64_t dim);

}  // namespace memsgd
