#pragma once

#include <span>

#include "memsgd/compress/message_view.hpp"
#include "memsgd/core/vector.hpp"

namespace memsgd {

class DenseExchange;

// What every rank applies after a collective: sum_r c_r, either as sparse parts whose pairs are
// applied in order (their sum is the aggregate; `dense` is null), or as one dense vector in the
// wire precision (`dense`: its subtractSum, `parts` empty). The same on every rank.
struct Aggregate {
  std::span<const MessageView> parts;
  const DenseExchange* dense = nullptr;
};

// x -= scale * aggregate: pair by pair in the parts' order, each x_j - scale * value in double,
// rounded once to Scalar (float or double, explicitly instantiated), or the dense sum's
// subtractSum. Reads the values where the collective left them; allocates nothing.
template <typename Scalar>
void subtractScaled(const Aggregate& aggregate, double scale, VectorRefOf<Scalar> x);

}  // namespace memsgd
