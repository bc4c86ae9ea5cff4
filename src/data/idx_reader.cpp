#include "memsgd/data/idx_reader.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "memsgd/core/error.hpp"
#include "memsgd/data/compressed_input.hpp"

namespace memsgd {
namespace {

constexpr std::uint8_t kUnsignedByte = 0x08;
constexpr double kPixelScale = 1.0 / 255.0;
// Feature indices are stored as int32 (0-based).
constexpr std::uint64_t kMaxWidth = 1ULL << 31;

std::string typeName(std::uint8_t type) {
  switch (type) {
    case 0x08:
      return "unsigned byte";
    case 0x09:
      return "signed byte";
    case 0x0B:
      return "16-bit integer";
    case 0x0C:
      return "32-bit integer";
    case 0x0D:
      return "float";
    case 0x0E:
      return "double";
    default:
      return "unknown type";
  }
}

// What the header says: the type code and the sizes, outermost (the item count) first.
struct IdxHeader {
  std::uint8_t type = 0;
  std::vector<std::uint64_t> sizes;
  [[nodiscard]] std::uint64_t items() const { return sizes.front(); }
  // Values per item: the product of the inner sizes (1 for a file of labels).
  [[nodiscard]] std::uint64_t width() const {
    std::uint64_t width = 1;
    for (std::size_t i = 1; i < sizes.size(); ++i) width *= sizes[i];
    return width;
  }
  [[nodiscard]] std::string shape() const {
    std::string text;
    for (const std::uint64_t size : sizes)
      text += (text.empty() ? "" : " x ") + std::to_string(size);
    return text;
  }
};

// An IDX file being read: its header, then its items in order.
class IdxInput {
 public:
  explicit IdxInput(const std::string& path) : path_(path), input_(path) {}

  // Throws DataError unless the file starts with an IDX header.
  IdxHeader readHeader() {
    std::array<unsigned char, 4> magic{};
    if (!read(magic.data(), magic.size())) {
      fail("is not an IDX file: it ends within its 4-byte magic number");
    }
    if (magic[0] != 0 || magic[1] != 0 || magic[3] == 0) {
      fail("is not an IDX file: its magic number " + hex(magic) +
           " is not 00 00 <type> <rank >= 1>");
    }
    IdxHeader header;
    header.type = magic[2];
    for (unsigned i = 0; i < magic[3]; ++i) {
      std::array<unsigned char, 4> size{};
      if (!read(size.data(), size.size())) {
        fail("ends within its header (size " + std::to_string(i + 1) + " of " +
             std::to_string(magic[3]) + ")");
      }
      header.sizes.push_back((std::uint64_t{size[0]} << 24) | (std::uint64_t{size[1]} << 16) |
                             (std::uint64_t{size[2]} << 8) | std::uint64_t{size[3]});
    }
    return header;
  }

  // Reads `count` bytes into `out`; false when the file ends first.
  bool read(unsigned char* out, std::uint64_t count) {
    try {
      input_.stream().read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(count));
      return static_cast<std::uint64_t>(input_.stream().gcount()) == count;
    } catch (...) {
      fail("cannot read: " + describeReadFailure());
    }
  }

  void skip(std::uint64_t bytes) { input_.skip(bytes); }

  // Whether any byte follows what has been read.
  bool atEnd() {
    try {
      return input_.stream().peek() == std::char_traits<char>::eof();
    } catch (...) {
      fail("cannot read: " + describeReadFailure());
    }
  }

  [[noreturn]] void fail(const std::string& what) const { throw DataError(path_, what); }

 private:
  static std::string hex(const std::array<unsigned char, 4>& bytes) {
    constexpr std::string_view kHex = "0123456789abcdef";
    std::string text;
    for (const unsigned char byte : bytes) {
      text += (text.empty() ? "" : " ");
      text.push_back(kHex[byte >> 4]);
      text.push_back(kHex[byte & 0xf]);
    }
    return text;
  }

