#pragma once

#include <memory>

#include "memsgd/comm/collective.hpp"
#include "memsgd/compress/message_codec.hpp"
#include "memsgd/config/run_config.hpp"
#include "memsgd/mpi/communicator.hpp"

namespace memsgd {

// The collective that communication.collective names, over `codec`'s messages (`comm` and
// `codec` must outlive it). Throws ConfigError, naming the key and compression.method, for a
// collective that sums messages on the way (dense, split_allgather) when the codec's messages
// cannot be summed so (anything but the pair codec: qsgd, scaled_sign), and for dense with fp16
// values, which MPI cannot sum.
std::unique_ptr<Collective> makeCollective(const CompressionConfig& compression,
                                           const CommunicationConfig& communication,
                                           const Communicator& comm, const MessageCodec& codec);

}  // namespace memsgd
