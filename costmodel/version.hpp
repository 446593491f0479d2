#pragma once

namespace llmsim {

// The llmsim version, as CMake's project() gives it.
const char* version();

}  // namespace llmsim
