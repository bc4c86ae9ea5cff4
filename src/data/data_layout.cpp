#include "memsgd/data/data_layout.hpp"

namespace memsgd {

bool storesDense(RowLayout layout, std::uint64_t nonZeros, std::uint64_t rows, std::uint64_t dim) {
  if (layout != RowLayout::kAuto) return layout == RowLayout::kDense;
  const double cells = static_cast<double>(rows) * static_cast<double>(dim);
  return cells > 0.0 && static_cast<double>(nonZeros) >= kDenseFromDensity * cells;
}

}  // namespace memsgd
