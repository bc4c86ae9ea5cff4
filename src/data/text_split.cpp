#include "memsgd/data/text_split.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <vector>

#include "memsgd/data/data_source.hpp"

namespace memsgd {
namespace {

// Line starts remembered while a chunk is counted, at least this far apart (and at most 64 per
// chunk), so that a block starting in the chunk is entered close to its first row.
constexpr std::uint64_t kMinCheckpointSpacing = std::uint64_t{64} << 10;
constexpr std::uint64_t kCheckpointsPerChunk = 64;

// What a rank found in its chunk of a plain file. Lines and rows of the checkpoints count from
// the chunk's first line start, `begin` (the chunk's end when no line starts in it).
struct ChunkCount {
  std::uint64_t begin = 0;
  std::uint64_t rows = 0;
  std::uint64_t lines = 0;
  std::vector<TextPosition> checkpoints;  // ascending, the first at begin
};

// The lines that start in [begin, end) of the file (the last one may run past end).
ChunkCount countChunk(const std::string& path, std::uint64_t begin, std::uint64_t end,
                      RowLines rows) {
  const std::uint64_t spacing =
      std::max(kMinCheckpointSpacing, (end - begin) / kCheckpointsPerChunk);
  TextLines lines(path);
  lines.skipToLineStart(begin);
  ChunkCount count{lines.offset(), 0, 0, {}};
  while (lines.offset() < end) {
    if (count.checkpoints.empty() || lines.offset() >= count.checkpoints.back().offset + spacing) {
      count.checkpoints.push_back({lines.offset(), count.lines, count.rows});
    }
    const std::uint64_t offset = lines.offset();
    const auto line = lines.next();
    if (!line) break;
    ++count.lines;
    if (rows.contains(offset, *line)) ++count.rows;
  }
  return count;
}

// Where ranks' blocks start inside one chunk: its owner tells, for up to kSlots of them.
constexpr std::size_t kSlots = 2;
constexpr std::size_t kSlotWords = 4;  // rank + 1 (0: unused), offset, line, row

}  // namespace

std::uint64_t countTextRows(const std::string& path, RowLines rows) {
  TextLines lines(path);
  std::uint64_t count = 0;
  while (true) {
    const std::uint64_t offset = lines.offset();
    const auto line = lines.next();
    if (!line) return count;
    if (rows.contains(offset, *line)) ++count;
  }
}

TextBlock locateTextBlock(const std::string& path, RowLines rows, const Communicator& comm) {
  bool compressed = false;
  comm.agreeOn([&] { compressed = TextLines(path).compressed(); });
  TextBlock block;
  if (compressed) {
    comm.agreeOn([&] { block.globalRows = countTextRows(path, rows); });
    block.range = rankBlock(path, block.globalRows, comm);
    return block;
  }
  const int ranks = comm.size();
  const auto count = static_cast<std::size_t>(ranks);
  ChunkCount mine;
  comm.agreeOn([&] {
    const std::uint64_t size = std::filesystem::file_size(path);
    const auto rank = static_cast<std::uint64_t>(comm.rank());
    mine = countChunk(path, rank * size / count, (rank + 1) * size / count, rows);
  });
  const std::array<std::uint64_t, 3> words{mine.begin, mine.rows, mine.lines};
  std::vector<std::uint64_t> chunks(words.size() * count);
  comm.allgather(words, chunks, "the gather of the text file's row counts");
  // Each chunk's first line and row in the whole file.
  std::vector<TextPosition> chunkStarts(count);
  for (std::size_t r = 0; r + 1 < count; ++r) {
    chunkStarts[r + 1] = {chunks[3 * (r + 1)], chunkStarts[r].line + chunks[3 * r + 2],
                          chunkStarts[r].row + chunks[3 * r + 1]};
  }
  block.globalRows = chunkStarts.back().row + chunks[3 * (count - 1) + 1];
  block.range = rankBlock(path, block.globalRows, comm);

  // The owner of the chunk holding a block's first row: the last chunk with rows that starts at
  // or before it.
  const auto ownerOf = [&](std::uint64_t row) {
    std::size_t owner = 0;
    for (std::size_t r = 0; r < count; ++r) {
      if (chunks[3 * r + 1] > 0 && chunkStarts[r].row <= row) owner = r;
    }
    return owner;
  };
  // This rank names the nearest checkpoint before each block that starts in its chunk.
  std::vector<std::uint64_t> slots(kSlots * kSlotWords, 0);
  std::size_t used = 0;
  const auto me = static_cast<std::size_t>(comm.rank());
  for (int r = 0; r < ranks && used < kSlots; ++r) {
    const std::uint64_t first = shardOf(block.globalRows, r, ranks).begin;
    if (mine.rows == 0 || ownerOf(first) != me) continue;
    const std::uint64_t local = first - chunkStarts[me].row;
    const auto after = std::ranges::upper_bound(mine.checkpoints, local, {}, &TextPosition::row);
    const TextPosition& near = *(after - 1);  // the first checkpoint has row 0
    const std::array<std::uint64_t, kSlotWords> slot{static_cast<std::uint64_t>(r) + 1, near.offset,
                                                     chunkStarts[me].line + near.line,
                                                     chunkStarts[me].row + near.row};
    std::ranges::copy(slot, slots.begin() + static_cast<std::ptrdiff_t>(used * kSlotWords));
    ++used;
  }
  std::vector<std::uint64_t> named(slots.size() * count);
  comm.allgather(slots, named, "the gather of the text blocks' starts");
  const std::size_t owner = ownerOf(block.range.begin);
  block.start = chunkStarts[owner];  // unless the owner named a nearer line
  for (std::size_t i = owner * kSlots * kSlotWords; i < (owner + 1) * kSlots * kSlotWords;
       i += kSlotWords) {
    if (named[i] == me + 1) block.start = {named[i + 1], named[i + 2], named[i + 3]};
  }
  return block;
}

}  // namespace memsgd
