#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "memsgd/compress/compressor.hpp"
#include "memsgd/compress/message_codec.hpp"
#include "memsgd/config/run_config.hpp"

namespace memsgd {

// Names accepted by compression.method, in the order --help lists them.
std::span<const std::string_view> compressorNames();

// Whether the method sends k of the d coordinates: the paper's a = d/k then applies (else a = d).
bool isSparsifying(std::string_view method);

// compression.k in force for dimension `dim`: k itself, or ceil(kPercent d / 100), at least 1.
std::uint64_t resolveK(const CompressionConfig& config, std::uint64_t dim);

// Whether the method is an unbiased operator (E[comp(v)] = v): compression.memory = auto turns
// the error memory off for these and on for every other method.
bool isUnbiased(std::string_view method);

// Builds the compressor `config.method` for vectors of dimension `dim` on rank `rank`. Randomised
// compressors draw from their own stream of `seed`. Throws ConfigError naming compression.method
// or compression.k when the choice cannot work (unknown name, k > dim).
template <typename Scalar>
std::unique_ptr<Compressor<Scalar>> makeCompressor(const CompressionConfig& config,
                                                   std::uint64_t dim, std::uint64_t seed, int rank);

// makeCompressor for the flat vector of consecutive `blocks` (a model's blockSizes(), p their
// sum): the vector as a whole for compression.scope = global or a single block; for layer, each
// block by its own compressor, k split by blockQuotas, in one message (Blockwise). Throws
// ConfigError naming compression.scope for a method that does not select per block (only top_k,
// rand_k, approx_top_k and threshold do) or a k below the number of blocks.
template <typename Scalar>
std::unique_ptr<Compressor<Scalar>> makeCompressor(const CompressionConfig& config,
                                                   std::span<const std::uint64_t> blocks,
                                                   std::uint64_t seed, int rank);

// The wire format of `compression.method`'s messages under the [communication] settings.
std::unique_ptr<MessageCodec> makeCodec(const CompressionConfig& compression,
                                        const CommunicationConfig& communication);

}  // namespace memsgd
