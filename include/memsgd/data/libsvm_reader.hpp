#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "memsgd/data/row_block.hpp"
#include "memsgd/data/row_partition.hpp"
#include "memsgd/data/row_stream.hpp"
#include "memsgd/data/text_lines.hpp"

namespace memsgd {

// Whether a line of a LIBSVM file is a data row: neither blank nor only a "#" comment.
bool isLibsvmRow(std::string_view line);

// Number of data rows of a LIBSVM file.
// gzip and bzip2 files, told by their first bytes whatever their name, are decompressed on the fly.
std::uint64_t countLibsvmRows(const std::string& path);

// Parses the data rows in `range` (row numbers as countLibsvmRows counts them), reading from
// `start` on (text_lines.hpp: a line start with the numbers of its line and row; the file's start
// by default, or where text_split.hpp's locateTextBlock says a rank's block is). Lines outside the
// range are skipped without parsing, and reading stops after range.end; a range that runs past the
// last row yields the rows that exist, so {0, UINT64_MAX} reads a whole file in one pass. A UTF-8
// byte-order mark, svmlight "# comment" tails and a "qid:N" token after the label are ignored.
// `limit` rejects indices above limit.dim > 0. Throws DataError with file:line for a malformed row
// (tokens quoted with non-printable bytes as \xNN), and DataError naming the file when it cannot be
// read.
RowBlock readLibsvmRows(const std::string& path, RowRange range, DimLimit limit = {},
                        TextPosition start = {});

// A LIBSVM file as a RowStream: rows, lines and errors as readLibsvmRows gives them.
class LibsvmRowStream final : public RowStream {
 public:
  explicit LibsvmRowStream(const std::string& path, DimLimit limit = {});
  ~LibsvmRowStream() override;

  RowBlock next(std::uint64_t rows) override;

 private:
  struct State;  // the line reader and parser stay in the .cpp
  std::unique_ptr<State> state_;
};

}  // namespace memsgd
