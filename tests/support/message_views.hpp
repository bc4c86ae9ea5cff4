// A MessageView's pairs copied out, to compare what a collective read in place with the
// SparseMessage that was sent.
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

#include "memsgd/compress/message_view.hpp"

namespace memsgd {

inline std::vector<std::uint32_t> indicesOf(const MessageView& view) {
  return {view.indices.begin(), view.indices.end()};
}

inline std::vector<double> valuesOf(const MessageView& view) {
  std::vector<double> values(view.size());
  std::visit(
      [&](const auto& packed) {
        for (std::size_t i = 0; i < values.size(); ++i) {
          values[i] = static_cast<double>(packed[i]);
        }
      },
      view.values);
  return values;
}

}  // namespace memsgd
