#include "costmodel/version.hpp"

namespace llmsim {

const char* version() { return "0.1.0"; }

}  // namespace llmsim
