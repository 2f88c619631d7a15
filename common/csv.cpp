#include "common/csv.hpp"

#include <fmt/format.h>

#include "common/text.hpp"

namespace vnh {

Result<CsvTable> parse_csv(std::string_view data) {
  if (data.substr(0, 3) == "\xEF\xBB\xBF") data.remove_prefix(3);
  std::vector<CsvRecord> records;
  std::size_t line = 1;
  std::size_t i = 0;
  const std::size_t n = data.size();
  auto error = [&](std::size_t at_line, const std::string& msg) {
    return Status(Code::kInvalidArgument, msg, std::to_string(at_line));
  };
  while (i < n) {
    CsvRecord rec;
    rec.line = line;
    std::string field;
    bool end_of_record = false;
    bool blank = true;
    while (!end_of_record) {
      field.clear();
      if (i < n && data[i] == '"') {
        blank = false;
        std::size_t start_line = line;
        ++i;
        while (true) {
          if (i >= n) return error(start_line, "unterminated quoted field");
          char c = data[i];
          if (c == '"') {
            if (i + 1 < n && data[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (c == '\n') ++line;
          field += c;
          ++i;
        }
        if (i < n && data[i] != ',' && data[i] != '\n' && data[i] != '\r') {
          return error(line, "characters after a closing quote");
        }
      } else {
        while (i < n && data[i] != ',' && data[i] != '\n' && data[i] != '\r') {
          if (data[i] == '"') return error(line, "quote inside an unquoted field");
          field += data[i++];
        }
        if (!field.empty()) blank = false;
      }
      if (!valid_utf8(field)) return error(line, "field is not valid UTF-8");
      rec.fields.push_back(field);
      if (i >= n) {
        end_of_record = true;
      } else if (data[i] == ',') {
        blank = false;
        ++i;
      } else {
        if (data[i] == '\r') ++i;
        if (i < n && data[i] == '\n') ++i;
        ++line;
        end_of_record = true;
      }
    }
    if (blank && rec.fields.size() == 1) continue;  // empty line
    records.push_back(std::move(rec));
  }
  CsvTable t;
  if (records.empty()) return Status(Code::kInvalidArgument, "file is empty: a header row is required", "1");
  t.header = std::move(records.front().fields);
  t.header_line = records.front().line;
  for (auto& h : t.header) h = std::string(trim(h));
  t.rows.assign(std::make_move_iterator(records.begin() + 1), std::make_move_iterator(records.end()));
  return t;
}

void csv_append_row(std::string& out, const std::vector<std::string>& fields) {
  for (std::size_t k = 0; k < fields.size(); ++k) {
    if (k) out += ',';
    const std::string& f = fields[k];
    if (f.find_first_of(",\"\r\n") == std::string::npos) {
      out += f;
    } else {
      out += '"';
      for (char c : f) {
        if (c == '"') out += '"';
        out += c;
      }
      out += '"';
    }
  }
  out += "\r\n";
}

}  // namespace vnh
