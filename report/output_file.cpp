#include "report/output_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

#include "sim/check.hpp"

namespace llmsim {

void write_file_atomically(const std::string& path, const std::string& contents) {
  write_file_atomically(path, [&](std::ostream& out) { out << contents; });
}

void check_writable(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path tmp(path);
  tmp += ".llmsim-tmp";
  std::error_code ec;
  const bool existed = fs::exists(tmp, ec);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::app);
    if (!out) {
      throw UserError(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
    }
  }
  if (!existed) fs::remove(tmp, ec);
}

void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  fs::path tmp = target;
  tmp += ".llmsim-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      throw UserError(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
    }
    write(out);
    out.flush();
    if (!out) {
      std::error_code ignored;
      fs::remove(tmp, ignored);
      throw UserError(fmt::format("{}: write failed: {}", path, std::strerror(errno)));
    }
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw UserError(fmt::format("{}: cannot write: {}", path, ec.message()));
  }
}

}  // namespace llmsim