  const std::string& path_;
  CompressedInput input_;
};

// Checks what memsgd reads: unsigned bytes, of rank >= 2 for images and 1 for labels.
void requireShape(const IdxInput& input, const IdxHeader& header, bool images) {
  if (header.type != kUnsignedByte) {
    input.fail("holds " + typeName(header.type) + " values (IDX type code " +
               std::to_string(header.type) + "); memsgd reads unsigned-byte IDX files (code 8)");
  }
  if (images && header.sizes.size() < 2) {
    input.fail("holds " + header.shape() +
               " values, not images: an images file has at least 2 sizes (count x width ...)");
  }
  if (!images && header.sizes.size() != 1) {
    input.fail("holds " + header.shape() + " values, not labels: a labels file has 1 size");
  }
  if (images && (header.width() == 0 || header.width() >= kMaxWidth)) {
    input.fail("has images of " + std::to_string(header.width()) +
               " values; memsgd reads 1 to 2^31 - 1 values per row");
  }
}

std::uint64_t checkedCount(IdxInput& images, IdxInput& labels, const IdxFiles& files,
                           IdxHeader& imageHeader) {
  imageHeader = images.readHeader();
  requireShape(images, imageHeader, true);
  const IdxHeader labelHeader = labels.readHeader();
  requireShape(labels, labelHeader, false);
  if (labelHeader.items() != imageHeader.items()) {
    labels.fail("holds " + std::to_string(labelHeader.items()) + " labels, but " + files.images +
                " holds " + std::to_string(imageHeader.items()) + " images");
  }
  return imageHeader.items();
}

[[noreturn]] void failBeyondLimit(const IdxInput& images, std::uint64_t width, DimLimit limit) {
  const std::string what = "has images of " + std::to_string(width) + " values";
  const std::string dim = std::to_string(limit.dim);
  if (limit.source == DimSource::kDataDim) images.fail(what + ", more than data.dim = " + dim);
  images.fail(what + ", more than the training set's " + dim +
              "; the test images must have the training images' size");
}

}  // namespace

std::uint64_t countIdxRows(const IdxFiles& files) {
  IdxInput images(files.images);
  IdxInput labels(files.labels);
  IdxHeader header;
  return checkedCount(images, labels, files, header);
}

RowBlock readIdxRows(const IdxFiles& files, RowRange range, DimLimit limit) {
  IdxInput images(files.images);
  IdxInput labels(files.labels);
  IdxHeader header;
  const std::uint64_t count = checkedCount(images, labels, files, header);
  const std::uint64_t width = header.width();
  if (limit.dim > 0 && width > limit.dim) failBeyondLimit(images, width, limit);
  const std::uint64_t begin = std::min(range.begin, count);
  const std::uint64_t end = std::min(range.end, count);

  RowBlock rows;
  images.skip(begin * width);
  labels.skip(begin);
  std::vector<unsigned char> pixels(width);
  for (std::uint64_t image = begin; image < end; ++image) {
    if (!images.read(pixels.data(), width)) {
      images.fail("ends within image " + std::to_string(image + 1) + " of the " +
                  std::to_string(count) + " (" + header.shape() + ") its header announces");
    }
    unsigned char label = 0;
    if (!labels.read(&label, 1)) {
      labels.fail("ends at label " + std::to_string(image + 1) + " of the " +
                  std::to_string(count) + " its header announces");
    }
    for (std::uint64_t i = 0; i < width; ++i) {
      if (pixels[i] != 0) {
        rows.indices.push_back(static_cast<std::int32_t>(i));
        rows.values.push_back(pixels[i] * kPixelScale);
      }
    }
    rows.rowOffsets.push_back(static_cast<std::int64_t>(rows.indices.size()));
    rows.labels.push_back(label);
    if (++rows.labelCounts[label] == 1) rows.labelLines.emplace(label, image + 1);
  }
  if (end > begin) {
    rows.maxIndex = width;
    rows.maxIndexLine = begin + 1;
  }
  // Only the last block can see trailing bytes; the loader's agreement stops every rank alike.
  if (end == count && range.end >= count) {
    if (!images.atEnd()) {
      images.fail("has bytes after its last image: the header's sizes (" + header.shape() +
                  ") do not describe the file");
    }
    if (!labels.atEnd()) labels.fail("has bytes after its last label");
  }
  return rows;
}

}  // namespace memsgd
