// Every collective behind communication.collective: the aggregate every rank applies equals a
// dense MPI_Allreduce of the messages (exactly for dyadic values, to rounding otherwise) and is
// the same bytes on every rank; the counters equal the buffers handed to MPI; the collectives that
// sum on the way refuse messages that cannot be summed.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstring>
#include <string>

#include "memsgd/comm/aggregate.hpp"
#include "memsgd/comm/collective_factory.hpp"
#include "memsgd/comm/dense_exchange.hpp"
#include "memsgd/comm/split_allgather.hpp"
#include "memsgd/compress/compressor_factory.hpp"
#include "memsgd/config/choices.hpp"
#include "memsgd/core/error.hpp"
#include "memsgd/util/random.hpp"

namespace memsgd {
namespace {

struct Wire {
  CollectiveKind collective;
  ValueType valueType;
  IndexEncoding indexEncoding;
};

std::string describe(const ::testing::TestParamInfo<Wire>& info) {
  return wordOf(kCollectives, info.param.collective) + "_" +
         wordOf(kValueTypes, info.param.valueType) + "_" +
         wordOf(kIndexEncodings, info.param.indexEncoding);
}

// Each coordinate of `dim` taken with probability `density`, ascending, different on every rank
// and round; dyadic values (k/8, |k| <= 32: exact in fp16 and in any summation order) or
// uniform ones in [-1, 1).
SparseMessage randomMessage(std::uint64_t dim, double density, bool dyadic, std::uint64_t round) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  Rng rng(round, static_cast<std::uint64_t>(rank), 7);
  SparseMessage message;
  message.dim = dim;
  for (std::uint64_t j = 0; j < dim; ++j) {
    if (rng.uniform() < density) {
      message.indices.push_back(static_cast<std::uint32_t>(j));
      message.values.push_back(dyadic
                                   ? static_cast<double>(static_cast<int>(rng.below(65)) - 32) / 8.0
                                   : 2.0 * rng.uniform() - 1.0);
    }
  }
  return message;
}

// sum_r c_r as the trainer applies it (comm/aggregate.hpp).
Vector applied(const Aggregate& aggregate, std::uint64_t dim) {
  Vector x = Vector::Zero(static_cast<Eigen::Index>(dim));
  subtractScaled<double>(aggregate, -1.0, x);
  return x;
}

Vector allreduced(const SparseMessage& mine, const Communicator& comm) {
  Vector sum = Vector::Zero(static_cast<Eigen::Index>(mine.dim));
  for (std::size_t i = 0; i < mine.size(); ++i) {
    sum[mine.indices[i]] = mine.values[i];
  }
  MPI_Allreduce(MPI_IN_PLACE, sum.data(), static_cast<int>(sum.size()), MPI_DOUBLE, MPI_SUM,
                comm.raw());
  return sum;
}

// True on every rank when `x` has rank 0's bytes on every rank.
bool sameBytesEverywhere(Vector x, const Communicator& comm) {
  const Vector mine = x;
  MPI_Bcast(x.data(), static_cast<int>(x.size()), MPI_DOUBLE, 0, comm.raw());
  int same =
      std::memcmp(x.data(), mine.data(), sizeof(double) * static_cast<std::size_t>(x.size())) == 0
          ? 1
          : 0;
  MPI_Allreduce(MPI_IN_PLACE, &same, 1, MPI_INT, MPI_MIN, comm.raw());
  return same == 1;
}

class CollectiveTest : public ::testing::TestWithParam<Wire> {
 protected:
  CollectiveTest() {
    communication_.collective = GetParam().collective;
    communication_.valueType = GetParam().valueType;
    communication_.indexEncoding = GetParam().indexEncoding;
    codec_ = makeCodec(compression_, communication_);
    collective_ = makeCollective(compression_, communication_, comm_, *codec_);
  }

