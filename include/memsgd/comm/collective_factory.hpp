#pragma once

#include <memory>
#include <optional>
#include <string>

#include "memsgd/comm/collective.hpp"
#include "memsgd/compress/message_codec.hpp"
#include "memsgd/config/run_config.hpp"
#include "memsgd/mpi/communicator.hpp"

namespace memsgd {

// Why collective `kind` cannot carry `codec`'s messages under these settings (the text after
// "communication.collective = <kind>: "), or nothing when it can: a collective that sums messages
// on the way (dense, split_allgather) takes only the pair codec's messages (not qsgd's or
// scaled_sign's), and dense no fp16 values (MPI cannot sum them) and no varint indices (it sends
// none).
std::optional<std::string> collectiveRefusal(CollectiveKind kind,
                                             const CompressionConfig& compression,
                                             const CommunicationConfig& communication,
                                             const MessageCodec& codec);

// The collective that communication.collective names, over `codec`'s messages (`comm` and
// `codec` must outlive it). Throws ConfigError, naming the key, for a collective that
// collectiveRefusal refuses; std::invalid_argument for auto, which chooseCollective resolves.
std::unique_ptr<Collective> makeCollective(const CompressionConfig& compression,
                                           const CommunicationConfig& communication,
                                           const Communicator& comm, const MessageCodec& codec);

}  // namespace memsgd
