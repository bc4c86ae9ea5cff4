#include "memsgd/data/libsvm_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

#include "memsgd/core/error.hpp"
#include "memsgd/data/compressed_input.hpp"

namespace memsgd {
namespace {

// Feature indices are stored as int32 (0-based), so 1-based indices up to 2^31 - 1 fit.
constexpr std::uint64_t kMaxIndex = std::numeric_limits<std::int32_t>::max();

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

bool isBlank(std::string_view line) { return std::all_of(line.begin(), line.end(), isSpace); }

// Quotes a token for an error message: bytes that are not printable ASCII (control bytes, the
// bytes of UTF-8 or of a binary file) become \xNN, and a long token is cut, so that the message
// stays one readable line whatever the file holds.
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

// The data part of a line: up to an svmlight "#" comment.
std::string_view withoutComment(std::string_view line) { return line.substr(0, line.find('#')); }

// Lines of a plain, gzip- or bzip2-compressed file, numbered from 1, without a UTF-8 byte-order
// mark on the first line and without "#" comments. The returned view points into one reused
// buffer and stays valid until the next call.
class LineReader {
 public:
  explicit LineReader(const std::string& path) : path_(path), input_(path) {}

  std::optional<std::string_view> next() {
    try {
      if (!std::getline(input_.stream(), buffer_)) return std::nullopt;
    } catch (...) {
      throw DataError(path_, "cannot read: " + describeReadFailure() + " after line " +
                                 std::to_string(lineNumber_));
    }
    ++lineNumber_;
    std::string_view line(buffer_);
    if (lineNumber_ == 1 && line.starts_with(kByteOrderMark)) line.remove_prefix(3);
    return withoutComment(line);
  }

  [[nodiscard]] std::uint64_t lineNumber() const { return lineNumber_; }

 private:
  static constexpr std::string_view kByteOrderMark = "\xef\xbb\xbf";

  const std::string& path_;
  CompressedInput input_;
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
  RowParser(const std::string& path, DimLimit limit, RowBlock& rows)
      : path_(path), limit_(limit), rows_(rows) {}

  void parse(std::string_view line, std::uint64_t lineNumber) {
    lineNumber_ = lineNumber;
    Tokens tokens(line);
    const double label = parseLabel(tokens.next());
    rows_.labels.push_back(label);
    if (++rows_.labelCounts[label] == 1) rows_.labelLines.emplace(label, lineNumber);
    std::string_view feature = tokens.next();
    if (feature.starts_with("qid:")) {
      checkQueryId(feature);  // svmlight's ranking groups: meaningless for classification
      feature = tokens.next();
    }
    std::uint64_t previous = 0;
    for (; !feature.empty(); feature = tokens.next()) {
      previous = parseFeature(feature, previous);
    }
    rows_.rowOffsets.push_back(static_cast<std::int64_t>(rows_.indices.size()));
  }

 private:
  // Any finite number: which labels a model accepts is decided for the whole file
  // (binary_labels.hpp), not line by line.
  [[nodiscard]] double parseLabel(std::string_view token) const {
    double label = 0.0;
    if (parseReal(token, label) != Parsed::kOk || !std::isfinite(label)) {
      fail("bad label " + quoted(token) + " (expected a number)");
    }
    return label + 0.0;  // -0 and +0 are one label
  }

  void checkQueryId(std::string_view token) const {
    std::uint64_t id = 0;
    if (parseNumber(token.substr(4), id) != Parsed::kOk) {
      fail("bad query id " + quoted(token) + " (expected qid:<non-negative integer>)");
    }
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
    if (limit_.dim > 0 && index > limit_.dim) failBeyondLimit(index, feature);

    double value = 0.0;
    const Parsed valueParsed = parseReal(valueText, value);
    if (valueParsed == Parsed::kInvalid) {
      fail("bad value " + quoted(valueText) + " in feature " + quoted(feature));
    }
    if (valueParsed == Parsed::kOutOfRange || !std::isfinite(value)) {
      fail("value " + quoted(valueText) + " in feature " + quoted(feature) +
           " is NaN, infinite or out of the double range");
    }

    if (index > rows_.maxIndex) {
      rows_.maxIndex = index;
      rows_.maxIndexLine = lineNumber_;
    }
    if (value != 0.0) {
      rows_.indices.push_back(static_cast<std::int32_t>(index - 1));
      rows_.values.push_back(value);
    }
    return index;
  }

  [[noreturn]] void failBeyondLimit(std::uint64_t index, std::string_view feature) const {
    const std::string what = "index " + std::to_string(index) + " in feature " + quoted(feature);
    const std::string dim = std::to_string(limit_.dim);
    if (limit_.source == DimSource::kDataDim) fail(what + " exceeds data.dim = " + dim);
    fail(what + " exceeds the training dimension " + dim + "; set data.dim to at least " +
         std::to_string(index) + " to train with the test set's features");
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw DataError(path_, lineNumber_, what);
  }

  const std::string& path_;
  DimLimit limit_;
  RowBlock& rows_;
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

RowBlock readLibsvmRows(const std::string& path, RowRange range, DimLimit limit) {
  RowBlock rows;
  RowParser parser(path, limit, rows);
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

struct LibsvmRowStream::State {
  State(std::string file, DimLimit limit)
      : path(std::move(file)), lines(path), parser(path, limit, block) {}

  std::string path;  // the reader and parser keep references to it
  LineReader lines;
  RowBlock block;  // parsed into by `parser`, handed out by next()
  RowParser parser;
};

LibsvmRowStream::LibsvmRowStream(const std::string& path, DimLimit limit)
    : state_(std::make_unique<State>(path, limit)) {}

LibsvmRowStream::~LibsvmRowStream() = default;

RowBlock LibsvmRowStream::next(std::uint64_t rows) {
  State& state = *state_;
  while (state.block.rows() < rows) {
    const auto line = state.lines.next();
    if (!line) break;
    if (!isBlank(*line)) state.parser.parse(*line, state.lines.lineNumber());
  }
  return std::exchange(state.block, RowBlock{});
}

}  // namespace memsgd
