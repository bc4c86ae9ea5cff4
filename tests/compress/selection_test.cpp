#include "memsgd/compress/selection.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <vector>

#include "memsgd/util/random.hpp"

namespace memsgd {
namespace {

// Reference: all indices sorted by (|v| descending, index ascending), NaN below every number.
template <typename Scalar>
std::vector<std::uint32_t> fullSortOrder(const VectorOf<Scalar>& v) {
  const auto magnitude = [&v](std::uint32_t j) {
    return std::isnan(v[j]) ? -1.0 : static_cast<double>(std::abs(v[j]));
  };
  std::vector<std::uint32_t> order(static_cast<std::size_t>(v.size()));
  std::iota(order.begin(), order.end(), 0U);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return magnitude(a) > magnitude(b); });
  return order;
}

// The first k of a full sort order, ascending.
std::vector<std::uint32_t> firstK(const std::vector<std::uint32_t>& order, std::size_t k) {
  std::vector<std::uint32_t> chosen(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k));
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

template <typename Scalar>
std::vector<std::uint32_t> topKBySort(const VectorOf<Scalar>& v, std::size_t k) {
  return firstK(fullSortOrder(v), k);
}

template <typename Scalar>
bool bitwiseEqual(const VectorOf<Scalar>& a, const VectorOf<Scalar>& b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * sizeof(Scalar)) == 0;
}

// The kernels run on float and double vectors; shapes are generated in double and rounded (huge
// values become infinities, denormals zeros in float: more shapes, not fewer).
template <typename Scalar>
class SelectTopKTest : public ::testing::Test {
 protected:
  using Vec = VectorOf<Scalar>;
};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(SelectTopKTest, Precisions);

double signedUniform(Rng& rng) { return 2.0 * rng.uniform() - 1.0; }

struct Shape {
  const char* name;
  Vector (*make)(Eigen::Index d, Rng& rng);
};

template <class Value>
Vector generate(Eigen::Index d, Value value) {
  Vector v(d);
  for (Eigen::Index j = 0; j < d; ++j) v[j] = value(j);
  return v;
}

// Vectors that stress the tie rule, the key mapping and the sampled lower bound.
const std::array kShapes{
    Shape{"uniform",
          [](Eigen::Index d, Rng& rng) {
            return generate(d, [&](Eigen::Index) { return signedUniform(rng); });
          }},
    // Values on a coarse grid of both signs, so many magnitudes tie.
    Shape{"tied",
          [](Eigen::Index d, Rng& rng) {
            return generate(d, [&](Eigen::Index) {
              return static_cast<double>(static_cast<int>(rng.below(7)) - 3);
            });
          }},
    Shape{"all_equal", [](Eigen::Index d, Rng&) { return Vector(Vector::Constant(d, -2.5)); }},
    Shape{"all_zero", [](Eigen::Index d, Rng&) { return Vector(Vector::Zero(d)); }},
    Shape{"signed_zeros",
          [](Eigen::Index d, Rng& rng) {
            return generate(d, [&](Eigen::Index) { return rng.below(2) == 0 ? 0.0 : -0.0; });
          }},
    Shape{"single_huge",
          [](Eigen::Index d, Rng& rng) {
            Vector v = generate(d, [&](Eigen::Index) { return signedUniform(rng); });
            v[static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(d)))] = -1e300;
            return v;
          }},
    // One entry in 5 NaN, some infinities of both signs.
    Shape{"nan_inf",
          [](Eigen::Index d, Rng& rng) {
            return generate(d, [&](Eigen::Index) {
              switch (rng.below(10)) {
                case 0:
                case 1:
                  return std::numeric_limits<double>::quiet_NaN();
                case 2:
                  return rng.below(2) == 0 ? std::numeric_limits<double>::infinity()
                                           : -std::numeric_limits<double>::infinity();
                default:
                  return signedUniform(rng);
              }
            });
          }},
    Shape{"denormal",
          [](Eigen::Index d, Rng& rng) {
            return generate(d, [&](Eigen::Index) {
              return signedUniform(rng) * std::numeric_limits<double>::denorm_min() *
                     static_cast<double>(rng.below(1000));
            });
          }},
    // One entry in 10 nonzero: k = d/10 sits on the edge between nonzeros and tied zeros.
    Shape{"sparse",
          [](Eigen::Index d, Rng& rng) {
            return generate(
                d, [&](Eigen::Index) { return rng.below(10) == 0 ? signedUniform(rng) : 0.0; });
          }},
    // Ascending magnitudes: every entry beats the best k so far.
    Shape{"ascending",
          [](Eigen::Index d, Rng&) {
            return generate(
                d, [](Eigen::Index j) { return static_cast<double>(j % 2 == 0 ? j : -j); });
          }},
};

