#include "memsgd/optim/averager.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "memsgd/util/random.hpp"

namespace memsgd {
namespace {

// The lazily kept average must equal sum_s w_s x_{s+1} / sum_s w_s computed from the full history.
void compareWithNaive(Averaging kind) {
  constexpr Eigen::Index kDim = 20;
  constexpr double kOffset = 7.0;
  Averager<double> averager(kind, kDim, kOffset);
  Rng rng(4);
  Vector x = Vector::Random(kDim);
  Vector naiveSum = Vector::Zero(kDim);
  double naiveWeight = 0.0;
  Vector lazy;
  for (int step = 0; step < 300; ++step) {
    const double t = 3.0 * step;  // e.g. 3 samples per step
    if (step % 10 == 0) {
      averager.beforeDenseUpdate(x);
      x += Vector::Random(kDim);
    } else {
      std::vector<std::uint32_t> changed{static_cast<std::uint32_t>(rng.below(kDim)),
                                         static_cast<std::uint32_t>(rng.below(kDim))};
      averager.beforeSparseUpdate(changed, x);
      for (const auto j : changed) {
        x[j] -= 0.5 * rng.uniform();  // repeated indices change twice, as in one step's messages
      }
    }
    averager.afterStep(t);
    const double w = kind == Averaging::kWeighted ? (t + kOffset) * (t + kOffset) : 1.0;
    naiveSum += w * x;
    naiveWeight += w;
    averager.average(x, lazy);
    const Vector expected = kind == Averaging::kLast ? x : Vector(naiveSum / naiveWeight);
    ASSERT_TRUE(lazy.isApprox(expected, 1e-12)) << "step " << step;
  }
}

TEST(Averager, WeightedEqualsNaiveFormula) { compareWithNaive(Averaging::kWeighted); }
TEST(Averager, UniformEqualsNaiveFormula) { compareWithNaive(Averaging::kUniform); }
TEST(Averager, LastIsTheIterate) { compareWithNaive(Averaging::kLast); }

// In float the iterates are float but the sums and weights double: the average stays within
// float's rounding of the double average of the same iterates, even where (t + a)^2 is far
// beyond float's range of exact integers.
TEST(Averager, FloatIteratesAverageLikeDouble) {
  constexpr Eigen::Index kDim = 20;
  Averager<float> inFloat(Averaging::kWeighted, kDim, 1e6);
  Averager<double> inDouble(Averaging::kWeighted, kDim, 1e6);
  Rng rng(6);
  VectorOf<float> x = Vector::Random(kDim).cast<float>();
  VectorOf<float> lazyFloat;
  Vector lazyDouble;
  for (int step = 0; step < 300; ++step) {
    const std::vector<std::uint32_t> changed{static_cast<std::uint32_t>(rng.below(kDim))};
    if (step % 7 == 0) {
      inFloat.beforeDenseUpdate(x);
      inDouble.beforeDenseUpdate(x.cast<double>());
      x += Vector::Random(kDim).cast<float>();
    } else {
      inFloat.beforeSparseUpdate(changed, x);
      inDouble.beforeSparseUpdate(changed, x.cast<double>());
      x[changed[0]] -= 0.25F;
    }
    inFloat.afterStep(1e7 * step);
    inDouble.afterStep(1e7 * step);
  }
  inFloat.average(x, lazyFloat);
  inDouble.average(x.cast<double>(), lazyDouble);
  EXPECT_TRUE(lazyFloat.cast<double>().isApprox(lazyDouble, 1e-6));
  EXPECT_FALSE(lazyDouble.isApprox(x.cast<double>(), 1e-3));  // an average, not the last iterate
}

TEST(Averager, IsTheIterateBeforeAnyStep) {
  Averager<double> averager(Averaging::kWeighted, 3, 1.0);
  const Vector x = Vector::Constant(3, 2.5);
  Vector out;
  averager.average(x, out);
  EXPECT_EQ(out, x);
}

}  // namespace
}  // namespace memsgd
