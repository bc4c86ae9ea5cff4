#include "memsgd/compress/error_memory.hpp"

#include <gtest/gtest.h>

#include "memsgd/compress/pair_codec.hpp"
#include "memsgd/compress/rand_k.hpp"
#include "memsgd/compress/top_k.hpp"

namespace memsgd {
namespace {

template <typename Scalar>
class ErrorMemoryTest : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(ErrorMemoryTest, Precisions);

// m_new + c == m_old + eta * g, bit for bit, over many steps, for both wire precisions and both
// memory precisions: the memory must keep exactly what was not sent, or model and memory drift
// apart. (With float memory v is float, so every wire type carries c = v exactly or, for fp16,
// leaves a remainder that float holds exactly.)
template <typename Scalar>
void checkInvariant(Compressor<Scalar>& compressor, ValueType valueType) {
  const Eigen::Index d = 50;
  ErrorMemory<Scalar> memory(d, true);
  const PairCodec codec(valueType, IndexEncoding::kRaw);
  SparseMessage c;
  for (int step = 0; step < 200; ++step) {
    const VectorOf<Scalar> etaGradient = (Vector::Random(d) * (1.0 + step)).template cast<Scalar>();
    const VectorOf<Scalar> mOld = memory.values();
    memory.accumulator() += etaGradient;
    const VectorOf<Scalar> v = memory.values();
    compressor.compress(v, c);
    codec.roundToWire(c);
    memory.retain(c);
    Vector reconstructed = memory.values().template cast<double>();
    for (std::size_t i = 0; i < c.size(); ++i) {
      reconstructed[c.indices[i]] += c.values[i];
    }
    const VectorOf<Scalar> expected = mOld + etaGradient;
    ASSERT_TRUE((reconstructed.array() == expected.template cast<double>().array()).all())
        << "step " << step;
  }
}

TYPED_TEST(ErrorMemoryTest, KeepsExactlyWhatWasNotSent) {
  for (const ValueType valueType :
       {ValueType::kFloat32, ValueType::kFloat64, ValueType::kFloat16}) {
    TopK<TypeParam> topK(3);
    checkInvariant<TypeParam>(topK, valueType);
    RandK<TypeParam> randK(5, Rng(1));
    checkInvariant<TypeParam>(randK, valueType);
  }
}

TYPED_TEST(ErrorMemoryTest, WithoutMemoryReturnsToZero) {
  ErrorMemory<TypeParam> memory(10, false);
  memory.accumulator() += VectorOf<TypeParam>::LinSpaced(10, 1, 10);
  TopK<TypeParam> compressor(2);
  SparseMessage c;
  compressor.compress(memory.values(), c);
  memory.retain(c);
  EXPECT_TRUE(memory.values().isZero(0));
}

}  // namespace
}  // namespace memsgd
