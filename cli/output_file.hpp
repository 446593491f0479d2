#pragma once
// The front ends write files through sim's all-or-nothing writer.

#include "report/output_file.hpp"

namespace llmsim::cli {

using llmsim::check_writable;
using llmsim::write_file_atomically;

}  // namespace llmsim::cli
