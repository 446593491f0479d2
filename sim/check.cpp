#include "sim/check.hpp"

#include <fmt/format.h>

namespace llmsim {

void throw_check_failure(const char* condition, const char* file, int line,
                         const std::string& message) {
  throw InternalError(fmt::format("internal error at {}:{}: check '{}' failed: {}", file, line,
                                  condition, message));
}

}  // namespace llmsim
