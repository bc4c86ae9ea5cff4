#include "memsgd/data/csv_reader.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "memsgd/core/error.hpp"
#include "memsgd/data/number_text.hpp"
#include "memsgd/data/text_lines.hpp"
#include "memsgd/data/text_split.hpp"

namespace memsgd {
namespace {

// Feature indices are stored as int32.
constexpr std::size_t kMaxFeatures = std::numeric_limits<std::int32_t>::max();

// The blanks around a field, the '\r' of CRLF included, but never the delimiter itself: a tab
// that ends a TSV line is a trailing delimiter, not padding.
bool isPadding(char c, char delimiter) { return c != delimiter && isSpace(c); }

std::string_view trimmed(std::string_view text, char delimiter) {
  while (!text.empty() && isPadding(text.front(), delimiter)) text.remove_prefix(1);
  while (!text.empty() && isPadding(text.back(), delimiter)) text.remove_suffix(1);
  return text;
}

// The fields of `line` between delimiters, trimmed, into `fields` (reused from line to line).
void split(std::string_view line, char delimiter, std::vector<std::string_view>& fields) {
  fields.clear();
  while (true) {
    const std::size_t end = line.find(delimiter);
    fields.push_back(trimmed(line.substr(0, end), delimiter));
    if (end == std::string_view::npos) return;
    line.remove_prefix(end + 1);
  }
}

std::string delimiterName(char delimiter) { return delimiter == '\t' ? "tab" : "','"; }

// Whether the fields of the first non-blank line name the columns.
bool isHeader(const std::vector<std::string_view>& fields, std::optional<bool> header) {
  if (header) return *header;
  // auto: a name is neither empty (pandas writes an unnamed index column so) nor a number.
  double ignored = 0.0;
  return std::ranges::any_of(fields, [&](std::string_view field) {
    return !field.empty() && parseReal(field, ignored) != Parsed::kOk;
  });
}

// Parses data lines of one shape (the first data line's field count and label column) into rows.
class CsvRowParser {
 public:
  CsvRowParser(const std::string& path, DimLimit limit, RowBlock& rows)
      : path_(path), limit_(limit), rows_(rows) {}

  // Takes the shape from the file's first data line, which every rank reads whatever its block.
  void setShape(const CsvHead& head, std::uint64_t labelColumn) {
    delimiter_ = head.delimiter;
    firstLine_ = head.firstLine;
    columns_ = head.columns;
    if (head.headerLine != 0 && head.headerFields != columns_) {
      throw DataError(path_, head.headerLine,
                      "the header has " + std::to_string(head.headerFields) +
                          " fields, but the first data line (line " + std::to_string(firstLine_) +
                          ") has " + std::to_string(columns_) + " (delimiter " +
                          delimiterName(delimiter_) + ")");
    }
    if (columns_ - 1 > kMaxFeatures) {
      throw DataError(path_, firstLine_,
                      "has " + std::to_string(columns_ - 1) + " feature columns, more than the " +
                          std::to_string(kMaxFeatures) + " a 32-bit index holds");
    }
    labelColumn_ = labelColumn == kLastColumn ? columns_ - 1 : labelColumn;
    if (labelColumn_ >= columns_) {
      throw ConfigError("data.label_column = " + std::to_string(labelColumn) + ": " + path_ + ":" +
                        std::to_string(firstLine_) + " has " + std::to_string(columns_) +
                        " fields (columns 0 to " + std::to_string(columns_ - 1) + ")");
    }
  }

  void parse(std::string_view line, std::uint64_t lineNumber) {
    lineNumber_ = lineNumber;
    if (const std::string_view data = trimmed(line, delimiter_);
        !data.empty() && data.back() == delimiter_) {
      fail("ends with the delimiter " + delimiterName(delimiter_) +
           " (a trailing delimiter, an empty last field, is not allowed)");
    }
    split(line, delimiter_, fields_);
    if (fields_.size() != columns_) {
      fail("has " + std::to_string(fields_.size()) + " fields, but the first data line (line " +
           std::to_string(firstLine_) + ") has " + std::to_string(columns_) + " (delimiter " +
           delimiterName(delimiter_) + ")");
    }
    if (rows_.rows() == 0) checkWidth();
    const double label = number(labelColumn_, "label") + 0.0;  // -0 and +0 are one label
    rows_.labels.push_back(label);
    if (++rows_.labelCounts[label] == 1) rows_.labelLines.emplace(label, lineNumber);
    for (std::size_t column = 0; column < columns_; ++column) {
      if (column == labelColumn_) continue;
      const double value = number(column, "value");
      if (value != 0.0) {
        rows_.indices.push_back(
            static_cast<std::int32_t>(column < labelColumn_ ? column : column - 1));
        rows_.values.push_back(value);
      }
    }
    rows_.rowOffsets.push_back(static_cast<std::int64_t>(rows_.indices.size()));
  }

