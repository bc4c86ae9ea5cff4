#pragma once

#include <cstdint>

#include "memsgd/data/row_block.hpp"

namespace memsgd {

// The rows of a text file read once from start to end, block by block, in bounded memory: what a
// converter streams (a reader of row ranges re-reads a compressed file from its start for every
// range, which is quadratic in the blocks).
class RowStream {
 public:
  RowStream() = default;
  virtual ~RowStream() = default;
  RowStream(const RowStream&) = delete;
  RowStream& operator=(const RowStream&) = delete;
  RowStream(RowStream&&) = delete;
  RowStream& operator=(RowStream&&) = delete;

  // The next `rows` data rows, fewer at the end of the file, none after it.
  virtual RowBlock next(std::uint64_t rows) = 0;
};

}  // namespace memsgd
