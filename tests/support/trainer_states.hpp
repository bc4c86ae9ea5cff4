#pragma once

#include <gtest/gtest.h>

#include "memsgd/comm/comm_counters.hpp"
#include "memsgd/optim/trainer_state.hpp"

namespace memsgd::test {

// Two states of one rank hold the same values, bit for bit: what a checkpoint restores.
template <typename Scalar>
void expectSameState(const TrainerState<Scalar>& actual, const TrainerState<Scalar>& expected) {
  EXPECT_EQ(actual.x, expected.x);
  EXPECT_EQ(actual.memory, expected.memory);
  EXPECT_EQ(actual.velocity, expected.velocity);
  EXPECT_EQ(actual.steps, expected.steps);
  EXPECT_EQ(actual.stepsPerRank, expected.stepsPerRank);
  EXPECT_EQ(actual.samples, expected.samples);
  EXPECT_EQ(actual.sampling.order, expected.sampling.order);
  EXPECT_EQ(actual.sampling.position, expected.sampling.position);
  EXPECT_EQ(actual.sampling.rng, expected.sampling.rng);
  EXPECT_EQ(actual.compressionRng, expected.compressionRng);
  EXPECT_EQ(toWords(actual.counters), toWords(expected.counters));
}

}  // namespace memsgd::test
