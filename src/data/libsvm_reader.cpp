#include "memsgd/data/libsvm_reader.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>
#include <system_error>
#include <utility>

#include "memsgd/core/error.hpp"
#include "memsgd/data/number_text.hpp"
#include "memsgd/data/text_lines.hpp"
#include "memsgd/data/text_split.hpp"

namespace memsgd {
namespace {

// Feature indices are stored as int32 (0-based), so 1-based indices up to 2^31 - 1 fit.
constexpr std::uint64_t kMaxIndex = std::numeric_limits<std::int32_t>::max();

// The data part of a line: up to an svmlight "#" comment.
std::string_view withoutComment(std::string_view line) { return line.substr(0, line.find('#')); }

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
  // What follows the tokens taken so far.
  [[nodiscard]] std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

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
    std::string_view features = tokens.rest();
    if (Tokens first(features); first.next().starts_with("qid:")) {
      Tokens query(features);
      checkQueryId(query.next());  // svmlight's ranking groups: meaningless for classification
      features = query.rest();
    }
    parseFeatures(features);
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

  // The "idx:val" features of a row. A feature of the common form (digits, ':', a finite number
  // readPlainDecimal or else std::from_chars reads up to a blank, an index that is in bounds and
  // increasing) is taken in one pass; any other goes through parseFeature, which names what is
  // wrong with it.
  void parseFeatures(std::string_view features) {
    const char* p = features.data();
    const char* const end = p + features.size();
    std::uint64_t previous = 0;
    while (true) {
      while (p != end && isSpace(*p)) ++p;
      if (p == end) return;
      if (const char* next = takeFeature(p, end, previous)) {
        p = next;
        continue;
      }
      const char* tokenEnd = p;
      while (tokenEnd != end && !isSpace(*tokenEnd)) ++tokenEnd;
      previous = parseFeature({p, static_cast<std::size_t>(tokenEnd - p)}, previous);
      p = tokenEnd;
    }
  }

  // Appends the feature at p and returns where it ends, or nullptr (nothing appended) when it is
  // not of the common form.
  const char* takeFeature(const char* p, const char* end, std::uint64_t& previous) {
    constexpr int kMaxIndexDigits = 10;  // 2^31 - 1 has 10
    std::uint64_t index = 0;
    int digits = 0;
    for (; p != end && *p >= '0' && *p <= '9' && digits < kMaxIndexDigits; ++p, ++digits) {
      index = 10 * index + static_cast<std::uint64_t>(*p - '0');
    }
    if (digits == 0 || p == end || *p != ':' || index == 0 || index > kMaxIndex ||
        index <= previous || (limit_.dim > 0 && index > limit_.dim)) {
      return nullptr;
    }
    double value = 0.0;
    const char* stop = readPlainDecimal(p + 1, end, value);
    if (stop == nullptr) {
      const auto [next, error] = std::from_chars(p + 1, end, value);
      if (error != std::errc() || !std::isfinite(value)) return nullptr;
      stop = next;
    }
    if (stop != end && !isSpace(*stop)) return nullptr;
    append(index, value);
    previous = index;
    return stop;
  }

  // Stores feature `index` (1-based) of the row, dropping an explicit zero (whose index still
  // counts for d).
  void append(std::uint64_t index, double value) {
    if (index > rows_.maxIndex) {
      rows_.maxIndex = index;
      rows_.maxIndexLine = lineNumber_;
    }
    if (value != 0.0) {
      rows_.indices.push_back(static_cast<std::int32_t>(index - 1));
      rows_.values.push_back(value);
    }
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

    append(index, value);
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

bool isLibsvmRow(std::string_view line) { return !isBlank(withoutComment(line)); }

std::uint64_t countLibsvmRows(const std::string& path) {
  return countTextRows(path, {isLibsvmRow});
}

RowBlock readLibsvmRows(const std::string& path, RowRange range, DimLimit limit,
                        TextPosition start) {
  RowBlock rows;
  RowParser parser(path, limit, rows);
  TextLines lines(path, start);
  std::uint64_t row = start.row;
  while (row < range.end) {
    const auto line = lines.next();
    if (!line) break;
    const std::string_view data = withoutComment(*line);
    if (isBlank(data)) continue;
    if (range.contains(row)) parser.parse(data, lines.lineNumber());
    ++row;
  }
  return rows;
}

struct LibsvmRowStream::State {
  State(std::string file, DimLimit limit)
      : path(std::move(file)), lines(path), parser(path, limit, block) {}

  std::string path;  // the reader and parser keep references to it
  TextLines lines;
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
    const std::string_view data = withoutComment(*line);
    if (!isBlank(data)) state.parser.parse(data, state.lines.lineNumber());
  }
  return std::exchange(state.block, RowBlock{});
}

}  // namespace memsgd