 private:
  // The feature columns set d, from the block's first row: every row has as many.
  void checkWidth() {
    const std::uint64_t features = columns_ - 1;
    if (features == 0) return;
    const std::string what = std::to_string(features) + " feature columns";
    const std::string dim = std::to_string(limit_.dim);
    if (limit_.dim > 0 && features > limit_.dim) {
      if (limit_.source == DimSource::kDataDim) fail(what + " exceed data.dim = " + dim);
      fail(what + " exceed the training dimension " + dim + "; set data.dim to at least " +
           std::to_string(features) + " to train with the test set's features");
    }
    rows_.maxIndex = features;
    rows_.maxIndexLine = lineNumber_;
  }

  // The field in `column` as a finite number; `what` names it in messages.
  [[nodiscard]] double number(std::size_t column, std::string_view what) const {
    const std::string_view field = fields_[column];
    if (field.empty()) failAt(column, "empty field");
    if (field.front() == '"' || field.front() == '\'') {
      failAt(column, "quoted field " + quoted(field), ": quoted fields are not supported");
    }
    double value = 0.0;
    const Parsed parsed = parseReal(field, value);
    if (parsed == Parsed::kInvalid) {
      failAt(column, "bad " + std::string(what) + " " + quoted(field));
    }
    if (parsed == Parsed::kOutOfRange || !std::isfinite(value)) {
      failAt(column, std::string(what) + " " + quoted(field),
             " is NaN, infinite or out of the double range");
    }
    return value;
  }

  // "<what> in column 2 (from 0)<why>".
  [[noreturn]] void failAt(std::size_t column, const std::string& what,
                           const std::string& why = "") const {
    fail(what + " in column " + std::to_string(column) + " (from 0)" + why);
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw DataError(path_, lineNumber_, what);
  }

  const std::string& path_;
  DimLimit limit_;
  RowBlock& rows_;
  char delimiter_ = ',';
  std::size_t columns_ = 0;
  std::size_t labelColumn_ = 0;
  std::uint64_t firstLine_ = 0;
  std::uint64_t lineNumber_ = 0;
  std::vector<std::string_view> fields_;
};

}  // namespace

bool isCsvRow(std::string_view line) { return !isBlank(line); }

CsvHead readCsvHead(const std::string& path, std::optional<bool> header) {
  CsvHead head;
  TextLines lines(path);
  std::vector<std::string_view> fields;
  while (true) {
    const auto line = lines.next();
    if (!line) return head;
    if (isBlank(*line)) continue;
    if (head.headerLine == 0) {  // the first non-blank line
      const bool tabs =
          line->find('\t') != std::string_view::npos && line->find(',') == std::string_view::npos;
      head.delimiter = tabs ? '\t' : ',';
      split(*line, head.delimiter, fields);
      if (isHeader(fields, header)) {
        head.headerLine = lines.lineNumber();
        head.headerFields = fields.size();
        head.dataStart = lines.offset();
        continue;
      }
    }
    split(*line, head.delimiter, fields);
    head.firstLine = lines.lineNumber();
    head.columns = fields.size();
    return head;
  }
}

std::uint64_t countCsvRows(const std::string& path, const DataConfig& config) {
  return countTextRows(path, {isCsvRow, readCsvHead(path, config.header).dataStart});
}

RowBlock readCsvRows(const std::string& path, const CsvHead& head, std::uint64_t labelColumn,
                     RowRange range, DimLimit limit, TextPosition start) {
  RowBlock rows;
  if (head.firstLine == 0 || range.end == 0) return rows;
  CsvRowParser parser(path, limit, rows);
  parser.setShape(head, labelColumn);
  const RowLines data{isCsvRow, head.dataStart};
  TextLines lines(path, start);
  std::uint64_t row = start.row;
  while (row < range.end) {
    const std::uint64_t offset = lines.offset();
    const auto line = lines.next();
    if (!line) break;
    if (!data.contains(offset, *line)) continue;
    if (range.contains(row)) parser.parse(*line, lines.lineNumber());
    ++row;
  }
  return rows;
}

RowBlock readCsvRows(const std::string& path, const DataConfig& config, RowRange range,
                     DimLimit limit) {
  return readCsvRows(path, readCsvHead(path, config.header), config.labelColumn, range, limit, {});
}

struct CsvRowStream::State {
  State(std::string file, std::optional<bool> header)
      : path(std::move(file)),
        head(readCsvHead(path, header)),
        lines(path),
        parser(path, {}, block) {}

  std::string path;  // the reader and parser keep references to it
  CsvHead head;
  TextLines lines;
  RowBlock block;  // parsed into by `parser`, handed out by next()
  CsvRowParser parser;
};

CsvRowStream::CsvRowStream(const std::string& path, std::optional<bool> header,
                           std::uint64_t labelColumn)
    : state_(std::make_unique<State>(path, header)) {
  if (state_->head.firstLine != 0) state_->parser.setShape(state_->head, labelColumn);
}

CsvRowStream::~CsvRowStream() = default;

RowBlock CsvRowStream::next(std::uint64_t rows) {
  State& state = *state_;
  if (state.head.firstLine == 0) return {};
  const RowLines data{isCsvRow, state.head.dataStart};
  while (state.block.rows() < rows) {
    const std::uint64_t offset = state.lines.offset();
    const auto line = state.lines.next();
    if (!line) break;
    if (data.contains(offset, *line)) state.parser.parse(*line, state.lines.lineNumber());
  }
  return std::exchange(state.block, RowBlock{});
}

}  // namespace memsgd
