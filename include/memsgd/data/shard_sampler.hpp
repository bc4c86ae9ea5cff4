#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "memsgd/util/random.hpp"

namespace memsgd {

// Draws a rank's rows without replacement, reshuffling at the start of every local epoch; a batch
// that crosses an epoch boundary finishes with rows of the next shuffle.
class ShardSampler {
 public:
  ShardSampler(std::uint32_t rows, Rng rng);

  // The next `batch` row numbers; valid until the next call.
  std::span<const std::uint32_t> next(std::uint32_t batch);
  // Up to `count` rows that next() will return, without drawing them (fewer at the end of an
  // epoch, whose successor is not shuffled yet): for prefetching.
  [[nodiscard]] std::span<const std::uint32_t> upcoming(std::uint32_t count) const {
    return std::span(order_).subspan(position_,
                                     std::min<std::size_t>(count, order_.size() - position_));
  }

  // Everything that decides the rows still to come, for checkpoints.
  struct State {
    std::vector<std::uint32_t> order;
    std::uint64_t position = 0;
    Rng::State rng{};
  };
  [[nodiscard]] State state() const { return {order_, position_, rng_.state()}; }
  // Continues from `state`; throws std::invalid_argument if it belongs to a shard of another size.
  void restore(const State& state);

 private:
  Rng rng_;
  std::vector<std::uint32_t> order_;
  std::size_t position_ = 0;
  std::vector<std::uint32_t> batch_;
};

}  // namespace memsgd
