#include "memsgd/data/shard_sampler.hpp"

#include <numeric>

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

}  // namespace memsgd
