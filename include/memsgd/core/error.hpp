#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace memsgd {

// Process exit codes: one per error family so scripts can tell them apart.
inline constexpr int kExitConfigError = 2;
inline constexpr int kExitDataError = 3;
inline constexpr int kExitIoError = 4;
inline constexpr int kExitMpiError = 5;
inline constexpr int kExitRuntimeError = 1;

// Base of every error memsgd throws on purpose; exitCode() is what main returns for it.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
  [[nodiscard]] virtual int exitCode() const noexcept { return kExitRuntimeError; }
};

// A configuration key is missing, malformed or out of range; the message names the key.
class ConfigError : public Error {
 public:
  using Error::Error;
  [[nodiscard]] int exitCode() const noexcept override { return kExitConfigError; }
};

// Input data is malformed; the message starts with "file:line: ".
class DataError : public Error {
 public:
  DataError(const std::string& file, std::uint64_t line, const std::string& what)
      : Error(file + ":" + std::to_string(line) + ": " + what) {}
  // For problems that concern a whole file rather than one line (unreadable, empty, ...).
  DataError(const std::string& file, const std::string& what) : Error(file + ": " + what) {}
  [[nodiscard]] int exitCode() const noexcept override { return kExitDataError; }
};

// An HDF5 or filesystem operation failed.
class IoError : public Error {
 public:
  using Error::Error;
  [[nodiscard]] int exitCode() const noexcept override { return kExitIoError; }
};

// An MPI call returned an error code.
class MpiError : public Error {
 public:
  using Error::Error;
  [[nodiscard]] int exitCode() const noexcept override { return kExitMpiError; }
};

}  // namespace memsgd
