#pragma once

#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
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

// The powers of ten that a double holds exactly.
inline constexpr std::array<double, 23> kExactPowersOfTen{
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// Appends the decimal digits from p on to `value` (wrapping past 2^64: callers bound the count)
// and returns where they end; eight at a time while eight bytes are digits.
inline const char* appendDigits(const char* p, const char* end, std::uint64_t& value) {
  constexpr std::uint64_t kZeros = 0x3030303030303030;
  constexpr std::uint64_t kHighNibbles = 0xf0f0f0f0f0f0f0f0;
  constexpr std::uint64_t kSixes = 0x0606060606060606;
  constexpr std::uint64_t kEightDigits = 100000000;
  static_assert(std::endian::native == std::endian::little, "the lanes below are little-endian");
  while (end - p >= 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, p, sizeof word);  // the first digit in the lowest byte
    // Every byte in '0'..'9': its high nibble is 3, and still 3 after adding 6.
    if ((word & kHighNibbles) != kZeros || ((word + kSixes) & kHighNibbles) != kZeros) break;
    word -= kZeros;
    word = (word * 10 + (word >> 8)) & 0x00ff00ff00ff00ff;    // 16-bit lanes of two digits
    word = (word * 100 + (word >> 16)) & 0x0000ffff0000ffff;  // 32-bit lanes of four
    value = value * kEightDigits + (word & 0xffffffff) * 10000 + (word >> 32);
    p += 8;
  }
  for (; p != end && static_cast<unsigned>(*p - '0') < 10; ++p) {
    value = 10 * value + static_cast<unsigned>(*p - '0');
  }
  return p;
}

// The number at p of the plain form [+-]digits[.digits][(e|E)[+-]digits] whose digits, read as an
// integer m, are at most 2^53 and whose power of ten k is at most 22 in magnitude: then m and
// 10^|k| are exact doubles and the one correctly rounded multiplication or division gives the
// double nearest the decimal, the value std::from_chars and strtod give (Clinger's fast path).
// Returns where the number ends, or nullptr (out untouched) for any other text: the caller then
// asks std::from_chars, which also reads the rest (subnormals, long mantissas, "1.", inf, ...).
inline const char* readPlainDecimal(const char* p, const char* end, double& out) {
  constexpr int kMaxDigits = 19;  // 10^19 - 1 fits in 64 bits
  constexpr int kMaxExponentDigits = 4;
  constexpr std::uint64_t kMaxExact = std::uint64_t{1} << 53;
  const auto digit = [](char c) { return static_cast<unsigned>(c - '0'); };
  bool negative = false;
  if (p != end && (*p == '-' || *p == '+')) negative = *p++ == '-';
  std::uint64_t mantissa = 0;
  const char* const first = p;
  p = appendDigits(p, end, mantissa);
  auto digits = p - first;
  if (digits == 0 || digits > kMaxDigits) return nullptr;
  long exponent = 0;
  if (p != end && *p == '.') {
    const char* const fraction = ++p;
    p = appendDigits(p, end, mantissa);
    exponent = fraction - p;
    digits -= exponent;
    if (exponent == 0 || digits > kMaxDigits) return nullptr;
  }
  if (p != end && (*p == 'e' || *p == 'E')) {
    ++p;
    bool below = false;
    if (p != end && (*p == '-' || *p == '+')) below = *p++ == '-';
    long power = 0;
    const char* const powerStart = p;
    for (; p != end && digit(*p) < 10 && p - powerStart < kMaxExponentDigits; ++p) {
      power = 10 * power + digit(*p);
    }
    if (p == powerStart) return nullptr;
    exponent += below ? -power : power;
  }
  if ((p != end && digit(*p) < 10) || mantissa > kMaxExact || exponent < -22 || exponent > 22) {
    return nullptr;
  }
  const auto value = static_cast<double>(mantissa);
  const double scaled = exponent < 0
                            ? value / kExactPowersOfTen[static_cast<std::size_t>(-exponent)]
                            : value * kExactPowersOfTen[static_cast<std::size_t>(exponent)];
  out = negative ? -scaled : scaled;
  return p;
}

// A real number, with the leading '+' that std::from_chars rejects (and LIBSVM labels and
// strtod-written files carry) allowed; the plain form through readPlainDecimal.
Parsed parseReal(std::string_view text, double& out);

// A field quoted for an error message: bytes that are not printable ASCII (control bytes, the bytes
// of UTF-8 or of a binary file) become \xNN, and a long field is cut, so that the message stays
// one readable line whatever the file holds.
std::string quoted(std::string_view text);

}  // namespace memsgd
