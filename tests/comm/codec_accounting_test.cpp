// For every compressor and wire encoding: the byte counters equal the encoded buffers actually
// handed to MPI, and every rank decodes exactly what each sender encoded.
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "memsgd/comm/sparse_exchange.hpp"
#include "memsgd/compress/compressor_factory.hpp"
#include "memsgd/util/random.hpp"
#include "message_views.hpp"

namespace memsgd {
namespace {

struct Setting {
  std::string method;
  ValueType valueType;
  IndexEncoding indexEncoding;
  QsgdEncoding qsgdEncoding;
};

std::string describe(const ::testing::TestParamInfo<Setting>& info) {
  const Setting& s = info.param;
  return s.method + "_v" + std::to_string(static_cast<int>(s.valueType)) + "_i" +
         std::to_string(static_cast<int>(s.indexEncoding)) + "_q" +
         std::to_string(static_cast<int>(s.qsgdEncoding));
}

class CodecAccounting : public ::testing::TestWithParam<Setting> {};

TEST_P(CodecAccounting, CountersEqualEncodedBuffersOnEveryRank) {
  const Communicator comm;
  const Setting& setting = GetParam();
  CompressionConfig compression;
  compression.method = setting.method;
  compression.k = 7;
  compression.threshold = 1.0;
  compression.levels = 4;
  compression.qsgdEncoding = setting.qsgdEncoding;
  compression.sampleSize = 50;
  const CommunicationConfig communication{Aggregation::kSum, setting.valueType,
                                          setting.indexEncoding};
  constexpr std::uint64_t kDim = 300;
  const auto compressor = makeCompressor<double>(compression, kDim, 3, comm.rank());
  const auto codec = makeCodec(compression, communication);
  SparseExchange exchange(comm, *codec);
  const auto peers = static_cast<std::uint64_t>(comm.size() - 1);
  const bool sizesKnown = compressor->fixedPairs() && codec->sizeDependsOnlyOnPairs();

  Rng rng(17, static_cast<std::uint64_t>(comm.rank()), 0);
  CommCounters counters;
  ByteCounts expectedSent;
  for (int step = 0; step < 10; ++step) {
    Vector v(kDim);
    for (auto& value : v) {
      value = (rng.uniform() - 0.5) * (step + 1);  // |v_j| >= 1 for some j: threshold sends some
    }
    SparseMessage message;
    compressor->compress(v, message);
    codec->roundToWire(message);
    const ByteCounts size = codec->encodedSize(message);
    exchange.exchange(message, compressor->fixedPairs(), counters);

    EXPECT_EQ(exchange.lastSendBytes(), size.total()) << "step " << step;
    expectedSent += size.times(peers);
    if (!sizesKnown) {
      expectedSent.header += sizeof(int) * peers;  // the size exchange
    }
    EXPECT_EQ(counters.sent.total(), expectedSent.total()) << "step " << step;
    EXPECT_EQ(counters.sent.index, expectedSent.index);
    EXPECT_EQ(counters.sent.value, expectedSent.value);
    EXPECT_EQ(counters.sent.header, expectedSent.header);
    // Own message comes back exactly as sent.
    EXPECT_EQ(indicesOf(exchange.received(comm.rank())), message.indices);
    EXPECT_EQ(valuesOf(exchange.received(comm.rank())), message.values);
  }
  // What all ranks sent is what all ranks received (logical fan-out model).
  std::array<std::uint64_t, 2> totals{counters.sent.total(), counters.received.total()};
  comm.allreduceSum(totals);
  EXPECT_EQ(totals[0], totals[1]);
}

std::vector<Setting> settings() {
  std::vector<Setting> all;
  for (const auto& method : {"top_k", "rand_k", "rand_k_unbiased", "approx_top_k", "threshold"}) {
    for (const auto valueType : {ValueType::kFloat32, ValueType::kFloat64, ValueType::kFloat16}) {
      for (const auto indexEncoding : {IndexEncoding::kRaw, IndexEncoding::kVarint}) {
        all.push_back({method, valueType, indexEncoding, QsgdEncoding::kAuto});
      }
    }
  }
  for (const auto qsgdEncoding :
       {QsgdEncoding::kAuto, QsgdEncoding::kEliasGamma, QsgdEncoding::kFixedWidth}) {
    all.push_back({"qsgd", ValueType::kFloat32, IndexEncoding::kRaw, qsgdEncoding});
  }
  all.push_back({"scaled_sign", ValueType::kFloat32, IndexEncoding::kRaw, QsgdEncoding::kAuto});
  return all;
}

INSTANTIATE_TEST_SUITE_P(EveryCompressor, CodecAccounting, ::testing::ValuesIn(settings()),
                         describe);

}  // namespace
}  // namespace memsgd
