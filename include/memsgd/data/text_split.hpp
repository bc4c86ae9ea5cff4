#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "memsgd/data/row_partition.hpp"
#include "memsgd/data/text_lines.hpp"
#include "memsgd/mpi/communicator.hpp"

namespace memsgd {

// Whether a line of a text format is a data row (not blank or a comment).
using RowTest = bool (*)(std::string_view line);

// Which lines of a text file are its data rows: those that start at or after byte `dataStart` (a
// header line before it is none; 0 for a format without one) and that `isRow` accepts. A plain
// function and an offset, so that counting calls no virtual function per line.
struct RowLines {
  RowTest isRow = nullptr;
  std::uint64_t dataStart = 0;
  // The line `line`, which starts `offset` bytes into the file.
  [[nodiscard]] bool contains(std::uint64_t offset, std::string_view line) const {
    return offset >= dataStart && isRow(line);
  }
};

// The data rows of a whole text file, read from its start.
std::uint64_t countTextRows(const std::string& path, RowLines rows);

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
TextBlock locateTextBlock(const std::string& path, RowLines rows, const Communicator& comm);

}  // namespace memsgd
