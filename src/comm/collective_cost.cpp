#include "memsgd/comm/collective_cost.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace memsgd {
namespace {

constexpr double kSizeBytes = 4.0;   // one int per rank in a size exchange
constexpr double kIndexBytes = 4.0;  // split_allgather's sparse ranges: uint32 index ...
constexpr double kSumBytes = 8.0;    // ... and fp64 sum

// Rounds of a recursive-doubling collective: ceil(log2 P).
double rounds(int ranks) {
  return static_cast<double>(std::bit_width(static_cast<unsigned>(std::max(ranks, 1) - 1)));
}

}  // namespace

SparseMessage evenlySpacedMessage(std::uint64_t dim, std::uint64_t pairs,
                                  const MessageCodec& codec) {
  SparseMessage message;
  const std::uint64_t count = std::min(pairs, dim);
  message.resize(count, dim);
  message.scale = 1.0;
  for (std::uint64_t i = 0; i < count; ++i) {
    message.indices[i] = static_cast<std::uint32_t>(i * dim / count);
    message.values[i] = i % 2 == 0 ? 1.0 : -1.0;
  }
  codec.roundToWire(message);
  return message;
}

ExchangeShape exchangeShape(int ranks, std::uint64_t dim, std::uint64_t pairs, bool sizesKnown,
                            const MessageCodec& codec, ValueType valueType) {
  return {.ranks = ranks,
          .dim = dim,
          .pairs = pairs,
          .message = codec.encodedSize(evenlySpacedMessage(dim, pairs, codec)),
          .sizesKnown = sizesKnown,
          .denseValueBytes = valueType == ValueType::kFloat64 ? sizeof(double) : sizeof(float)};
}

double predictAllgather(const ExchangeShape& shape, const CollectiveCosts& costs) {
  const double peers = shape.ranks - 1;
  const auto k = static_cast<double>(shape.pairs);
  const double gathers = shape.sizesKnown ? 1.0 : 2.0;
  const double bytes =
      static_cast<double>(shape.message.total()) + (shape.sizesKnown ? 0.0 : kSizeBytes);
  return gathers * costs.alpha * rounds(shape.ranks) + costs.betaPerByte * peers * bytes +
         k * costs.encodePerPair + shape.ranks * k * (costs.decodePerPair + costs.applyPerPair);
}

double predictDense(const ExchangeShape& shape, const CollectiveCosts& costs) {
  const double p = shape.ranks;
  const auto d = static_cast<double>(shape.dim);
  const double wireBytes = static_cast<double>(shape.denseValueBytes) * d;
  return 2.0 * costs.alpha * rounds(shape.ranks) +
         2.0 * costs.betaPerByte * wireBytes * (p - 1) / p + d * costs.densePerCoordinate +
         static_cast<double>(shape.pairs) * costs.applyPerPair;
}

double predictSplitAllgather(const ExchangeShape& shape, const CollectiveCosts& costs) {
  const double p = shape.ranks;
  const double peers = p - 1;
  const auto k = static_cast<double>(shape.pairs);
  const auto d = static_cast<double>(shape.dim);
  const double slices =
      2.0 * costs.alpha * peers +
      costs.betaPerByte * peers * (kSizeBytes + static_cast<double>(shape.message.total()) / p) +
      k * costs.encodePerPair + k * peers / p * costs.decodePerPair + k * costs.applyPerPair;
  const double length = d / p;
  const double touched = std::min(k, length);
  const bool dense = length * kSumBytes <= touched * (kIndexBytes + kSumBytes);
  const double rangeBytes = dense ? length * kSumBytes : touched * (kIndexBytes + kSumBytes);
  const double rangePairs = dense ? length : touched;
  const double ranges = 2.0 * costs.alpha * rounds(shape.ranks) +
                        costs.betaPerByte * peers * (kSizeBytes + rangeBytes) +
                        p * rangePairs * costs.applyPerPair;
  return slices + ranges;
}

std::vector<CollectiveEstimate> estimateCollectives(const ExchangeShape& shape,
                                                    const CollectiveCosts& costs) {
  return {{CollectiveKind::kAllgather, predictAllgather(shape, costs), {}},
          {CollectiveKind::kDense, predictDense(shape, costs), {}},
          {CollectiveKind::kSplitAllgather, predictSplitAllgather(shape, costs), {}}};
}

CollectiveKind cheapestCollective(const std::vector<CollectiveEstimate>& estimates) {
  const CollectiveEstimate* best = nullptr;
  for (const CollectiveEstimate& estimate : estimates) {
    if (estimate.refusal.empty() && (best == nullptr || estimate.seconds < best->seconds)) {
      best = &estimate;
    }
  }
  if (best == nullptr) {
    throw std::invalid_argument("cheapestCollective: every candidate is refused");
  }
  return best->kind;
}

}  // namespace memsgd
