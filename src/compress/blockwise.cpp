#include "memsgd/compress/blockwise.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

namespace memsgd {

std::vector<std::uint64_t> blockQuotas(std::uint64_t k, std::span<const std::uint64_t> blocks) {
  const std::uint64_t p = std::accumulate(blocks.begin(), blocks.end(), std::uint64_t{0});
  if (std::ranges::find(blocks, std::uint64_t{0}) != blocks.end() || k < blocks.size() || k > p ||
      p == 0) {
    throw std::invalid_argument("blockQuotas: k = " + std::to_string(k) + " for " +
                                std::to_string(blocks.size()) + " blocks of " + std::to_string(p));
  }
  __extension__ using Wide = unsigned __int128;  // k p_b may exceed 64 bits
  std::vector<std::uint64_t> quotas(blocks.size());
  std::vector<std::uint64_t> remainders(blocks.size());
  std::uint64_t given = 0;
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    const Wide share = static_cast<Wide>(k) * blocks[b];
    quotas[b] = static_cast<std::uint64_t>(share / p);
    remainders[b] = static_cast<std::uint64_t>(share % p);
    given += quotas[b];
  }
  std::vector<std::size_t> order(blocks.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::ranges::stable_sort(
      order, [&](std::size_t a, std::size_t b) { return remainders[a] > remainders[b]; });
  for (std::size_t i = 0; given < k; ++i, ++given) {
    ++quotas[order[i]];
  }
  for (std::uint64_t& quota : quotas) {
    if (quota == 0) {
      // k >= blocks: while a block has 0, another has at least 2.
      ++quota;
      --*std::ranges::max_element(quotas);
    }
  }
  return quotas;
}

template <typename Scalar>
Blockwise<Scalar>::Blockwise(std::vector<std::unique_ptr<Compressor<Scalar>>> parts,
                             std::span<const std::uint64_t> blocks)
    : parts_(std::move(parts)), offsets_{0}, fixedPairs_(0) {
  if (parts_.empty() || parts_.size() != blocks.size()) {
    throw std::invalid_argument("Blockwise: one compressor per block");
  }
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    offsets_.push_back(offsets_.back() + static_cast<Eigen::Index>(blocks[b]));
    const std::optional<std::size_t> pairs = parts_[b]->fixedPairs();
    fixedPairs_ = pairs && fixedPairs_ ? std::optional(*fixedPairs_ + *pairs) : std::nullopt;
  }
}

template <typename Scalar>
void Blockwise<Scalar>::handOver(std::size_t from, std::size_t to) {
  if (Rng* rng = parts_[to]->randomSource()) rng->setState(parts_[from]->randomSource()->state());
}

template <typename Scalar>
void Blockwise<Scalar>::append(std::size_t b, SparseMessage& out) {
  const auto offset = static_cast<std::uint32_t>(offsets_[b]);
  for (std::size_t i = 0; i < piece_.size(); ++i) {
    out.indices.push_back(piece_.indices[i] + offset);
    out.values.push_back(piece_.values[i]);
  }
}

template <typename Scalar>
void Blockwise<Scalar>::compress(const ConstVectorRefOf<Scalar>& v, SparseMessage& out) {
  out.resize(0, static_cast<std::uint64_t>(v.size()));
  out.scale = 0.0;
  for (std::size_t b = 0; b < parts_.size(); ++b) {
    if (b > 0) handOver(b - 1, b);
    parts_[b]->compress(v.segment(offsets_[b], offsets_[b + 1] - offsets_[b]), piece_);
    append(b, out);
  }
  handOver(parts_.size() - 1, 0);
}

template <typename Scalar>
void Blockwise<Scalar>::addScaledAndCompress(VectorRefOf<Scalar> v,
                                             const ConstVectorRefOf<Scalar>& x, double scale,
                                             SparseMessage& out) {
  out.resize(0, static_cast<std::uint64_t>(v.size()));
  out.scale = 0.0;
  for (std::size_t b = 0; b < parts_.size(); ++b) {
    const Eigen::Index size = offsets_[b + 1] - offsets_[b];
    if (b > 0) handOver(b - 1, b);
    parts_[b]->addScaledAndCompress(v.segment(offsets_[b], size), x.segment(offsets_[b], size),
                                    scale, piece_);
    append(b, out);
  }
  handOver(parts_.size() - 1, 0);
}

template class Blockwise<float>;
template class Blockwise<double>;

}  // namespace memsgd
