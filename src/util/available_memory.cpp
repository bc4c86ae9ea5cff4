#include "memsgd/util/available_memory.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>

namespace memsgd {
namespace {

// Above this a cgroup limit means "none" (v1 writes the largest page-aligned int64).
constexpr std::uint64_t kUnlimited = std::uint64_t{1} << 62;
constexpr std::uint64_t kKiB = 1024;

std::optional<std::uint64_t> readNumber(const std::string& path) {
  std::ifstream in(path);
  std::uint64_t value = 0;
  if (in >> value) return value;
  return std::nullopt;  // missing, or "max" (cgroup v2 without a limit)
}

// The value of `key` in a "key value [kB]" file such as /proc/meminfo or memory.stat.
std::optional<std::uint64_t> readField(const std::string& path, std::string_view key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name;
    std::uint64_t value = 0;
    if (fields >> name >> value && (name == key || name == std::string(key) + ":")) return value;
  }
  return std::nullopt;
}

// The cgroup path of this process for a v1 controller ("memory") or v2 (""), from
// /proc/self/cgroup lines "id:controllers:path".
std::string cgroupPath(std::string_view controller) {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t first = line.find(':');
    const std::size_t second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string_view controllers =
        std::string_view(line).substr(first + 1, second - first - 1);
    if (controllers == controller) return line.substr(second + 1);
  }
  return "/";
}

// limit - (usage - inactive page cache) of the first cgroup folder that has the files: the
// process's own, or the root of the mount when a container shows its cgroup there.
std::optional<std::uint64_t> cgroupRoom(const std::string& mount, const std::string& path,
                                        const char* limitFile, const char* usageFile,
                                        const char* inactiveKey) {
  for (const std::string& folder : {mount + path, mount}) {
    const auto limit = readNumber(folder + "/" + limitFile);
    const auto usage = readNumber(folder + "/" + usageFile);
    if (!limit || !usage) continue;
    if (*limit >= kUnlimited) return std::nullopt;
    const std::uint64_t inactive = readField(folder + "/memory.stat", inactiveKey).value_or(0);
    const std::uint64_t used = *usage - std::min(*usage, inactive);
    return *limit - std::min(*limit, used);
  }
  return std::nullopt;
}

}  // namespace

std::string inGib(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f GiB", static_cast<double>(bytes) / (1 << 30));
  return text;
}

AvailableMemory availableMemory() {
  AvailableMemory least{UINT64_MAX, "no known limit"};
  const auto consider = [&](std::optional<std::uint64_t> bytes, const char* name) {
    if (bytes && *bytes < least.bytes) least = {*bytes, name};
  };
  const auto memAvailable = readField("/proc/meminfo", "MemAvailable");
  consider(memAvailable ? std::optional(*memAvailable * kKiB) : std::nullopt,
           "MemAvailable in /proc/meminfo");
  consider(
      cgroupRoom("/sys/fs/cgroup", cgroupPath(""), "memory.max", "memory.current", "inactive_file"),
      "the cgroup's memory.max");
  consider(cgroupRoom("/sys/fs/cgroup/memory", cgroupPath("memory"), "memory.limit_in_bytes",
                      "memory.usage_in_bytes", "total_inactive_file"),
           "the cgroup's memory.limit_in_bytes");
  rlimit addressSpace{};
  if (getrlimit(RLIMIT_AS, &addressSpace) == 0 && addressSpace.rlim_cur != RLIM_INFINITY) {
    const std::uint64_t used = readField("/proc/self/status", "VmSize").value_or(0) * kKiB;
    const auto limit = static_cast<std::uint64_t>(addressSpace.rlim_cur);
    consider(limit - std::min(limit, used), "RLIMIT_AS (ulimit -v)");
  }
  return least;
}

}  // namespace memsgd
