#pragma once

#include <mpi.h>

#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <utility>

#include "memsgd/core/error.hpp"

namespace memsgd {

// An error that every rank agreed on: thrown on all ranks with the failing rank's message, so
// that each rank can leave cleanly with the same exit code and rank 0 prints it once.
class AgreedError : public Error {
 public:
  AgreedError(const std::string& message, int originRank, int exitCode)
      : Error(message), originRank_(originRank), exitCode_(exitCode) {}
  [[nodiscard]] int exitCode() const noexcept override { return exitCode_; }
  [[nodiscard]] int originRank() const noexcept { return originRank_; }

 private:
  int originRank_;
  int exitCode_;
};

// Move-only owner of a duplicated MPI communicator with MPI_ERRORS_RETURN, so memsgd's traffic
// never mixes with the caller's and every failing call becomes an MpiError.
class Communicator {
 public:
  // Duplicates `parent` (MPI_COMM_WORLD by default).
  explicit Communicator(MPI_Comm parent = MPI_COMM_WORLD);
  ~Communicator();
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;
  Communicator(Communicator&& other) noexcept;
  Communicator& operator=(Communicator&& other) noexcept;

  [[nodiscard]] int rank() const { return rank_; }
  [[nodiscard]] int size() const { return size_; }
  [[nodiscard]] MPI_Comm raw() const { return comm_; }

  void allreduceSum(std::span<double> values) const;
  void allreduceSum(std::span<std::uint64_t> values) const;
  [[nodiscard]] std::uint64_t allreduceMax(std::uint64_t value) const;
  [[nodiscard]] double allreduceMax(double value) const;
  [[nodiscard]] std::uint64_t allreduceMin(std::uint64_t value) const;
  // Gathers `mine` (the same length on every rank) from every rank, rank after rank, on every rank.
  void allgather(std::span<const std::uint64_t> mine, std::span<std::uint64_t> all) const;

  // Collective: if `failure` holds an exception on some rank, every rank throws AgreedError with
  // the message and exit code of the lowest failing rank; otherwise returns on every rank.
  void agreeOnFailure(const std::exception_ptr& failure) const;
  // Collective: runs `action` on every rank, then agrees on its failure as agreeOnFailure does.
  template <typename Action>
  void agreeOn(Action&& action) const {
    std::exception_ptr failure;
    try {
      std::forward<Action>(action)();
    } catch (...) {
      failure = std::current_exception();
    }
    agreeOnFailure(failure);
  }

  // Ends every rank of the job at once: for failures that only some ranks meet mid-run, where
  // waiting for the others to agree would hang.
  [[noreturn]] void abort(int exitCode) const;

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace memsgd
