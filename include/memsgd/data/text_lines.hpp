#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "memsgd/data/compressed_input.hpp"

namespace memsgd {

// Where reading a text file starts: at a line start `offset` bytes into the (decompressed) file,
// whose line is numbered line + 1 and whose first data row is numbered row (both from 0 before
// it). The start of the file is {0, 0, 0}.
struct TextPosition {
  std::uint64_t offset = 0;
  std::uint64_t line = 0;
  std::uint64_t row = 0;
};

// The lines of a text data file (plain, gzip or bzip2), numbered from 1, the first without a UTF-8
// byte-order mark. A returned view points into one reused buffer and stays valid until the next
// call. A read failure is a DataError naming the file and the last line read.
class TextLines {
 public:
  // From `start` on: a seek in a plain file, decompressing up to it in an archive.
  explicit TextLines(const std::string& path, TextPosition start = {});

  // The next line without its '\n' (a '\r' before it stays: blanks to a row parser), or nullopt at
  // the end of the file.
  std::optional<std::string_view> next();
  [[nodiscard]] std::uint64_t lineNumber() const { return lineNumber_; }
  // Bytes of the (decompressed) file before the next line.
  [[nodiscard]] std::uint64_t offset() const { return offset_; }
  [[nodiscard]] bool compressed() const { return input_.compressed(); }
  // Moves to the first line start at or after byte `offset` (>= the current offset). The lines
  // skipped are not counted: lineNumber() goes on from where it was.
  void skipToLineStart(std::uint64_t offset);

 private:
  const std::string& path_;
  CompressedInput input_;
  std::string buffer_;
  std::uint64_t lineNumber_ = 0;
  std::uint64_t offset_ = 0;
  bool numbered_ = true;  // false once lines were skipped uncounted: failures then give the byte
};

// Space, tab and the other blanks a text row may end or be padded with ('\r' of CRLF included).
inline bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// A line of blanks only (or none): not a row.
bool isBlank(std::string_view line);

}  // namespace memsgd
