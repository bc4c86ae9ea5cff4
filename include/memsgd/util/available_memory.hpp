#pragma once

#include <cstdint>
#include <string>

namespace memsgd {

// How much more memory this process can allocate before the system refuses or kills it.
struct AvailableMemory {
  std::uint64_t bytes = 0;
  std::string limitedBy;  // which limit is the least: "MemAvailable", "cgroup memory.max", ...
};

// The least of /proc/meminfo's MemAvailable, the cgroup's limit less its usage (v2 memory.max,
// or v1 memory.limit_in_bytes, when set; reclaimable page cache counts as free) and RLIMIT_AS
// less the address space in use. Limits that cannot be read are left out.
AvailableMemory availableMemory();

// "1.50 GiB": bytes for messages.
std::string inGib(std::uint64_t bytes);

}  // namespace memsgd
