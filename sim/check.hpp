#pragma once
// Errors shared by every llmsim library.
//
// UserError: the input is wrong (a bad flag, an impossible plan, a malformed file). Its
// message is one line, written for the user, and main() turns it into a non-zero exit.
// InternalError: an invariant broke, i.e. a bug in llmsim. LLMSIM_CHECK stays on in release
// builds and throws rather than aborting, so a front end can still report it cleanly.

#include <stdexcept>
#include <string>

namespace llmsim {

class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

[[noreturn]] void throw_check_failure(const char* condition, const char* file, int line,
                                      const std::string& message);

}  // namespace llmsim

#define LLMSIM_CHECK(cond, msg)                                            \
  do {                                                                     \
    if (!(cond)) [[unlikely]]                                              \
      ::llmsim::throw_check_failure(#cond, __FILE__, __LINE__, (msg));     \
  } while (false)
