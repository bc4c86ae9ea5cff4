#include "memsgd/comm/collective_factory.hpp"

#include <string>

#include "memsgd/comm/dense_exchange.hpp"
#include "memsgd/comm/sparse_exchange.hpp"
#include "memsgd/comm/split_allgather.hpp"
#include "memsgd/config/choices.hpp"
#include "memsgd/core/error.hpp"

namespace memsgd {

std::unique_ptr<Collective> makeCollective(const CompressionConfig& compression,
                                           const CommunicationConfig& communication,
                                           const Communicator& comm, const MessageCodec& codec) {
  const CollectiveKind kind = communication.collective;
  if (kind == CollectiveKind::kAllgather) {
    return std::make_unique<SparseExchange>(comm, codec);
  }
  const std::string key = "communication.collective = " + std::string(wordOf(kCollectives, kind));
  // Summing on the way needs messages of plain (index, value) pairs; a quantised bitstream's
  // values are levels of a per-message scale.
  const auto* pairs = dynamic_cast<const PairCodec*>(&codec);
  if (pairs == nullptr) {
    throw ConfigError(key + ": the messages of compression.method = " + compression.method +
                      " cannot be summed on the way (only (index, value) pairs can); use "
                      "communication.collective = allgather");
  }
  if (kind == CollectiveKind::kDense) {
    if (communication.valueType == ValueType::kFloat16) {
      throw ConfigError(key +
                        ": MPI_Allreduce has no half-precision sum (communication.value_type = "
                        "fp16, compression.method = " +
                        compression.method + "); use fp32 or fp64");
    }
    if (communication.indexEncoding != IndexEncoding::kRaw) {
      throw ConfigError(key +
                        " sends no indices: communication.index_encoding = varint would be "
                        "ignored (compression.method = " +
                        compression.method + ")");
    }
    return std::make_unique<DenseExchange>(comm, communication.valueType);
  }
  return std::make_unique<SplitAllgather>(comm, *pairs);
}

}  // namespace memsgd
