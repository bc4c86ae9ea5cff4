#include "memsgd/data/libsvm_reader.hpp"

#include <algorithm>
#include <boost/iostreams/filter/bzip2.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string_view>
#include <system_error>

#include "memsgd/error.hpp"

namespace memsgd {
namespace {

// Feature indices are stored as int32 (0-based), so 1-based indices up to 2^31 - 1 fit.
constexpr std::uint64_t kMaxIndex = std::numeric_limits<std::int32_t>::max();
// Boost.Iostreams buffers default to 128 B (filters) and 4 KiB (devices): too small for throughput.
constexpr std::streamsize kBufferSize = 1 << 16;

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

bool isBlank(std::string_view line) { return std::all_of(line.begin(), line.end(), isSpace); }

std::string quoted(std::string_view text) {
  std::string out(1, '\'');
  out.append(text).push_back('\'');
  return out;
}

// Boost's what() says only "bzip2 error"; the libbzip2 code says what is wrong with the file.
std::string describe(const boost::iostreams::bzip2_error& e) {
  namespace bz = boost::iostreams::bzip2;
  if (e.error() == bz::unexpected_eof) return "truncated bzip2 stream";
  if (e.error() == bz::data_error) return "corrupted bzip2 data";
  if (e.error() == bz::data_error_magic) return "not a bzip2 file";
  return "libbzip2 error " + std::to_string(e.error());
}

// Physical lines of a plain or bzip2-compressed file, numbered from 1. The returned view points
// into one reused buffer and stays valid until the next call.
class LineReader {
 public:
  explicit LineReader(const std::string& path) : path_(path) {
    // An ifstream on a directory opens fine on Linux and only fails on the first read.
    std::error_code ignored;
    if (std::filesystem::is_directory(path, ignored)) {
      throw DataError(path, "cannot open: is a directory");
    }
    file_.open(path, std::ios::binary);
    if (!file_) throw DataError(path, std::string("cannot open: ") + std::strerror(errno));
    if (path.ends_with(".bz2")) {
      decompressed_.push(boost::iostreams::bzip2_decompressor(), kBufferSize);
      decompressed_.push(file_, kBufferSize);
      in_ = &decompressed_;
    }
    // Read errors (a corrupted or truncated bzip2 stream, EIO) then surface as exceptions
    // instead of looking like the end of the file.
    in_->exceptions(std::ios::badbit);
  }

  std::optional<std::string_view> next() {
    try {
      if (!std::getline(*in_, buffer_)) return std::nullopt;
    } catch (const boost::iostreams::bzip2_error& e) {
      throw DataError(path_,
                      "cannot read: " + describe(e) + " after line " + std::to_string(lineNumber_));
    } catch (const std::exception& e) {
      throw DataError(path_,
                      "cannot read after line " + std::to_string(lineNumber_) + ": " + e.what());
    }
    ++lineNumber_;
    return std::string_view(buffer_);
  }

  [[nodiscard]] std::uint64_t lineNumber() const { return lineNumber_; }

 private:
  const std::string& path_;
  std::ifstream file_;
  boost::iostreams::filtering_istream decompressed_;
  std::istream* in_ = &file_;
  std::string buffer_;
  std::uint64_t lineNumber_ = 0;
};

// Whitespace-separated tokens of one line, without copying.
class Tokens {
 public:
  explicit Tokens(std::string_view line) : rest_(line) {}

  // The next token, or an empty view at the end of the line.
  std::string_view next() {
    std::size_t begin = 0;
    while (begin < rest_.size() && isSpace(rest_[begin])) ++begin;
    std::size_t end = begin;
    while (end < rest_.size() && !isSpace(rest_[end])) ++end;
    const std::string_view token = rest_.substr(begin, end - begin);
    rest_.remove_prefix(end);
    return token;
  }

 private:
  std::string_view rest_;
};

enum class Parsed { kOk, kInvalid, kOutOfRange };

// The whole of `text` as one number: "1.5x" or "" are invalid, not a partial parse.
template <class T>
Parsed parseNumber(std::string_view text, T& out) {
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, out);
  if (error == std::errc::result_out_of_range && stop == end) return Parsed::kOutOfRange;
  return error == std::errc() && stop == end && !text.empty() ? Parsed::kOk : Parsed::kInvalid;
}

// std::from_chars rejects the leading '+' that LIBSVM labels carry (and strtod accepts).
Parsed parseReal(std::string_view text, double& out) {
  if (text.size() > 1 && text[0] == '+' && text[1] != '+' && text[1] != '-') text.remove_prefix(1);
  return parseNumber(text, out);
}

// Parses one non-blank line and appends it to `rows`.
class RowParser {
 public:
  RowParser(const std::string& path, std::uint64_t maxDim, LibsvmRows& rows)
      : path_(path), maxDim_(maxDim), rows_(rows) {}

