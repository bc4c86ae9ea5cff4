#include "memsgd/data/synthetic_data.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "memsgd/core/error.hpp"
#include "memsgd/data/row_partition.hpp"
#include "memsgd/util/random.hpp"

namespace memsgd {
namespace {

// Standard deviation of a.w* over rows: labels informative yet noisy (Bayes accuracy about 0.9).
constexpr double kMarginStd = 4.0;

// Streams of one generator's seed; a row's stream is keyed by its global row number alone.
constexpr std::uint64_t kRowPurpose = 1;
constexpr std::uint64_t kModelPurpose = 2;
constexpr std::uint64_t kFeaturePurpose = 3;

constexpr std::uint64_t kRcv1MinNonZeros = 35;
constexpr std::uint64_t kRcv1MaxNonZeros = 105;

struct Plan;
using Build = void (*)(const Plan& plan, const Vector& model, RowShard& shard);

struct Generator {
  std::string_view name;
  std::uint64_t seed;
  std::uint64_t rows;
  std::uint64_t dim;
  double modelSupport;  // fraction of features with a nonzero planted weight
  Build build;
};

// What one split resolves to: its generator, size and where its rows start in the row stream.
struct Plan {
  const Generator* generator;
  std::string key;
  std::string source;
  std::uint64_t rows;
  std::uint64_t dim;
  std::uint64_t firstRow;
};

// Fills `out` with standard normals by Box-Muller, written out because std::normal_distribution
// differs between standard libraries.
void fillNormal(std::span<double> out, Rng& rng) {
  for (std::size_t j = 0; j < out.size(); j += 2) {
    const double radius = std::sqrt(-2.0 * std::log(1.0 - rng.uniform()));
    const double angle = 2.0 * std::numbers::pi * rng.uniform();
    out[j] = radius * std::cos(angle);
    if (j + 1 < out.size()) out[j + 1] = radius * std::sin(angle);
  }
}

double drawLabel(double margin, Rng& rng) {
  return rng.uniform() < 1.0 / (1.0 + std::exp(-margin)) ? 1.0 : -1.0;
}

// Appends row `row`'s label with the counts the loader's label checks read, a label's "line"
// being the first row that carries it, numbered from 1.
void addLabel(RowBlock& rows, double label, std::uint64_t row) {
  rows.labels.push_back(label);
  if (++rows.labelCounts[label] == 1) rows.labelLines.emplace(label, row + 1);
}

// For a unit-norm row a independent of w*, Var(a.w*) = Var(w_j), so entries of variance
// kMarginStd^2 / support give a.w* the intended spread whatever d or the row's sparsity.
Vector buildModel(const Plan& plan) {
  const Generator& generator = *plan.generator;
  Rng rng(generator.seed, 0, kModelPurpose);
  Vector model(static_cast<Eigen::Index>(plan.dim));
  fillNormal(std::span<double>(model.data(), plan.dim), rng);
  model *= kMarginStd / std::sqrt(generator.modelSupport);
  if (generator.modelSupport < 1.0) {
    for (double& weight : model) {
      if (rng.uniform() >= generator.modelSupport) weight = 0.0;
    }
  }
  return model;
}

Rng rowRng(const Plan& plan, std::uint64_t row) {
  return {plan.generator->seed, plan.firstRow + row, kRowPurpose};
}

void buildEpsilon(const Plan& plan, const Vector& model, RowShard& shard) {
  const RowRange range = shard.range;
  const auto n = static_cast<Eigen::Index>(range.size());
  shard.dense.resize(n, static_cast<Eigen::Index>(plan.dim));
  shard.rows.labels.reserve(range.size());
  for (Eigen::Index i = 0; i < n; ++i) {
    const std::uint64_t global = range.begin + static_cast<std::uint64_t>(i);
    Rng rng = rowRng(plan, global);
    auto row = shard.dense.row(i);
    fillNormal(std::span<double>(row.data(), plan.dim), rng);
    row.normalize();  // a Gaussian vector's direction is uniform on the sphere
    addLabel(shard.rows, drawLabel(row.dot(model.transpose()), rng), global);
  }
  if (n > 0) {
    shard.rows.maxIndex = plan.dim;
    shard.rows.maxIndexLine = range.begin + 1;
  }
}

void buildRcv1(const Plan& plan, const Vector& model, RowShard& shard) {
  const RowRange range = shard.range;
  const std::uint64_t dim = plan.dim;
  // Feature of frequency rank r is `featureOf[r]`; cumulative Zipf weights for inverse-CDF draws.
  std::vector<std::uint32_t> featureOf(dim);
  std::vector<double> cumulative(dim);
  double total = 0.0;
  for (std::uint64_t r = 0; r < dim; ++r) {
    featureOf[r] = static_cast<std::uint32_t>(r);
    total += 1.0 / static_cast<double>(r + 1);
    cumulative[r] = total;
  }
  Rng featureRng(plan.generator->seed, 0, kFeaturePurpose);
  shuffle(featureOf, featureRng);
  // Distinct draws slow down as a row nears d; half of d keeps rejection sampling cheap.
  const std::uint64_t maxNonZeros = std::max<std::uint64_t>(1, dim / 2);

  RowBlock& out = shard.rows;
  out.rowOffsets.reserve(range.size() + 1);
  out.labels.reserve(range.size());
  std::vector<std::uint32_t> ranks;
  std::vector<std::pair<std::int32_t, double>> entries;
  for (std::uint64_t i = 0; i < range.size(); ++i) {
    Rng rng = rowRng(plan, range.begin + i);
    const std::uint64_t nonZeros = std::min(
        kRcv1MinNonZeros + rng.below(kRcv1MaxNonZeros - kRcv1MinNonZeros + 1), maxNonZeros);
    ranks.clear();
    while (ranks.size() < nonZeros) {
      const auto drawn =
          std::upper_bound(cumulative.begin(), cumulative.end(), rng.uniform() * total) -
          cumulative.begin();
      // Rounding can put the draw at `total` itself.
      const auto r = static_cast<std::uint32_t>(std::min<std::uint64_t>(drawn, dim - 1));
      if (std::find(ranks.begin(), ranks.end(), r) == ranks.end()) ranks.push_back(r);
    }
    entries.clear();
    double squaredNorm = 0.0;
    for (const std::uint32_t r : ranks) {
      const double value = (1.0 + rng.uniform()) * std::log(2.0 + r);
      entries.emplace_back(static_cast<std::int32_t>(featureOf[r]), value);
      squaredNorm += value * value;
    }
    std::sort(entries.begin(), entries.end());
    const double scale = 1.0 / std::sqrt(squaredNorm);
    double margin = 0.0;
    for (const auto& [index, value] : entries) {
      out.indices.push_back(index);
      out.values.push_back(value * scale);
      margin += value * scale * model[index];
    }
    out.rowOffsets.push_back(static_cast<std::int64_t>(out.values.size()));
    addLabel(out, drawLabel(margin, rng), range.begin + i);
    const auto index = static_cast<std::uint64_t>(entries.back().first) + 1;
    if (index > out.maxIndex) {
      out.maxIndex = index;
      out.maxIndexLine = range.begin + i + 1;
    }
  }
}

constexpr std::array kGenerators{
    Generator{"epsilon", 0x6570734c4f4e0001ULL, 400000, 2000, 1.0, buildEpsilon},
    Generator{"rcv1", 0x7263763100000001ULL, 20242, 47236, 0.2, buildRcv1},
};

Plan resolve(const DataConfig& config, SyntheticSplit split) {
  const bool test = split == SyntheticSplit::kTest;
  Plan plan{nullptr, test ? "data.test" : "data.train", test ? config.test : config.train, 0, 0, 0};
  const std::string_view name =
      std::string_view(plan.source).substr(std::min(kSyntheticPrefix.size(), plan.source.size()));
  const auto* found = std::find_if(kGenerators.begin(), kGenerators.end(),
                                   [name](const Generator& g) { return g.name == name; });
  if (!isSyntheticSource(plan.source) || found == kGenerators.end()) {
    std::string known;
    for (const Generator& generator : kGenerators) {
      known +=
          (known.empty() ? "" : ", ") + std::string(kSyntheticPrefix) + std::string(generator.name);
    }
    throw ConfigError(plan.key + " = " + plan.source +
                      ": unknown synthetic data set; known: " + known);
  }
  plan.generator = found;
  const std::uint64_t trainRows = config.rows > 0 ? config.rows : found->rows;
  plan.rows = test ? trainRows / 10 : trainRows;
  plan.firstRow = test ? trainRows : 0;
  plan.dim = config.dim > 0 ? config.dim : found->dim;
  return plan;
}

}  // namespace

bool isSyntheticSource(std::string_view source) { return source.starts_with(kSyntheticPrefix); }

RowShard generateSynthetic(const DataConfig& config, SyntheticSplit split, int rank, int ranks) {
  const Plan plan = resolve(config, split);
  if (plan.rows < static_cast<std::uint64_t>(ranks)) {
    throw ConfigError(plan.key + " = " + plan.source + " has " + std::to_string(plan.rows) +
                      " rows, fewer than the " + std::to_string(ranks) +
                      " ranks that share it (raise data.rows)");
  }
  RowShard shard;
  shard.globalRows = plan.rows;
  shard.range = shardOf(plan.rows, rank, ranks);
  shard.normalized = true;  // every generator makes unit rows
  shard.dim = plan.dim;
  plan.generator->build(plan, buildModel(plan), shard);
  return shard;
}

Vector plantedModel(const DataConfig& config, SyntheticSplit split) {
  return buildModel(resolve(config, split));
}

}  // namespace memsgd
