#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <numeric>
#include <vector>

#include "memsgd/compress/sparse_message.hpp"
#include "memsgd/data/dataset.hpp"
#include "memsgd/util/random.hpp"

namespace memsgd::test {

// ||v - c||^2 with c scattered into a dense copy of v.
inline double residualSquaredNorm(const Vector& v, const SparseMessage& c) {
  Vector residual = v;
  for (std::size_t i = 0; i < c.size(); ++i) {
    residual[c.indices[i]] -= c.values[i];
  }
  return residual.squaredNorm();
}

// The k-contraction bound (1 - k/d) ||v||^2, with slack for rounding in the two norms.
inline double contractionBound(const Vector& v, std::size_t k) {
  const double bound =
      (1.0 - static_cast<double>(k) / static_cast<double>(v.size())) * v.squaredNorm();
  return bound * (1.0 + 1e-12) + 1e-300;
}

// Reference top-k: sort all indices by (|v| descending, index ascending), keep k, sort by index.
inline std::vector<std::uint32_t> topKBySort(const Vector& v, std::size_t k) {
  std::vector<std::uint32_t> order(static_cast<std::size_t>(v.size()));
  std::iota(order.begin(), order.end(), 0U);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return std::abs(v[a]) > std::abs(v[b]);
  });
  order.resize(k);
  std::sort(order.begin(), order.end());
  return order;
}

// Standard normal entries by Box-Muller, reproducible from `rng`.
inline Vector gaussianVector(Eigen::Index d, Rng& rng) {
  Vector v(d);
  for (Eigen::Index j = 0; j < d; ++j) {
    const double radius = std::sqrt(-2.0 * std::log1p(-rng.uniform()));  // log of (0, 1]
    v[j] = radius * std::cos(2.0 * std::numbers::pi * rng.uniform());
  }
  return v;
}

// Integers in [-3, 3]: most magnitudes tie, which exercises tie-breaking and the boundary of
// a threshold.
inline Vector tiedVector(Eigen::Index d, Rng& rng) {
  Vector v(d);
  for (Eigen::Index j = 0; j < d; ++j) {
    v[j] = static_cast<double>(static_cast<int>(rng.below(7)) - 3);
  }
  return v;
}

// Random, tied and adversarial inputs for contraction checks: one huge entry among tiny ones,
// all magnitudes equal, all zero.
inline std::vector<Vector> contractionVectors(Eigen::Index d, Rng& rng) {
  Vector spike = Vector::Constant(d, 1e-3);
  spike[d / 2] = -1e6;
  Vector equal = Vector::Ones(d);
  for (Eigen::Index j = 1; j < d; j += 2) {
    equal[j] = -1.0;
  }
  return {gaussianVector(d, rng), tiedVector(d, rng), spike, equal, Vector::Zero(d)};
}

}  // namespace memsgd::test
