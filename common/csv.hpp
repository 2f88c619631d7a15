#pragma once
// RFC 4180 CSV: a reader that keeps the line number of every record (for `file:line: column:
// reason` errors) and a writer that quotes only when needed and ends lines with CRLF. UTF-8
// only; a leading BOM is skipped. Pure functions over whole buffers.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"

namespace vnh {

struct CsvRecord {
  std::size_t line = 0;  // 1-based line where the record starts
  std::vector<std::string> fields;
};

struct CsvTable {
  std::vector<std::string> header;
  std::vector<CsvRecord> rows;
  std::size_t header_line = 1;
};

// Parses a whole CSV buffer. Errors carry "line N: reason" in the message and the line in
// the field ("12"), so callers can prefix their file name. Empty lines are skipped.
Result<CsvTable> parse_csv(std::string_view data);

// Appends one record to `out`, quoting fields that contain , " CR or LF, ending with CRLF.
void csv_append_row(std::string& out, const std::vector<std::string>& fields);

}  // namespace vnh
