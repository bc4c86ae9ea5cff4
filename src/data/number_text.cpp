#include "memsgd/data/number_text.hpp"

namespace memsgd {

Parsed parseReal(std::string_view text, double& out) {
  const char* const end = text.data() + text.size();
  if (readPlainDecimal(text.data(), end, out) == end) return Parsed::kOk;
  if (text.size() > 1 && text[0] == '+' && text[1] != '+' && text[1] != '-') text.remove_prefix(1);
  return parseNumber(text, out);
}

std::string quoted(std::string_view text) {
  constexpr std::size_t kMaxShown = 64;
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out(1, '\'');
  for (const char c : text.substr(0, kMaxShown)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      out.push_back(c);
    } else {
      out.append("\\x").push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    }
  }
  out.push_back('\'');
  if (text.size() > kMaxShown) out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

}  // namespace memsgd
