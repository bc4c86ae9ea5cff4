#pragma once

#include <cstdint>
#include <optional>

#include "memsgd/comm/comm_counters.hpp"
#include "memsgd/core/vector.hpp"
#include "memsgd/data/shard_sampler.hpp"
#include "memsgd/optim/averager.hpp"
#include "memsgd/util/random.hpp"

namespace memsgd {

// Everything a Trainer (or a SharedTrainer at a settled point) needs to continue exactly where it
// stood: plain data, what the checkpoint stores without knowing the trainer or its model.
template <typename Scalar>
struct TrainerState {
  // The same on every rank.
  VectorOf<Scalar> x;
  typename Averager<Scalar>::State averaging;
  std::uint64_t steps = 0;  // this rank's own with stepsPerRank
  std::uint64_t samples = 0;
  // This rank's own.
  VectorOf<Scalar> memory;
  VectorOf<Scalar> velocity;  // optimizer.momentum's u; empty without momentum
  ShardSampler::State sampling;
  std::optional<Rng::State> compressionRng;  // for randomised compressors
  CommCounters counters;
  // communication.mode = shared: every rank steps at its own pace, so steps differ by rank.
  bool stepsPerRank = false;
};

}  // namespace memsgd
