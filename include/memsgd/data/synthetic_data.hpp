#pragma once

#include <string_view>

#include "memsgd/config/run_config.hpp"
#include "memsgd/data/data_source.hpp"

namespace memsgd {

// Stand-ins for the paper's data sets, named "synthetic:NAME" in data.train or data.test:
//  - epsilon: dense rows of unit L2 norm in uniformly random directions; default 400000 x 2000.
//  - rcv1: sparse rows of unit L2 norm; default 20242 x 47236; 35..105 nonzeros per row (mean 70)
//    at distinct features drawn with Zipf frequencies (the r-th most frequent has weight 1/r),
//    scattered over the indices by a fixed permutation; values (1 + U[0,1)) * log(1 + r) grow
//    with rarity like tf-idf.
// Labels come from a planted logistic model w*: y = +1 with probability sigmoid(a.w*), else -1,
// which is the only label noise. w* has i.i.d. Gaussian entries (rcv1: on a random 20% of the
// features), scaled so that a.w* has standard deviation 4 over rows.
// The data set is fixed: every generator has its own constant seed, and row i depends only on
// (generator, d, i), never on the rank count; optimizer.seed only changes sampling. data.rows and
// data.dim override n and d (0: the defaults). A test split has n/10 rows that continue the
// training stream (test row i is generated as row n + i), so it never repeats a training row.

enum class SyntheticSplit { kTrain, kTest };

inline constexpr std::string_view kSyntheticPrefix = "synthetic:";

[[nodiscard]] bool isSyntheticSource(std::string_view source);

// Rows shardOf(n, rank, ranks) of the split's source (config.train or config.test), of unit norm
// (shard.normalized), with labels -1/+1 and d = shard.dim: epsilon's rows dense (shard.dense),
// rcv1's compressed. Throws ConfigError naming the key for an unknown generator or for fewer rows
// than ranks.
RowShard generateSynthetic(const DataConfig& config, SyntheticSplit split, int rank, int ranks);

// The planted w* behind the split's labels; identical on every rank.
Vector plantedModel(const DataConfig& config, SyntheticSplit split);

}  // namespace memsgd
