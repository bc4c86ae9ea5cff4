#include "memsgd/comm/aggregate.hpp"

#include <variant>

#include "memsgd/comm/dense_exchange.hpp"

namespace memsgd {

template <typename Scalar>
void subtractScaled(const Aggregate& aggregate, double scale, VectorRefOf<Scalar> x) {
  if (aggregate.dense != nullptr) {
    aggregate.dense->subtractSum(scale, x);
    return;
  }
  Scalar* values = x.data();
  for (const MessageView& part : aggregate.parts) {
    // One dispatch on the wire precision per part keeps the per-pair loop free of branches.
    std::visit(
        [&](const auto& partValues) {
          for (std::size_t i = 0; i < part.size(); ++i) {
            Scalar& value = values[part.indices[i]];
            value = static_cast<Scalar>(value - scale * static_cast<double>(partValues[i]));
          }
        },
        part.values);
  }
}

template void subtractScaled<float>(const Aggregate&, double, VectorRefOf<float>);
template void subtractScaled<double>(const Aggregate&, double, VectorRefOf<double>);

}  // namespace memsgd
