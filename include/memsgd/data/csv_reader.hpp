#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "memsgd/config/run_config.hpp"
#include "memsgd/data/row_block.hpp"
#include "memsgd/data/row_partition.hpp"
#include "memsgd/data/row_stream.hpp"
#include "memsgd/data/text_lines.hpp"

namespace memsgd {

// Delimited text (plain, gzip or bzip2): one row per line, one number per field, the label in the
// column config.labelColumn names (data.label_column; 0 unless given) and feature j in the j-th of
// the other columns. The delimiter is a tab when the first non-blank line holds a tab and no
// comma, a comma otherwise. That line is a header when config.header says so or, for auto, when
// any of its fields is neither empty nor a number; a header must have the data's field count.
// Blank lines are skipped; blanks around a field and the '\r' of CRLF are ignored.

// Whether a line of a delimited file is a data row, the header apart: not blank.
bool isCsvRow(std::string_view line);

// What the first lines of a delimited file say about all of it: read by every rank, whatever its
// block (the first non-blank line, and the next one after a header).
struct CsvHead {
  char delimiter = ',';
  std::uint64_t headerLine = 0;  // 0: no header
  std::size_t headerFields = 0;  // with a header
  std::uint64_t dataStart = 0;   // the byte after the header line (0 without one)
  std::uint64_t firstLine = 0;   // the first data line (0: none) and its field count
  std::size_t columns = 0;
};
CsvHead readCsvHead(const std::string& path, std::optional<bool> header);

// Number of data rows: the non-blank lines less the header.
std::uint64_t countCsvRows(const std::string& path, const DataConfig& config);

// Parses the data rows in `range` (numbered as countCsvRows counts them), reading from `start` on
// (text_lines.hpp; the file's start, or where text_split.hpp's locateTextBlock says a rank's block
// is); lines before the range are skipped without parsing, and reading stops after range.end. d is
// the number of feature columns (maxIndex, set from the first row read); zeros are dropped.
// `head` is readCsvHead's, `labelColumn` data.label_column's. Throws DataError with file:line for
// a line whose field count differs from the first data line's, a trailing delimiter, and an empty,
// quoted, non-numeric, NaN or infinite field (quoted, with its column from 0), or more feature
// columns than limit.dim > 0 allows, and for a header whose field count is not the first data
// line's; ConfigError naming data.label_column for a column the rows do not have.
RowBlock readCsvRows(const std::string& path, const CsvHead& head, std::uint64_t labelColumn,
                     RowRange range, DimLimit limit, TextPosition start);
// The same from the file's start, with the head read from it.
RowBlock readCsvRows(const std::string& path, const DataConfig& config, RowRange range,
                     DimLimit limit = {});

// A delimited file as a RowStream: rows, lines and errors as readCsvRows gives them; the head is
// read when the stream is made.
class CsvRowStream final : public RowStream {
 public:
  CsvRowStream(const std::string& path, std::optional<bool> header, std::uint64_t labelColumn);
  ~CsvRowStream() override;

  RowBlock next(std::uint64_t rows) override;

 private:
  struct State;  // the line reader and parser stay in the .cpp
  std::unique_ptr<State> state_;
};

}  // namespace memsgd
