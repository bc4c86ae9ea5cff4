#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "memsgd/data/row_partition.hpp"
#include "memsgd/data/text_lines.hpp"
#include "memsgd/mpi/communicator.hpp"

namespace memsgd {

// Whether a line of a text format is a data row (not blank, a comment or a header).
using RowTest = bool (*)(std::string_view line);

// The data rows of a whole text file, read from its start.
std::uint64_t countTextRows(const std::string& path, RowTest isRow);

// This rank's block of a text file's rows, and where reading it starts.
struct TextBlock {
  std::uint64_t globalRows = 0;
  RowRange range;      // shardOf(globalRows, rank, P)
  TextPosition start;  // a line start at or before range.begin's row, with its line and row
};

// Collective. A plain file is split at byte offsets: rank r counts the rows of the lines that
// start in bytes [r S/P, (r+1) S/P) of the S, the counts are gathered, and the block then starts
// at the line start of the chunk holding its first row, so no rank reads the whole file (each
// reads its chunk and its rows). A compressed file cannot be entered at an offset: every rank
// counts all of it, and starts from its beginning. Failures are agreed on by all ranks, as is a
// file with fewer rows than ranks (rankBlock).
TextBlock locateTextBlock(const std::string& path, RowTest isRow, const Communicator& comm);

}  // namespace memsgd
