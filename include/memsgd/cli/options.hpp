#pragma once

#include <iosfwd>
#include <optional>

#include "memsgd/config/run_config.hpp"

namespace memsgd {

// Builds the run configuration from `memsgd-train [CONFIG.ini] [--section.key=value ...]`.
// The command line wins over the file; paths read from the file are relative to the file's folder.
// Returns nothing after printing the option list to `help` for --help. Throws ConfigError naming
// the key (and the file) for unknown keys, malformed values and impossible settings.
std::optional<RunConfig> parseCommandLine(int argc, const char* const argv[], std::ostream& help);

}  // namespace memsgd
