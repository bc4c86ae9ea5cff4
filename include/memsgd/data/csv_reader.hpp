#pragma once

#include <cstdint>
#include <string>

#include "memsgd/config/run_config.hpp"
#include "memsgd/data/row_block.hpp"
#include "memsgd/data/row_partition.hpp"

namespace memsgd {

// Delimited text (plain, gzip or bzip2): one row per line, one number per field, the label in the
// column config.labelColumn names (data.label_column; 0 unless given) and feature j in the j-th of
// the other columns. The delimiter is a tab when the first non-blank line holds a tab and no
// comma, a comma otherwise. That line is a header when config.header says so or, for auto, when
// any of its fields is neither empty nor a number; a header must have the data's field count.
// Blank lines are skipped; blanks around a field and the '\r' of CRLF are ignored.

// Number of data rows: the non-blank lines less the header.
std::uint64_t countCsvRows(const std::string& path, const DataConfig& config);

// Parses the data rows in `range` (numbered as countCsvRows counts them); lines before the range
// are skipped without parsing, and reading stops after range.end. d is the number of feature
// columns (maxIndex, set from the first row read); zeros are dropped. Throws DataError with
// file:line for a line whose field count differs from the first data line's, a trailing
// delimiter, and an empty, quoted, non-numeric, NaN or infinite field (quoted, with its column
// from 0), or more feature columns than limit.dim > 0 allows; ConfigError naming
// data.label_column for a column the rows do not have.
RowBlock readCsvRows(const std::string& path, const DataConfig& config, RowRange range,
                     DimLimit limit = {});

}  // namespace memsgd
