#include "memsgd/data/text_lines.hpp"

#include <algorithm>
#include <istream>

#include "memsgd/core/error.hpp"

namespace memsgd {

std::optional<std::string_view> TextLines::next() {
  static constexpr std::string_view kByteOrderMark = "\xef\xbb\xbf";
  try {
    if (!std::getline(input_.stream(), buffer_)) return std::nullopt;
  } catch (...) {
    throw DataError(path_, "cannot read: " + describeReadFailure() + " after line " +
                               std::to_string(lineNumber_));
  }
  ++lineNumber_;
  std::string_view line(buffer_);
  if (lineNumber_ == 1 && line.starts_with(kByteOrderMark)) line.remove_prefix(3);
  return line;
}

bool isBlank(std::string_view line) { return std::all_of(line.begin(), line.end(), isSpace); }

}  // namespace memsgd
