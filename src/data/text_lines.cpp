#include "memsgd/data/text_lines.hpp"

#include <algorithm>
#include <istream>
#include <limits>

#include "memsgd/core/error.hpp"

namespace memsgd {

TextLines::TextLines(const std::string& path, TextPosition start)
    : path_(path), input_(path), lineNumber_(start.line), offset_(start.offset) {
  input_.skip(start.offset);
}

std::optional<std::string_view> TextLines::next() {
  static constexpr std::string_view kByteOrderMark = "\xef\xbb\xbf";
  const bool fileStart = offset_ == 0;
  try {
    if (!std::getline(input_.stream(), buffer_)) return std::nullopt;
  } catch (...) {
    const std::string where = numbered_ ? " after line " + std::to_string(lineNumber_)
                                        : " at byte " + std::to_string(offset_);
    throw DataError(path_, "cannot read: " + describeReadFailure() + where);
  }
  ++lineNumber_;
  offset_ += buffer_.size() + (input_.stream().eof() ? 0 : 1);  // the last line may lack its '\n'
  std::string_view line(buffer_);
  if (fileStart && line.starts_with(kByteOrderMark)) line.remove_prefix(3);
  return line;
}

void TextLines::skipToLineStart(std::uint64_t offset) {
  if (offset <= offset_) return;
  // The line holding byte offset - 1 ends at or after `offset`: drop it, unless it ended just
  // before `offset` (then `offset` starts a line).
  numbered_ = false;
  input_.skip(offset - 1 - offset_);
  offset_ = offset - 1;
  try {
    input_.stream().ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  } catch (...) {
    throw DataError(path_, "cannot read: " + describeReadFailure());
  }
  offset_ += static_cast<std::uint64_t>(input_.stream().gcount());
}

bool isBlank(std::string_view line) { return std::all_of(line.begin(), line.end(), isSpace); }

}  // namespace memsgd