  Communicator comm_;
  CompressionConfig compression_;
  CommunicationConfig communication_;
  std::unique_ptr<MessageCodec> codec_;
  std::unique_ptr<Collective> collective_;
};

// Sizes differ by rank and round: empty messages on some ranks, sparse ones, and P k > d (every
// owner range dense in split_allgather).
TEST_P(CollectiveTest, DyadicSumsEqualTheDenseAllreduceExactly) {
  CommCounters counters;
  for (std::uint64_t round = 0; round < 24; ++round) {
    const std::uint64_t dim = round % 3 == 0 ? 7 : 300;  // 7 < P at 8 ranks: empty ranges
    const double density = (comm_.rank() + static_cast<int>(round)) % 4 == 0 ? 0.0
                           : round % 2 == 0                                  ? 0.9
                                                                             : 0.02;
    SparseMessage mine = randomMessage(dim, density, true, round);
    codec_->roundToWire(mine);
    collective_->exchange(mine, std::nullopt, counters);
    EXPECT_EQ(applied(collective_->aggregate(), dim), allreduced(mine, comm_)) << "round " << round;
  }
}

TEST_P(CollectiveTest, SumsAgreeToRoundingAndAreTheSameBytesOnEveryRank) {
  CommCounters counters;
  for (std::uint64_t round = 0; round < 12; ++round) {
    SparseMessage mine = randomMessage(500, round % 2 == 0 ? 0.05 : 0.5, false, round);
    codec_->roundToWire(mine);
    collective_->exchange(mine, std::nullopt, counters);
    const Vector sum = applied(collective_->aggregate(), 500);
    // A float sum (dense in fp32) rounds once per rank; the others sum in double.
    const double tolerance = GetParam().collective == CollectiveKind::kDense &&
                                     GetParam().valueType == ValueType::kFloat32
                                 ? 1e-6 * comm_.size()
                                 : 1e-13 * comm_.size();
    EXPECT_LE((sum - allreduced(mine, comm_)).lpNorm<Eigen::Infinity>(), tolerance);
    EXPECT_TRUE(sameBytesEverywhere(sum, comm_)) << "round " << round;
  }
}

// The paper's bits and the pair count describe the rank's message, whatever the collective.
TEST_P(CollectiveTest, PaperBitsAndPairsCountTheMessage) {
  CommCounters counters;
  SparseMessage mine = randomMessage(300, 0.1, true, 5);
  codec_->roundToWire(mine);
  collective_->exchange(mine, std::nullopt, counters);
  EXPECT_EQ(counters.pairs, mine.size());
  EXPECT_EQ(counters.paperBits, 64 * mine.size());
}

INSTANTIATE_TEST_SUITE_P(
    Collectives, CollectiveTest,
    ::testing::Values(
        Wire{CollectiveKind::kAllgather, ValueType::kFloat32, IndexEncoding::kRaw},
        Wire{CollectiveKind::kAllgather, ValueType::kFloat16, IndexEncoding::kVarint},
        Wire{CollectiveKind::kDense, ValueType::kFloat32, IndexEncoding::kRaw},
        Wire{CollectiveKind::kDense, ValueType::kFloat64, IndexEncoding::kRaw},
        Wire{CollectiveKind::kSplitAllgather, ValueType::kFloat32, IndexEncoding::kRaw},
        Wire{CollectiveKind::kSplitAllgather, ValueType::kFloat64, IndexEncoding::kVarint},
        Wire{CollectiveKind::kSplitAllgather, ValueType::kFloat16, IndexEncoding::kRaw}),
    describe);

// Phase by phase, the counters are the buffers handed to MPI: phase 1's pairs to each owner
// once, the counts of both phases as header bytes, phase 3's own range to every peer.
TEST(SplitAllgather, CountersEqualTheBuffersPassedToMpi) {
  const Communicator comm;
  const auto peers = static_cast<std::uint64_t>(comm.size() - 1);
  for (const IndexEncoding encoding : {IndexEncoding::kRaw, IndexEncoding::kVarint}) {
    const PairCodec codec(ValueType::kFloat32, encoding);
    SplitAllgather collective(comm, codec);
    CommCounters counters;
    for (std::uint64_t round = 0; round < 10; ++round) {
      SparseMessage mine = randomMessage(400, round % 2 == 0 ? 0.03 : 0.8, false, round);
      codec.roundToWire(mine);
      const CommCounters before = counters;
      collective.exchange(mine, std::nullopt, counters);
      const std::uint64_t counts = 2 * sizeof(int) * peers;
      EXPECT_EQ(counters.sent.total() - before.sent.total(),
                collective.lastScatterSendBytes() + collective.lastRangeBytes() * peers + counts);
      EXPECT_EQ(counters.received.total() - before.received.total(),
                collective.lastScatterReceiveBytes() + collective.lastGatherBytes() -
                    collective.lastRangeBytes() + counts);
      if (encoding == IndexEncoding::kRaw) {
        EXPECT_EQ(counters.sent.header - before.sent.header, counts);
        EXPECT_EQ(counters.received.header - before.received.header, counts);
      }
    }
  }
}

// Every coordinate sent by every rank: each owner's range goes dense (fp64 sums, no indices), so
// phase 3 gathers d doubles and its only index bytes are phase 1's.
TEST(SplitAllgather, FullRangesGoDense) {
  const Communicator comm;
  const auto peers = static_cast<std::uint64_t>(comm.size() - 1);
  const PairCodec codec(ValueType::kFloat32, IndexEncoding::kRaw);
  SplitAllgather collective(comm, codec);
  CommCounters counters;
  SparseMessage mine = randomMessage(100, 1.0, false, 3);
  codec.roundToWire(mine);
  collective.exchange(mine, std::nullopt, counters);
  EXPECT_EQ(collective.lastGatherBytes(), 100 * sizeof(double));
  const std::uint64_t ownRange = collective.lastRangeBytes() / sizeof(double);
  EXPECT_EQ(counters.sent.index, 4 * (100 - ownRange));  // every other owner's pairs, once
  EXPECT_EQ(counters.received.index, collective.lastScatterReceiveBytes() / 2);
  EXPECT_EQ(counters.sent.value, 4 * (100 - ownRange) + 8 * ownRange * peers);
  EXPECT_EQ(counters.received.value, 4 * ownRange * peers + 8 * (100 - ownRange));
  EXPECT_EQ(applied(collective.aggregate(), 100), allreduced(mine, comm));
}

// The dense collective hands MPI d wire values to sum, whatever the message's size.
TEST(DenseCollective, CountsTheDenseVector) {
  const Communicator comm;
  const auto peers = static_cast<std::uint64_t>(comm.size() - 1);
  DenseExchange collective(comm, ValueType::kFloat32);
  Collective& asCollective = collective;
  CommCounters counters;
  SparseMessage mine = randomMessage(300, 0.02, true, 9);
  asCollective.exchange(mine, std::nullopt, counters);
  EXPECT_EQ(counters.sent.value, 300 * sizeof(float) * peers);
  EXPECT_EQ(counters.received.value, 300 * sizeof(float) * peers);
  EXPECT_EQ(counters.sent.index + counters.sent.header, 0U);
  EXPECT_EQ(applied(asCollective.aggregate(), 300), allreduced(mine, comm));
}

// The collectives that sum on the way take (index, value) pairs only, and dense an MPI sum.
TEST(CollectiveFactory, RefusesWhatCannotBeSummedOnTheWay) {
  const Communicator comm;
  for (const CollectiveKind kind : {CollectiveKind::kDense, CollectiveKind::kSplitAllgather}) {
    for (const char* method : {"qsgd", "scaled_sign"}) {
      CompressionConfig compression;
      compression.method = method;
      CommunicationConfig communication;
      communication.collective = kind;
      const auto codec = makeCodec(compression, communication);
      try {
        (void)makeCollective(compression, communication, comm, *codec);
        ADD_FAILURE() << method << " accepted";
      } catch (const ConfigError& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("communication.collective = " + wordOf(kCollectives, kind)),
                  std::string::npos)
            << message;
        EXPECT_NE(message.find(method), std::string::npos) << message;
      }
      communication.collective = CollectiveKind::kAllgather;
      EXPECT_NE(makeCollective(compression, communication, comm, *codec), nullptr);
    }
  }
  CompressionConfig topK;
  CommunicationConfig halfDense;
  halfDense.collective = CollectiveKind::kDense;
  halfDense.valueType = ValueType::kFloat16;
  EXPECT_THROW((void)makeCollective(topK, halfDense, comm, *makeCodec(topK, halfDense)),
               ConfigError);
  CommunicationConfig varintDense;
  varintDense.collective = CollectiveKind::kDense;
  varintDense.indexEncoding = IndexEncoding::kVarint;
  EXPECT_THROW((void)makeCollective(topK, varintDense, comm, *makeCodec(topK, varintDense)),
               ConfigError);
  CommunicationConfig halfSplit;
  halfSplit.collective = CollectiveKind::kSplitAllgather;
  halfSplit.valueType = ValueType::kFloat16;
  EXPECT_NE(makeCollective(topK, halfSplit, comm, *makeCodec(topK, halfSplit)), nullptr);
}

}  // namespace
}  // namespace memsgd
