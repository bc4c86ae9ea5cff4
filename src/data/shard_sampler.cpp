#include "memsgd/data/shard_sampler.hpp"

#include <numeric>
#include <stdexcept>
#include <string>

namespace memsgd {

ShardSampler::ShardSampler(std::uint32_t rows, Rng rng) : rng_(rng), order_(rows) {
  std::iota(order_.begin(), order_.end(), 0U);
  shuffle(order_, rng_);
}

std::span<const std::uint32_t> ShardSampler::next(std::uint32_t batch) {
  batch_.resize(batch);
  for (auto& row : batch_) {
    if (position_ == order_.size()) {
      shuffle(order_, rng_);
      position_ = 0;
    }
    row = order_[position_++];
  }
  return batch_;
}

void ShardSampler::restore(const State& state) {
  if (state.order.size() != order_.size() || state.position > state.order.size()) {
    throw std::invalid_argument("sampler state of a shard with " +
                                std::to_string(state.order.size()) + " rows, this one has " +
                                std::to_string(order_.size()));
  }
  order_ = state.order;
  position_ = state.position;
  rng_.setState(state.rng);
}

}  // namespace memsgd
