#include "memsgd/io/attribute_json.hpp"

#include <cmath>
#include <cstdio>
#include <variant>

namespace memsgd {
namespace {

void appendString(std::string& out, const std::string& text) {
  out += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  out += '"';
}

void appendValue(std::string& out, const AttributeValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    appendString(out, *text);
  } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    out += std::to_string(*integer);
  } else if (const double real = std::get<double>(value); std::isfinite(real)) {
    char digits[32];
    std::snprintf(digits, sizeof digits, "%.17g", real);
    out += digits;
  } else {
    out += "null";
  }
}

}  // namespace

std::string toJson(const std::vector<std::pair<std::string, AttributeValue>>& attributes) {
  std::string out = "{";
  for (const auto& [name, value] : attributes) {
    if (out.size() > 1) out += ", ";
    appendString(out, name);
    out += ": ";
    appendValue(out, value);
  }
  return out + "}";
}

}  // namespace memsgd
