// data.layout: the choice by density, and the same rows and losses in either storage.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "memsgd/data/data_layout.hpp"
#include "memsgd/data/distributed_load.hpp"
#include "memsgd/model/model_factory.hpp"
#include "memsgd/util/random.hpp"
#include "test_paths.hpp"

namespace memsgd {
namespace {

TEST(DataLayout, AutoStoresDenseFromTheBreakEvenDensityOn) {
  const std::uint64_t cells = 1000 * 20;
  const auto atDensity = [&](double density) {
    return static_cast<std::uint64_t>(density * static_cast<double>(cells));
  };
  EXPECT_FALSE(storesDense(RowLayout::kAuto, atDensity(kDenseFromDensity) - 1, 1000, 20));
  EXPECT_TRUE(storesDense(RowLayout::kAuto, atDensity(kDenseFromDensity), 1000, 20));
  EXPECT_TRUE(storesDense(RowLayout::kAuto, cells, 1000, 20));
  EXPECT_FALSE(storesDense(RowLayout::kAuto, 0, 0, 20));  // no rows: nothing to store
  EXPECT_TRUE(storesDense(RowLayout::kDense, 0, 1000, 20));
  EXPECT_FALSE(storesDense(RowLayout::kSparse, cells, 1000, 20));
}

DataConfig a9a(RowLayout layout) {
  DataConfig config;
  config.train = test::sourcePath("configs/data/a9a.bz2");
  config.test = test::sourcePath("configs/data/a9a.t.bz2");
  config.normalize = Normalization::kL2;
  config.layout = layout;
  return config;
}

// a9a (11% dense) stays CSR under auto; forced dense, every rank holds the same values, and the
// model's losses at a random x equal the sparse ones to rounding (the sums run over all d).
TEST(DataLayout, DenseStorageHoldsTheSameRowsAndLosses) {
  const Communicator comm;
  const ShardedData<double> automatic = loadShards<double>(a9a(RowLayout::kAuto), comm);
  const ShardedData<double> dense = loadShards<double>(a9a(RowLayout::kDense), comm);
  EXPECT_FALSE(automatic.train.isDense());
  ASSERT_TRUE(dense.train.isDense());
  ASSERT_TRUE(dense.test->isDense());
  EXPECT_EQ(dense.trainFingerprint, automatic.trainFingerprint);
  ASSERT_EQ(dense.train.rows(), automatic.train.rows());
  ASSERT_EQ(dense.train.dim(), automatic.train.dim());
  EXPECT_EQ(dense.train.denseRows(), automatic.train.sparseRows().toDense());
  EXPECT_EQ(dense.train.labels(), automatic.train.labels());

  const auto model = makeModel(ModelConfig{}, automatic.train, 0);
  Rng rng(7);
  Vector x(automatic.train.dim());
  for (double& value : x) value = rng.uniform() - 0.5;
  Vector scratch;
  for (const auto& [sparse, stored] :
       {std::pair{&automatic.train, &dense.train}, {&*automatic.test, &*dense.test}}) {
    const ShardSums expected = model->shardSums(*sparse, x, scratch);
    const ShardSums got = model->shardSums(*stored, x, scratch);
    EXPECT_NEAR(got.loss, expected.loss, 1e-12 * std::abs(expected.loss));
    EXPECT_EQ(got.metric, expected.metric);
  }
}

}  // namespace
}  // namespace memsgd
