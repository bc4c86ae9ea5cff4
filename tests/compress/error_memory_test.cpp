#include "memsgd/compress/error_memory.hpp"

#include <gtest/gtest.h>

#include "memsgd/compress/pair_codec.hpp"
#include "memsgd/compress/rand_k.hpp"
#include "memsgd/compress/top_k.hpp"

namespace memsgd {
namespace {

// m_new + c == m_old + eta * g, bit for bit, over many steps, for both wire precisions: the
// memory must keep exactly what was not sent, or model and memory drift apart.
void checkInvariant(Compressor& compressor, ValueType valueType) {
  const Eigen::Index d = 50;
  ErrorMemory memory(d, true);
  const PairCodec codec(valueType, IndexEncoding::kRaw);
  SparseMessage c;
  for (int step = 0; step < 200; ++step) {
    const Vector etaGradient = Vector::Random(d) * (1.0 + step);
    const Vector mOld = memory.values();
    memory.accumulator() += etaGradient;
    const Vector v = memory.values();
    compressor.compress(v, c);
    codec.roundToWire(c);
    memory.retain(c);
    Vector reconstructed = memory.values();
    for (std::size_t i = 0; i < c.size(); ++i) {
      reconstructed[c.indices[i]] += c.values[i];
    }
    ASSERT_TRUE((reconstructed.array() == (mOld + etaGradient).array()).all()) << "step " << step;
  }
}

TEST(ErrorMemory, KeepsExactlyWhatWasNotSentTopKFloat32) {
  TopK compressor(3);
  checkInvariant(compressor, ValueType::kFloat32);
}

TEST(ErrorMemory, KeepsExactlyWhatWasNotSentRandKFloat64) {
  RandK compressor(5, Rng(1));
  checkInvariant(compressor, ValueType::kFloat64);
}

TEST(ErrorMemory, WithoutMemoryReturnsToZero) {
  ErrorMemory memory(10, false);
  memory.accumulator() += Vector::LinSpaced(10, 1.0, 10.0);
  TopK compressor(2);
  SparseMessage c;
  compressor.compress(memory.values(), c);
  memory.retain(c);
  EXPECT_TRUE(memory.values().isZero(0.0));
}

}  // namespace
}  // namespace memsgd
