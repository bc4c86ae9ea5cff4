#pragma once

#include <cstdint>
#include <string>

#include "memsgd/data/libsvm_reader.hpp"
#include "memsgd/data/row_partition.hpp"

namespace memsgd {

// One split in the IDX format of MNIST and Fashion-MNIST: a file of N images (N x d1 x d2 x ...,
// one row per image, d = d1 d2 ... values) and a file of their N labels. Both hold unsigned
// bytes, big-endian sizes, plain or gzip/bzip2-compressed (told by their first bytes).
struct IdxFiles {
  std::string images;
  std::string labels;
};

// N, from the two headers, after checking them: unsigned-byte data, images of rank >= 2, labels
// of rank 1, the same N. Throws DataError naming the file and what is wrong.
std::uint64_t countIdxRows(const IdxFiles& files);

// The images in `range` (image numbers from 0; a range past the last image yields those that
// exist) as compressed rows: each byte b becomes b / 255 (pixels in [0, 1]; zeros dropped), each
// label its integer value; the "line" of a label (labelLines) is its image's number from 1.
// maxIndex is d, found on the range's first image. A plain file is read
// from its block's offset; a compressed one is decompressed up to it. Throws DataError naming the
// file for a truncated file (the image or label where it ends), bytes after the last image, and
// images wider than `limit`.
RowBlock readIdxRows(const IdxFiles& files, RowRange range, DimLimit limit = {});

}  // namespace memsgd
