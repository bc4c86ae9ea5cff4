#include "memsgd/comm/collective_factory.hpp"

#include <stdexcept>
#include <string>

#include "memsgd/comm/dense_exchange.hpp"
#include "memsgd/comm/sparse_exchange.hpp"
#include "memsgd/comm/split_allgather.hpp"
#include "memsgd/config/choices.hpp"
#include "memsgd/core/error.hpp"

namespace memsgd {

std::optional<std::string> collectiveRefusal(CollectiveKind kind,
                                             const CompressionConfig& compression,
                                             const CommunicationConfig& communication,
                                             const MessageCodec& codec) {
  if (kind == CollectiveKind::kAllgather || kind == CollectiveKind::kAuto) {
    return std::nullopt;
  }
  // Summing on the way needs messages of plain (index, value) pairs; a quantised bitstream's
  // values are levels of a per-message scale.
  if (dynamic_cast<const PairCodec*>(&codec) == nullptr) {
    return "the messages of compression.method = " + compression.method +
           " cannot be summed on the way (only (index, value) pairs can); use "
           "communication.collective = allgather";
  }
  if (kind == CollectiveKind::kDense) {
    if (communication.valueType == ValueType::kFloat16) {
      return "MPI_Allreduce has no half-precision sum (communication.value_type = fp16, "
             "compression.method = " +
             compression.method + "); use fp32 or fp64";
    }
    if (communication.indexEncoding != IndexEncoding::kRaw) {
      return "it sends no indices, so communication.index_encoding = varint would be ignored "
             "(compression.method = " +
             compression.method + ")";
    }
  }
  return std::nullopt;
}

std::unique_ptr<Collective> makeCollective(const CompressionConfig& compression,
                                           const CommunicationConfig& communication,
                                           const Communicator& comm, const MessageCodec& codec) {
  const CollectiveKind kind = communication.collective;
  if (kind == CollectiveKind::kAuto) {
    throw std::invalid_argument(
        "makeCollective: communication.collective = auto must be resolved to a collective first "
        "(chooseCollective)");
  }
  if (const auto refusal = collectiveRefusal(kind, compression, communication, codec)) {
    throw ConfigError("communication.collective = " + wordOf(kCollectives, kind) + ": " + *refusal);
  }
  switch (kind) {
    case CollectiveKind::kDense:
      return std::make_unique<DenseExchange>(comm, communication.valueType);
    case CollectiveKind::kSplitAllgather:
      return std::make_unique<SplitAllgather>(comm, dynamic_cast<const PairCodec&>(codec));
    default:
      return std::make_unique<SparseExchange>(comm, codec);
  }
}

}  // namespace memsgd
