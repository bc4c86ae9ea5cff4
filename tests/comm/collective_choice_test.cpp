// communication.collective = auto over real MPI: every rank picks the same collective from the
// same constants, and no codec or wire setting gets a collective makeCollective refuses.
#include "memsgd/comm/collective_choice.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "memsgd/comm/collective_factory.hpp"
#include "memsgd/compress/compressor_factory.hpp"

namespace memsgd {
namespace {

// Whether every rank holds the same `words`.
bool sameOnEveryRank(const Communicator& comm, const std::vector<std::uint64_t>& words) {
  std::vector<std::uint64_t> all(words.size() * static_cast<std::size_t>(comm.size()));
  comm.allgather(words, all);
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i] != words[i % words.size()]) return false;
  }
  return true;
}

// Decoding is dear and densifying dearer: split_allgather (k (P-1)/P decodes) beats allgather
// (P k) and dense (d coordinates), unless refused.
CommunicationConfig favouringSplit() {
  CommunicationConfig communication;
  communication.collective = CollectiveKind::kAuto;
  communication.alphaSeconds = 0.0;
  communication.betaSecondsPerByte = 0.0;
  communication.encodeSecondsPerPair = 0.0;
  communication.decodeSecondsPerPair = 1e-6;
  communication.applySecondsPerPair = 0.0;
  communication.denseSecondsPerCoordinate = 1e-6;
  return communication;
}

// Densifying is free: dense wins wherever it is accepted.
CommunicationConfig favouringDense() {
  CommunicationConfig communication = favouringSplit();
  communication.denseSecondsPerCoordinate = 0.0;
  return communication;
}

const std::vector<std::uint64_t> kBlocks{5000};

TEST(CollectiveChoice, CalibratedOnceEveryRankPicksTheSame) {
  const Communicator comm;
  CompressionConfig compression;
  compression.k = std::uint64_t{50};
  CommunicationConfig communication;
  communication.collective = CollectiveKind::kAuto;
  for (int round = 0; round < 3; ++round) {
    const CollectiveChoice choice = chooseCollective(compression, communication, comm, kBlocks, 1);
    EXPECT_TRUE(choice.automatic);
    EXPECT_TRUE(choice.calibration.measured);
    EXPECT_NE(choice.kind, CollectiveKind::kAuto);
    const CollectiveCosts& costs = choice.calibration.costs;
    std::vector<std::uint64_t> words{static_cast<std::uint64_t>(choice.kind)};
    for (const double constant :
         {costs.alpha, costs.betaPerByte, costs.encodePerPair, costs.decodePerPair,
          costs.applyPerPair, costs.densePerCoordinate}) {
      EXPECT_GE(constant, 0.0);
      words.push_back(std::bit_cast<std::uint64_t>(constant));
    }
    for (const CollectiveEstimate& estimate : choice.estimates) {
      words.push_back(std::bit_cast<std::uint64_t>(estimate.seconds));
    }
    EXPECT_TRUE(sameOnEveryRank(comm, words)) << "round " << round;
  }
}

TEST(CollectiveChoice, ConfiguredConstantsPickWithoutTiming) {
  const Communicator comm;
  CompressionConfig compression;
  compression.k = std::uint64_t{50};
  const CollectiveChoice choice = chooseCollective(compression, favouringSplit(), comm, kBlocks, 1);
  EXPECT_FALSE(choice.calibration.measured);
  EXPECT_EQ(choice.calibration.seconds, 0.0);
  EXPECT_EQ(choice.calibration.costs.decodePerPair, 1e-6);
  // At P = 1 split_allgather decodes nothing and applies its own pairs: still the cheapest.
  EXPECT_EQ(choice.kind, CollectiveKind::kSplitAllgather);
  const auto formatted = formatChoice(choice);
  EXPECT_NE(formatted.find("auto picked split_allgather"), std::string::npos) << formatted;
}

TEST(CollectiveChoice, AFixedCollectiveIsNoChoice) {
  const Communicator comm;
  CommunicationConfig communication;
  communication.collective = CollectiveKind::kDense;
  const CollectiveChoice choice =
      chooseCollective(CompressionConfig{}, communication, comm, kBlocks, 1);
  EXPECT_FALSE(choice.automatic);
  EXPECT_EQ(choice.kind, CollectiveKind::kDense);
  EXPECT_TRUE(formatChoice(choice).empty());
}

struct Refused {
  const char* method;
  ValueType valueType;
  IndexEncoding indexEncoding;
};

// qsgd's and scaled_sign's bitstreams cannot be summed on the way, fp16 not by MPI_Allreduce,
// and dense sends no varint indices: auto picks among the rest, whatever the constants favour.
TEST(CollectiveChoice, NeverPicksARefusedCollective) {
  const Communicator comm;
  for (const Refused& setting : {Refused{"qsgd", ValueType::kFloat32, IndexEncoding::kRaw},
                                 Refused{"scaled_sign", ValueType::kFloat32, IndexEncoding::kRaw},
                                 Refused{"top_k", ValueType::kFloat16, IndexEncoding::kRaw},
                                 Refused{"top_k", ValueType::kFloat32, IndexEncoding::kVarint}}) {
    CompressionConfig compression;
    compression.method = setting.method;
    compression.k = std::uint64_t{50};
    for (CommunicationConfig communication : {favouringSplit(), favouringDense()}) {
      communication.valueType = setting.valueType;
      communication.indexEncoding = setting.indexEncoding;
      const CollectiveChoice choice =
          chooseCollective(compression, communication, comm, kBlocks, 1);
      const auto codec = makeCodec(compression, communication);
      EXPECT_FALSE(collectiveRefusal(choice.kind, compression, communication, *codec))
          << setting.method << " picked a refused collective";
      communication.collective = choice.kind;
      EXPECT_NO_THROW((void)makeCollective(compression, communication, comm, *codec))
          << setting.method;
      int refused = 0;
      for (const CollectiveEstimate& estimate : choice.estimates) {
        refused += estimate.refusal.empty() ? 0 : 1;
      }
      EXPECT_EQ(refused, std::string(setting.method) == "top_k" ? 1 : 2) << setting.method;
    }
  }
  // The same constants pick dense for plain fp32 pairs: the refusals above changed the picks.
  CompressionConfig topK;
  topK.k = std::uint64_t{50};
  EXPECT_EQ(chooseCollective(topK, favouringDense(), comm, kBlocks, 1).kind,
            CollectiveKind::kDense);
}

}  // namespace
}  // namespace memsgd