std::vector<std::size_t> testedKs(std::size_t d) {
  std::vector<std::size_t> ks{0, 1, 2, 10, 63, 64, 65, 100, d / 100, d / 10, d / 2, d - 1, d};
  std::erase_if(ks, [d](std::size_t k) { return k > d; });
  return ks;
}

TYPED_TEST(SelectTopKTest, EqualsFullSortAndFusedEqualsUnfusedOnEveryShape) {
  using Vec = typename TestFixture::Vec;
  Rng rng(7);
  SelectionScratch scratch;  // shared by all calls, as a compressor's is
  std::vector<std::uint32_t> indices;
  for (const Eigen::Index d :
       {1, 2, 3, 7, 63, 64, 65, 255, 256, 257, 1000, 4096, 4097, 10007, 100000}) {
    for (const Shape& shape : kShapes) {
      const Vec v = shape.make(d, rng).template cast<TypeParam>();
      const Vec x =
          generate(d, [&](Eigen::Index) { return signedUniform(rng); }).template cast<TypeParam>();
      const double scale = 0.75;
      Vec unfused = v;
      addScaled<TypeParam>(unfused, x, scale);
      const auto order = fullSortOrder(v);
      const auto unfusedOrder = fullSortOrder(unfused);
      for (const std::size_t k : testedKs(static_cast<std::size_t>(d))) {
        SCOPED_TRACE(testing::Message() << shape.name << " d=" << d << " k=" << k);
        selectTopK<TypeParam>(v, k, indices, scratch);
        EXPECT_EQ(indices, firstK(order, k));
        Vec fused = v;
        addScaledAndSelectTopK<TypeParam>(fused, x, scale, k, indices, scratch);
        EXPECT_TRUE(bitwiseEqual(fused, unfused));
        EXPECT_EQ(indices, firstK(unfusedOrder, k));
      }
    }
  }
}

TYPED_TEST(SelectTopKTest, StaysExactWhereTheSampleMisleads) {
  using Vec = typename TestFixture::Vec;
  // Small values at every 64th index, where a sample strided by d / 64 (as the window's is at this
  // d) looks: it sets the window's lower end far too low, and an exact pass must take over.
  constexpr Eigen::Index kDim = Eigen::Index{64} * 1562;
  Rng rng(5);
  const Vec v = generate(kDim, [&](Eigen::Index j) {
                  return j % 64 == 0 ? 0.5 : 1.0 + rng.uniform();
                }).template cast<TypeParam>();
  const Vec x =
      generate(kDim, [&](Eigen::Index) { return signedUniform(rng); }).template cast<TypeParam>();
  Vec unfused = v;
  addScaled<TypeParam>(unfused, x, 1e-3);
  SelectionScratch scratch;
  std::vector<std::uint32_t> indices;
  for (const std::size_t k : {100, 999, 9996, 49984}) {
    SCOPED_TRACE(testing::Message() << "k=" << k);
    selectTopK<TypeParam>(v, k, indices, scratch);
    EXPECT_EQ(indices, topKBySort(v, k));
    Vec fused = v;
    addScaledAndSelectTopK<TypeParam>(fused, x, 1e-3, k, indices, scratch);
    EXPECT_TRUE(bitwiseEqual(fused, unfused));
    EXPECT_EQ(indices, topKBySort(unfused, k));
  }
}

TYPED_TEST(SelectTopKTest, PrefersLowerIndexOnEqualMagnitudeOfEitherSign) {
  using Vec = typename TestFixture::Vec;
  SelectionScratch scratch;
  std::vector<std::uint32_t> indices;
  const Vec v = (Vec(6) << 1, -3, 2, 3, -3, 0.5).finished();
  selectTopK<TypeParam>(v, 1, indices, scratch);
  EXPECT_EQ(indices, (std::vector<std::uint32_t>{1}));
  selectTopK<TypeParam>(v, 2, indices, scratch);
  EXPECT_EQ(indices, (std::vector<std::uint32_t>{1, 3}));
}

TYPED_TEST(SelectTopKTest, ChoosesNanOnlyBeyondTheNumbersAndLowestIndexFirst) {
  using Vec = typename TestFixture::Vec;
  const TypeParam nan = std::numeric_limits<TypeParam>::quiet_NaN();
  const TypeParam zero = 0;
  SelectionScratch scratch;
  std::vector<std::uint32_t> indices;
  const Vec v = (Vec(6) << nan, zero, -nan, 1, nan, -zero).finished();
  selectTopK<TypeParam>(v, 3, indices, scratch);
  EXPECT_EQ(indices, (std::vector<std::uint32_t>{1, 3, 5}));
  selectTopK<TypeParam>(v, 5, indices, scratch);
  EXPECT_EQ(indices, (std::vector<std::uint32_t>{0, 1, 2, 3, 5}));
}

