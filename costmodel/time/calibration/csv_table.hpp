#pragma once
// CsvTable: a small reader for the reference CSV files (RFC 4180: a header row, fields
// optionally in double quotes with "" for a quote). Columns are looked up by header name;
// every error names the file, the line and the column.

#include <string>
#include <vector>

namespace llmsim::calibration {

class CsvTable {
 public:
  // Throws UserError if the file is missing or a row has the wrong number of fields.
  static CsvTable load(const std::string& path);
  static CsvTable parse(const std::string& text, const std::string& name);

  const std::string& file() const { return file_; }
  std::size_t rows() const { return rows_.size(); }
  bool has_column(const std::string& column) const;
  const std::string& text(std::size_t row, const std::string& column) const;
  // The field as a number; a non-numeric field is a UserError "file:line: column = 'x'".
  double number(std::size_t row, const std::string& column) const;
  std::string where(std::size_t row, const std::string& column) const;

 private:
  std::size_t column_index(const std::string& column) const;

  std::string file_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<int> lines_;  // file line of each row
};

}  // namespace llmsim::calibration
