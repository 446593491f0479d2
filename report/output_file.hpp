#pragma once
// Writing output files all or nothing: the text goes to a temporary file beside the target,
// which is renamed over it only once fully written. A failure leaves no partial file.

#include <functional>
#include <ostream>
#include <string>

namespace llmsim {

// Throws UserError naming the path if the file cannot be written.
void write_file_atomically(const std::string& path, const std::string& contents);
// The same for output too large to build in memory first: `write` streams it to the file.
void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write);
// Throws the UserError write_file_atomically would for a path it cannot write, before any
// work: for commands that run long before they write (calibrate). Leaves no file behind.
void check_writable(const std::string& path);

}  // namespace llmsim