TEST(SelectTopK, FusedUpdatesVEvenForKZero) {
  SelectionScratch scratch;
  std::vector<std::uint32_t> indices{4};
  Vector v = Vector::Ones(3);
  addScaledAndSelectTopK<double>(v, Vector::Constant(3, 2.0), 0.5, 0, indices, scratch);
  EXPECT_TRUE(indices.empty());
  EXPECT_EQ(v, Vector::Constant(3, 2.0));
}

// In Scalar, with the scale rounded to Scalar first.
TYPED_TEST(SelectTopKTest, AddScaledIsVPlusScaledXRoundedOnceOrTwice) {
  using Vec = typename TestFixture::Vec;
  Rng rng(9);
  const Vec v =
      generate(1001, [&](Eigen::Index) { return signedUniform(rng); }).template cast<TypeParam>();
  const Vec x =
      generate(1001, [&](Eigen::Index) { return signedUniform(rng); }).template cast<TypeParam>();
  Vec updated = v;
  addScaled<TypeParam>(updated, x, 0.3);
  const auto scale = static_cast<TypeParam>(0.3);
  for (Eigen::Index j = 0; j < v.size(); ++j) {
    const TypeParam product = scale * x[j];  // rounded: a separate statement is never contracted
    EXPECT_TRUE(updated[j] == std::fma(scale, x[j], v[j]) || updated[j] == v[j] + product) << j;
  }
}

TEST(SelectTopK, RejectsKAboveDimensionAndMismatchedSizes) {
  SelectionScratch scratch;
  std::vector<std::uint32_t> indices;
  EXPECT_THROW(selectTopK<double>(Vector::Ones(3), 4, indices, scratch), std::invalid_argument);
  Vector v = Vector::Ones(3);
  EXPECT_THROW(addScaledAndSelectTopK<double>(v, Vector::Ones(3), 1.0, 4, indices, scratch),
               std::invalid_argument);
  EXPECT_THROW(addScaledAndSelectTopK<double>(v, Vector::Ones(2), 1.0, 1, indices, scratch),
               std::invalid_argument);
  EXPECT_THROW(addScaled<double>(v, Vector::Ones(2), 1.0), std::invalid_argument);
}

TEST(SelectRandomK, DrawsDistinctSortedIndicesInRange) {
  Rng rng(3);
  SelectionScratch scratch;
  std::vector<std::uint32_t> indices;
  for (const std::size_t k : {0, 1, 5, 99, 100}) {
    for (int draw = 0; draw < 50; ++draw) {
      selectRandomK(100, k, rng, indices, scratch);
      ASSERT_EQ(indices.size(), k);
      EXPECT_TRUE(std::is_sorted(indices.begin(), indices.end()));
      EXPECT_EQ(std::adjacent_find(indices.begin(), indices.end()), indices.end());
      EXPECT_TRUE(std::all_of(indices.begin(), indices.end(), [](auto j) { return j < 100; }));
    }
  }
}

TEST(SelectRandomK, IsUniformByChiSquare) {
  // d = 10, k = 3: every index is chosen with probability 3/10. Chi-square with 9 degrees of
  // freedom exceeds 27.88 with probability 0.001.
  constexpr std::uint64_t kDim = 10;
  constexpr std::size_t kK = 3;
  constexpr int kDraws = 30000;
  Rng rng(11);
  SelectionScratch scratch;
  std::vector<std::uint32_t> indices;
  std::vector<double> counts(kDim, 0.0);
  // Pairs must be uniform too (a biased sampler can have uniform marginals): index 0 with 1.
  double pairZeroOne = 0.0;
  for (int draw = 0; draw < kDraws; ++draw) {
    selectRandomK(kDim, kK, rng, indices, scratch);
    for (const auto j : indices) {
      counts[j] += 1.0;
    }
    pairZeroOne += (indices[0] == 0 && indices[1] == 1) ? 1.0 : 0.0;
  }
  const double expected = kDraws * static_cast<double>(kK) / kDim;
  double chiSquare = 0.0;
  for (const double count : counts) {
    chiSquare += (count - expected) * (count - expected) / expected;
  }
  EXPECT_LT(chiSquare, 27.88);
  // P(0 and 1 both chosen) = C(8,1)/C(10,3) = 8/120; binomial standard deviation ~ 43.
  const double expectedPair = kDraws * 8.0 / 120.0;
  EXPECT_NEAR(pairZeroOne, expectedPair, 5 * std::sqrt(expectedPair));
}

}  // namespace
}  // namespace memsgd
