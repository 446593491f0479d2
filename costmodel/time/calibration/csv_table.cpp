#include "costmodel/time/calibration/csv_table.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "costmodel/read/yaml_reader.hpp"
#include "sim/check.hpp"

namespace llmsim::calibration {

CsvTable CsvTable::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(fmt::format("{}: cannot read the reference table", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path);
}

CsvTable CsvTable::parse(const std::string& text, const std::string& name) {
  CsvTable t;
  t.file_ = name;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  bool any = false;
  int line = 1;
  int record_line = 1;
  auto end_record = [&] {
    record.push_back(field);
    field.clear();
    if (t.header_.empty()) {
      t.header_ = record;
    } else if (!(record.size() == 1 && record[0].empty())) {
      if (record.size() != t.header_.size()) {
        throw UserError(fmt::format("{}:{}: {} fields, the header has {}", name, record_line,
                                    record.size(), t.header_.size()));
      }
      t.rows_.push_back(record);
      t.lines_.push_back(record_line);
    }
    record.clear();
    any = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        if (ch == '\n') ++line;
        field += ch;
      }
      continue;
    }
    if (!any) record_line = line;
    any = true;
    if (ch == '"') quoted = true;
    else if (ch == ',') {
      record.push_back(field);
      field.clear();
    } else if (ch == '\n') {
      end_record();
      ++line;
    } else if (ch != '\r') {
      field += ch;
    }
  }
  if (quoted) throw UserError(fmt::format("{}:{}: unterminated quoted field", name, record_line));
  if (any) end_record();
  if (t.header_.empty()) throw UserError(fmt::format("{}: empty table", name));
  return t;
}

bool CsvTable::has_column(const std::string& column) const {
  for (const auto& h : header_) {
    if (h == column) return true;
  }
  return false;
}

std::size_t CsvTable::column_index(const std::string& column) const {
  for (std::size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == column) return i;
  }
  const std::string guess = did_you_mean(column, header_);
  throw UserError(fmt::format("{}: no column '{}'{}", file_, column,
                              guess.empty() ? "" : fmt::format(" (did you mean '{}'?)", guess)));
}

const std::string& CsvTable::text(std::size_t row, const std::string& column) const {
  LLMSIM_CHECK(row < rows_.size(), "CSV row out of range");
  return rows_[row][column_index(column)];
}

double CsvTable::number(std::size_t row, const std::string& column) const {
  const std::string& s = text(row, column);
  double v = 0.0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) {
    throw UserError(fmt::format("{} = '{}': expected a number", where(row, column), s));
  }
  return v;
}

std::string CsvTable::where(std::size_t row, const std::string& column) const {
  return fmt::format("{}:{}: {}", file_, lines_.at(row), column);
}

}  // namespace llmsim::calibration
