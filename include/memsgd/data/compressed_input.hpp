#pragma once

#include <fstream>
#include <istream>
#include <memory>
#include <string>

namespace memsgd {

// A data file opened for reading through gzip or bzip2 decompression when its first bytes say so,
// whatever its name (a renamed or unnamed archive is still an archive). Read errors (a corrupted or
// truncated stream, EIO) surface as exceptions, not as the end of the file: catch them and ask
// describeReadFailure() what they mean.
class CompressedInput {
 public:
  // Throws DataError naming `path` when it cannot be opened (missing, a directory, no permission).
  explicit CompressedInput(const std::string& path);
  ~CompressedInput();
  CompressedInput(const CompressedInput&) = delete;
  CompressedInput& operator=(const CompressedInput&) = delete;
  CompressedInput(CompressedInput&&) = delete;
  CompressedInput& operator=(CompressedInput&&) = delete;

  // The decompressed bytes.
  [[nodiscard]] std::istream& stream() { return *in_; }
  // Whether the file is gzip or bzip2, which skip() can only decompress through, not seek in.
  [[nodiscard]] bool compressed() const { return decompressor_ != nullptr; }
  // Moves `bytes` ahead: a seek in a plain file, decompressing and dropping them in an archive.
  // Skipping past the end is not an error here; the next read finds nothing.
  void skip(std::uint64_t bytes);

 private:
  struct Decompressor;  // Boost.Iostreams stays out of this header

  std::ifstream file_;
  std::unique_ptr<Decompressor> decompressor_;
  std::istream* in_ = &file_;
};

// Called inside a catch block for an exception thrown while reading a CompressedInput: the reason
// in words ("truncated gzip stream", "corrupted bzip2 data", or the exception's own message).
std::string describeReadFailure();

}  // namespace memsgd
