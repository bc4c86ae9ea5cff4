#include "memsgd/compress/compressor_factory.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <iterator>
#include <numeric>
#include <string>
#include <vector>

#include "memsgd/compress/approx_top_k.hpp"
#include "memsgd/compress/blockwise.hpp"
#include "memsgd/compress/identity.hpp"
#include "memsgd/compress/pair_codec.hpp"
#include "memsgd/compress/qsgd.hpp"
#include "memsgd/compress/qsgd_codec.hpp"
#include "memsgd/compress/rand_k.hpp"
#include "memsgd/compress/rand_k_unbiased.hpp"
#include "memsgd/compress/scaled_sign.hpp"
#include "memsgd/compress/sign_codec.hpp"
#include "memsgd/compress/threshold.hpp"
#include "memsgd/compress/top_k.hpp"
#include "memsgd/core/error.hpp"

namespace memsgd {
namespace {

template <typename Scalar>
using CompressorBuilder = std::function<std::unique_ptr<Compressor<Scalar>>(
    const CompressionConfig&, std::uint64_t dim, Rng)>;
using CodecBuilder = std::function<std::unique_ptr<MessageCodec>(const CompressionConfig&,
                                                                 const CommunicationConfig&)>;

std::unique_ptr<MessageCodec> pairCodec(const CompressionConfig& /*compression*/,
                                        const CommunicationConfig& communication) {
  return std::make_unique<PairCodec>(communication.valueType, communication.indexEncoding);
}

// One registry per precision, written once: only `build` depends on Scalar.
template <typename Scalar>
struct Entry {
  std::string_view name;
  // Sends (at most) k of the d coordinates: k is checked, and a = d/k by default.
  bool sendsK = false;
  // E[comp(v)] = v by random scaling: the literature runs these without error memory, which
  // then accumulates their variance. The others are biased (none rounds v to the wire's type).
  bool unbiased = false;
  CompressorBuilder<Scalar> build;
  CodecBuilder codec = pairCodec;
};

template <typename Scalar>
const std::vector<Entry<Scalar>>& registry() {
  static const std::vector<Entry<Scalar>> entries{
      {"none", false, false,
       [](const CompressionConfig&, std::uint64_t dim, Rng) {
         return std::make_unique<Identity<Scalar>>(dim);
       }},
      {"top_k", true, false,
       [](const CompressionConfig& c, std::uint64_t, Rng) {
         return std::make_unique<TopK<Scalar>>(c.k);
       }},
      {"rand_k", true, false,
       [](const CompressionConfig& c, std::uint64_t, Rng rng) {
         return std::make_unique<RandK<Scalar>>(c.k, rng);
       }},
      {"rand_k_unbiased", true, true,
       [](const CompressionConfig& c, std::uint64_t, Rng rng) {
         return std::make_unique<RandKUnbiased<Scalar>>(c.k, rng);
       }},
      {"approx_top_k", true, false,
       [](const CompressionConfig& c, std::uint64_t, Rng rng) {
         return std::make_unique<ApproxTopK<Scalar>>(c.k, c.sampleSize, rng);
       }},
      {"threshold", false, false,
       [](const CompressionConfig& c, std::uint64_t, Rng) {
         if (!(c.threshold > 0.0)) {
           throw ConfigError("compression.threshold = " + std::to_string(c.threshold) +
                             ": the threshold compressor needs a value > 0");
         }
         return std::make_unique<Threshold<Scalar>>(c.threshold);
       }},
      {"qsgd", false, true,
       [](const CompressionConfig& c, std::uint64_t, Rng rng) {
         return std::make_unique<Qsgd<Scalar>>(c.levels, rng);
       },
       [](const CompressionConfig& c, const CommunicationConfig&) {
         return std::make_unique<QsgdCodec>(c.levels, c.qsgdEncoding);
       }},
      {"scaled_sign", false, false,
       [](const CompressionConfig&, std::uint64_t dim, Rng) {
         return std::make_unique<ScaledSign<Scalar>>(dim);
       },
       [](const CompressionConfig&, const CommunicationConfig&) {
         return std::make_unique<SignCodec>();
       }},
  };
  return entries;
}

// The methods that compression.scope = layer runs on every block: those that select coordinates.
constexpr auto kPerBlockMethods =
    std::to_array<std::string_view>({"top_k", "rand_k", "approx_top_k", "threshold"});

template <typename Scalar = double>
const Entry<Scalar>* find(std::string_view method) {
  const auto& entries = registry<Scalar>();
  const auto it = std::find_if(entries.begin(), entries.end(),
                               [&](const Entry<Scalar>& e) { return e.name == method; });
  return it == entries.end() ? nullptr : &*it;
}

template <typename Scalar = double>
const Entry<Scalar>& require(const std::string& method) {
  const Entry<Scalar>* entry = find<Scalar>(method);
  if (entry == nullptr) {
    throw ConfigError("compression.method = " + method + ": unknown compressor");
  }
  return *entry;
}

}  // namespace

std::span<const std::string_view> compressorNames() {
  static const auto names = [] {
    std::vector<std::string_view> result;
    std::transform(registry<double>().begin(), registry<double>().end(), std::back_inserter(result),
                   [](const Entry<double>& e) { return e.name; });
    return result;
  }();
  return names;
}

bool isSparsifying(std::string_view method) {
  const auto* entry = find(method);
  return entry != nullptr && entry->sendsK;
}

std::uint64_t resolveK(const CompressionConfig& config, std::uint64_t dim) {
  if (!config.kPercent) {
    return config.k;
  }
  const double exact = *config.kPercent * static_cast<double>(dim) / 100.0;
  // A percentage such as 0.3 is not exact in binary: without the tolerance, 0.3% of 1000 could
  // round up to 4.
  const auto k = static_cast<std::uint64_t>(std::ceil(exact * (1.0 - 1e-12)));
  return std::max<std::uint64_t>(k, 1);
}

bool isUnbiased(std::string_view method) {
  const auto* entry = find(method);
  return entry != nullptr && entry->unbiased;
}

template <typename Scalar>
std::unique_ptr<Compressor<Scalar>> makeCompressor(const CompressionConfig& config,
                                                   std::uint64_t dim, std::uint64_t seed,
                                                   int rank) {
  const Entry<Scalar>& entry = require<Scalar>(config.method);
  CompressionConfig resolved = config;
  resolved.k = resolveK(config, dim);
  if (entry.sendsK && resolved.k > dim) {
    throw ConfigError("compression.k = " + std::to_string(resolved.k) +
                      ": exceeds the dimension d = " + std::to_string(dim));
  }
  return entry.build(resolved, dim,
                     Rng(seed, static_cast<std::uint64_t>(rank),
                         static_cast<std::uint64_t>(RngPurpose::kCompression)));
}

template <typename Scalar>
std::unique_ptr<Compressor<Scalar>> makeCompressor(const CompressionConfig& config,
                                                   std::span<const std::uint64_t> blocks,
                                                   std::uint64_t seed, int rank) {
  const std::uint64_t p = std::accumulate(blocks.begin(), blocks.end(), std::uint64_t{0});
  if (config.scope == CompressionScope::kGlobal) {
    return makeCompressor<Scalar>(config, p, seed, rank);
  }
  if (std::ranges::find(kPerBlockMethods, config.method) == kPerBlockMethods.end()) {
    std::string methods;
    for (const std::string_view method : kPerBlockMethods) {
      methods += (methods.empty() ? "" : ", ") + std::string(method);
    }
    throw ConfigError("compression.scope = layer: compression.method = " + config.method +
                      " does not select per layer (" + methods + " do)");
  }
  if (blocks.size() == 1) {
    return makeCompressor<Scalar>(config, p, seed, rank);  // one layer: the vector as a whole
  }
  const Entry<Scalar>& entry = require<Scalar>(config.method);
  CompressionConfig resolved = config;
  resolved.kPercent.reset();
  std::vector<std::uint64_t> quotas(blocks.size(), 0);
  if (entry.sendsK) {
    const std::uint64_t k = resolveK(config, p);
    if (k > p) {
      throw ConfigError("compression.k = " + std::to_string(k) +
                        ": exceeds the dimension d = " + std::to_string(p));
    }
    if (k < blocks.size()) {
      throw ConfigError("compression.scope = layer: compression.k = " + std::to_string(k) +
                        " is below the model's " + std::to_string(blocks.size()) +
                        " layers, each of which sends at least 1 coordinate");
    }
    quotas = blockQuotas(k, blocks);
  }
  std::vector<std::unique_ptr<Compressor<Scalar>>> parts;
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    resolved.k = quotas[b];
    parts.push_back(entry.build(resolved, blocks[b],
                                Rng(seed, static_cast<std::uint64_t>(rank),
                                    static_cast<std::uint64_t>(RngPurpose::kCompression))));
  }
  return std::make_unique<Blockwise<Scalar>>(std::move(parts), blocks);
}

std::unique_ptr<MessageCodec> makeCodec(const CompressionConfig& compression,
                                        const CommunicationConfig& communication) {
  if (compression.method == "none" && communication.valueType == ValueType::kFloat16) {
    throw ConfigError(
        "communication.value_type = fp16: dense SGD (compression.method = none) is summed by "
        "MPI_Allreduce, which has no half-precision sum; use fp32 or fp64");
  }
  return require(compression.method).codec(compression, communication);
}

template std::unique_ptr<Compressor<float>> makeCompressor<float>(const CompressionConfig&,
                                                                  std::uint64_t, std::uint64_t,
                                                                  int);
template std::unique_ptr<Compressor<double>> makeCompressor<double>(const CompressionConfig&,
                                                                    std::uint64_t, std::uint64_t,
                                                                    int);
template std::unique_ptr<Compressor<float>> makeCompressor<float>(const CompressionConfig&,
                                                                  std::span<const std::uint64_t>,
                                                                  std::uint64_t, int);
template std::unique_ptr<Compressor<double>> makeCompressor<double>(const CompressionConfig&,
                                                                    std::span<const std::uint64_t>,
                                                                    std::uint64_t, int);

}  // namespace memsgd
