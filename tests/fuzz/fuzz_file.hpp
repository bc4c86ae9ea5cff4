#pragma once

// A scratch file on tmpfs (/dev/shm when it exists) that a fuzzer rewrites with every input, for
// APIs that read from a path. The file is created once per process and removed at exit.

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace memsgd::fuzz {

// A private folder for this process's scratch files (mkdtemp under /dev/shm, else $TMPDIR, /tmp).
inline const std::string& scratchFolder() {
  static const std::string folder = [] {
    std::string base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "";
    if (base.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
    }
    std::string pattern = base + "/memsgd-fuzz-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      std::abort();
    }
    return pattern;
  }();
  return folder;
}

class ScratchFile {
 public:
  explicit ScratchFile(const std::string& name) : path_(scratchFolder() + "/" + name) {
    write(nullptr, 0);
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  ~ScratchFile() {
    unlink(path_.c_str());
    rmdir(scratchFolder().c_str());  // fails harmlessly while other scratch files remain
  }

  // Replaces the file's content with `size` bytes from `data`.
  void write(const void* data, std::size_t size) const {
    const int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) fail("open");
    const char* bytes = static_cast<const char*>(data);
    while (size > 0) {
      const ssize_t written = ::write(fd, bytes, size);
      if (written <= 0) fail("write");
      bytes += written;
      size -= static_cast<std::size_t>(written);
    }
    if (close(fd) != 0) fail("close");
  }

  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  [[noreturn]] void fail(const char* what) const {
    std::perror((std::string(what) + " " + path_).c_str());
    std::abort();
  }

  std::string path_;
};

// Stops the fuzzer with a message when a property of the code under test does not hold.
#define MEMSGD_FUZZ_CHECK(condition)                                                     \
  do {                                                                                   \
    if (!(condition)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (false)

}  // namespace memsgd::fuzz
