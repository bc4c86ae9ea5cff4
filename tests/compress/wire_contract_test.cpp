// The MessageCodec contract for the quantising compressors: after roundToWire(), what every
// receiver decodes is exactly what the sender's memory subtracted, so no mass is lost or
// duplicated between memory and model, step after step.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "compress_test_helpers.hpp"
#include "memsgd/compress/error_memory.hpp"
#include "memsgd/compress/qsgd.hpp"
#include "memsgd/compress/qsgd_codec.hpp"
#include "memsgd/compress/scaled_sign.hpp"
#include "memsgd/compress/sign_codec.hpp"
#include "wire_test_helpers.hpp"

namespace memsgd {
namespace {

constexpr Eigen::Index kDim = 777;

struct WireCase {
  const char* name;
  std::function<std::unique_ptr<Compressor<double>>()> compressor;
  std::function<std::unique_ptr<MessageCodec>()> codec;
};

void PrintTo(const WireCase& wireCase, std::ostream* out) { *out << wireCase.name; }

class WireContract : public ::testing::TestWithParam<WireCase> {};

TEST_P(WireContract, ReceiversApplyExactlyWhatTheSendersMemoryGaveUp) {
  const std::unique_ptr<Compressor<double>> compressor = GetParam().compressor();
  const std::unique_ptr<MessageCodec> codec = GetParam().codec();
  ErrorMemory<double> memory(kDim, true);
  Vector sentTotal = Vector::Zero(kDim);      // sum of what the sender's memory gave up
  Vector receivedTotal = Vector::Zero(kDim);  // sum of what a receiver decoded
  Rng rng(15);
  SparseMessage message;
  SparseMessage received;
  for (int step = 0; step < 50; ++step) {
    memory.accumulator() += 0.1 * test::gaussianVector(kDim, rng);  // v = m + eta * grad
    const Vector v = memory.values();
    compressor->compress(memory.values(), message);
    codec->roundToWire(message);
    memory.retain(message);
    codec->decode(test::encodeMessage(*codec, message), kDim, received);
    test::expectBitIdentical(received, message);

    Vector applied = Vector::Zero(kDim);
    for (std::size_t i = 0; i < received.size(); ++i) {
      applied[received.indices[i]] = received.values[i];
    }
    // Bitwise: v - c on the sender is v - (what the receiver applies), coordinate by coordinate.
    ASSERT_TRUE((memory.values().array() == (v - applied).array()).all()) << "step " << step;
    sentTotal += v - memory.values();
    receivedTotal += applied;
  }
  EXPECT_TRUE((sentTotal.array() == receivedTotal.array()).all());
}

INSTANTIATE_TEST_SUITE_P(
    Quantisers, WireContract,
    ::testing::Values(
        WireCase{"qsgd_auto", [] { return std::make_unique<Qsgd<double>>(16, Rng(1)); },
                 [] { return std::make_unique<QsgdCodec>(16, QsgdEncoding::kAuto); }},
        WireCase{"qsgd_elias_s1", [] { return std::make_unique<Qsgd<double>>(1, Rng(2)); },
                 [] { return std::make_unique<QsgdCodec>(1, QsgdEncoding::kEliasGamma); }},
        WireCase{"qsgd_fixed_s256", [] { return std::make_unique<Qsgd<double>>(256, Rng(3)); },
                 [] { return std::make_unique<QsgdCodec>(256, QsgdEncoding::kFixedWidth); }},
        WireCase{"scaled_sign", [] { return std::make_unique<ScaledSign<double>>(kDim); },
                 [] { return std::make_unique<SignCodec>(); }}),
    [](const ::testing::TestParamInfo<WireCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace memsgd
