#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "memsgd/data/compressed_input.hpp"

namespace memsgd {

// The lines of a text data file (plain, gzip or bzip2), numbered from 1, the first without a UTF-8
// byte-order mark. A returned view points into one reused buffer and stays valid until the next
// call. A read failure is a DataError naming the file and the last line read.
class TextLines {
 public:
  explicit TextLines(const std::string& path) : path_(path), input_(path) {}

  // The next line without its '\n' (a '\r' before it stays: blanks to a row parser), or nullopt at
  // the end of the file.
  std::optional<std::string_view> next();
  [[nodiscard]] std::uint64_t lineNumber() const { return lineNumber_; }

 private:
  const std::string& path_;
  CompressedInput input_;
  std::string buffer_;
  std::uint64_t lineNumber_ = 0;
};

// Space, tab and the other blanks a text row may end or be padded with ('\r' of CRLF included).
inline bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// A line of blanks only (or none): not a row.
bool isBlank(std::string_view line);

}  // namespace memsgd
