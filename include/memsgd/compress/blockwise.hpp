#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "memsgd/compress/compressor.hpp"

namespace memsgd {

// k shared over blocks of sizes `blocks` in proportion to their size: block b's exact share is
// k p_b / p (p the sum); each block gets the share's floor, the k - sum of floors left over go
// one each to the blocks with the largest remainders (ties to the lower block), and a block left
// at 0 gets 1 from the block with the most (ties to the lower block). Every block then has
// 1 <= k_b <= p_b and the k_b sum to k. Needs blocks.size() <= k <= p and blocks of size >= 1
// (std::invalid_argument otherwise).
std::vector<std::uint64_t> blockQuotas(std::uint64_t k, std::span<const std::uint64_t> blocks);

// compression.scope = layer: v is cut into consecutive blocks (a model's layers), each compressed
// by its own compressor, and the pieces form one message whose indices are those of v. The
// blocks' randomised compressors draw from one stream in turn (each starts where the previous
// one stopped), so that randomSource() is one generator that a checkpoint saves and restores.
template <typename Scalar>
class Blockwise final : public Compressor<Scalar> {
 public:
  // parts[b] compresses block b, of size blocks[b]; all of one method.
  Blockwise(std::vector<std::unique_ptr<Compressor<Scalar>>> parts,
            std::span<const std::uint64_t> blocks);
  void compress(const ConstVectorRefOf<Scalar>& v, SparseMessage& out) override;
  void addScaledAndCompress(VectorRefOf<Scalar> v, const ConstVectorRefOf<Scalar>& x, double scale,
                            SparseMessage& out) override;
  [[nodiscard]] std::string_view name() const override { return parts_.front()->name(); }
  // The sum of the blocks' fixed counts, when every block has one.
  [[nodiscard]] std::optional<std::size_t> fixedPairs() const override { return fixedPairs_; }
  [[nodiscard]] Rng* randomSource() override { return parts_.front()->randomSource(); }

 private:
  // Block `to`'s generator continues the stream where block `from`'s stopped (after the last
  // block, the stream returns to the first block's generator, the one randomSource() gives).
  void handOver(std::size_t from, std::size_t to);
  // Block b's pairs join `out` with indices shifted to v's.
  void append(std::size_t b, SparseMessage& out);

  std::vector<std::unique_ptr<Compressor<Scalar>>> parts_;
  std::vector<Eigen::Index> offsets_;  // where each block starts in v; one more for the end
  std::optional<std::size_t> fixedPairs_;
  SparseMessage piece_;  // one block's message, reused
};

}  // namespace memsgd