  void parse(std::string_view line, std::uint64_t lineNumber) {
    lineNumber_ = lineNumber;
    Tokens tokens(line);
    rows_.labels.push_back(parseLabel(tokens.next()));
    std::uint64_t previous = 0;
    for (std::string_view feature = tokens.next(); !feature.empty(); feature = tokens.next()) {
      previous = parseFeature(feature, previous);
    }
    rows_.rowOffsets.push_back(static_cast<std::int64_t>(rows_.indices.size()));
  }

 private:
  [[nodiscard]] double parseLabel(std::string_view token) const {
    double label = 0.0;
    if (parseReal(token, label) != Parsed::kOk) fail("bad label " + quoted(token));
    if (label == 1.0) return 1.0;
    // Files with 0/1 classes use 0 for the negative class.
    if (label == -1.0 || label == 0.0) return -1.0;
    fail("label " + quoted(token) + " must be -1/+1 or 0/1");
  }

  // Appends `feature` ("idx:val") and returns its 1-based index.
  std::uint64_t parseFeature(std::string_view feature, std::uint64_t previous) {
    const std::size_t colon = feature.find(':');
    if (colon == std::string_view::npos) fail("missing ':' in feature " + quoted(feature));
    const std::string_view indexText = feature.substr(0, colon);
    const std::string_view valueText = feature.substr(colon + 1);

    std::uint64_t index = 0;
    const Parsed indexParsed = parseNumber(indexText, index);
    if (indexParsed == Parsed::kInvalid) {
      fail("bad index " + quoted(indexText) + " in feature " + quoted(feature) +
           " (expected a positive integer)");
    }
    if (indexParsed == Parsed::kOutOfRange || index > kMaxIndex) {
      fail("index " + quoted(indexText) + " in feature " + quoted(feature) +
           " does not fit the 32-bit index (max " + std::to_string(kMaxIndex) + ")");
    }
    if (index == 0) fail("index 0 in feature " + quoted(feature) + " (indices are 1-based)");
    if (index <= previous) {
      fail("index " + std::to_string(index) + " in feature " + quoted(feature) +
           " is not strictly increasing (previous index " + std::to_string(previous) + ")");
    }
    if (maxDim_ > 0 && index > maxDim_) {
      fail("index " + std::to_string(index) + " in feature " + quoted(feature) +
           " exceeds the dimension " + std::to_string(maxDim_));
    }

    double value = 0.0;
    const Parsed valueParsed = parseReal(valueText, value);
    if (valueParsed == Parsed::kInvalid) {
      fail("bad value " + quoted(valueText) + " in feature " + quoted(feature));
    }
    if (valueParsed == Parsed::kOutOfRange || !std::isfinite(value)) {
      fail("value " + quoted(valueText) + " in feature " + quoted(feature) +
           " is NaN, infinite or out of the double range");
    }

    rows_.maxIndex = std::max(rows_.maxIndex, index);
    if (value != 0.0) {
      rows_.indices.push_back(static_cast<std::int32_t>(index - 1));
      rows_.values.push_back(value);
    }
    return index;
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw DataError(path_, lineNumber_, what);
  }

  const std::string& path_;
  std::uint64_t maxDim_;
  LibsvmRows& rows_;
  std::uint64_t lineNumber_ = 0;
};

}  // namespace

std::uint64_t countLibsvmRows(const std::string& path) {
  LineReader lines(path);
  std::uint64_t rows = 0;
  while (const auto line = lines.next()) {
    if (!isBlank(*line)) ++rows;
  }
  return rows;
}

LibsvmRows readLibsvmRows(const std::string& path, RowRange range, std::uint64_t maxDim) {
  LibsvmRows rows;
  RowParser parser(path, maxDim, rows);
  LineReader lines(path);
  std::uint64_t row = 0;
  while (row < range.end) {
    const auto line = lines.next();
    if (!line) break;
    if (isBlank(*line)) continue;
    if (range.contains(row)) parser.parse(*line, lines.lineNumber());
    ++row;
  }
  return rows;
}

}  // namespace memsgd
