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

TEST(Averager, IsTheIterateBeforeAnyStep) {
  Averager<double> averager(Averaging::kWeighted, 3, 1.0);
  const Vector x = Vector::Constant(3, 2.5);
  Vector out;
  averager.average(x, out);
  EXPECT_EQ(out, x);
}

}  // namespace
}  // namespace memsgd
