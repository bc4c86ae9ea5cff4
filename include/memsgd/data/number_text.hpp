#pragma once

#include <charconv>
#include <string>
#include <string_view>
#include <system_error>

namespace memsgd {

// How a field of a text data file parsed as a number.
enum class Parsed { kOk, kInvalid, kOutOfRange };

// The whole of `text` as one number: "1.5x" or "" are invalid, not a partial parse.
template <class T>
Parsed parseNumber(std::string_view text, T& out) {
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, out);
  if (error == std::errc::result_out_of_range && stop == end) return Parsed::kOutOfRange;
  return error == std::errc() && stop == end && !text.empty() ? Parsed::kOk : Parsed::kInvalid;
}

// A real number, with the leading '+' that std::from_chars rejects (and LIBSVM labels and
// strtod-written files carry) allowed.
Parsed parseReal(std::string_view text, double& out);

// A field quoted for an error message: bytes that are not printable ASCII (control bytes, the bytes
// of UTF-8 or of a binary file) become \xNN, and a long field is cut, so that the message stays
// one readable line whatever the file holds.
std::string quoted(std::string_view text);

}  // namespace memsgd
