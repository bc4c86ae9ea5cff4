#pragma once

#include <cstdint>
#include <vector>

namespace memsgd {

// A compressed vector as (index, value) pairs, indices ascending: the unit that ranks exchange.
// Struct of arrays so selection writes indices and values in separate streaming passes.
struct SparseMessage {
  std::vector<std::uint32_t> indices;
  std::vector<double> values;
  std::uint64_t dim = 0;
  // Common factor of the values for quantising compressors (QSGD's norm, scaled sign's mean
  // magnitude), which their codecs send once; 0 when unused.
  double scale = 0.0;

  [[nodiscard]] std::size_t size() const { return indices.size(); }
  // Sets the size to `pairs` and the dimension; capacity is kept, so steady-state steps never
  // allocate.
  void resize(std::size_t pairs, std::uint64_t dimension) {
    indices.resize(pairs);
    values.resize(pairs);
    dim = dimension;
  }
};

}  // namespace memsgd
