#pragma once

#include <mpi.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "memsgd/core/error.hpp"
#include "memsgd/mpi/collective_watchdog.hpp"

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
// never mixes with the caller's and every failing call becomes an MpiError. Every collective
// through it (and through raw() under watch()) is timed by its CollectiveWatchdog once
// watchCollectives() started it.
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

  // Ends the job when this rank waits more than `seconds` in one collective (0: never); `who`
  // (a tool's name) opens the message. See CollectiveWatchdog.
  void watchCollectives(double seconds, std::string who) const {
    watchdog_->start(seconds, std::move(who));
  }
  // The step that a timeout's message names: the last one this rank finished.
  void noteStep(std::uint64_t step) const noexcept { watchdog_->noteStep(step); }
  // Watches the collective `collective` (a string literal naming it for users) that the caller
  // makes on raw() while the scope lives.
  [[nodiscard]] CollectiveWatchdog::Scope watch(const char* collective) const {
    return {*watchdog_, collective};
  }

  // `collective` names the reduction or gather in a timeout's message.
  void allreduceSum(std::span<double> values, const char* collective = "a sum over ranks") const;
  void allreduceSum(std::span<std::uint64_t> values) const;
  [[nodiscard]] std::uint64_t allreduceMax(std::uint64_t value) const;
  [[nodiscard]] double allreduceMax(double value) const;
  [[nodiscard]] std::uint64_t allreduceMin(std::uint64_t value) const;
  // Gathers `mine` (the same length on every rank) from every rank, rank after rank, on every rank.
  void allgather(std::span<const std::uint64_t> mine, std::span<std::uint64_t> all,
                 const char* collective = "a gather over ranks") const;

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

  // Collective: how many ranks of this communicator share this rank's node (its memory); under
  // SMPI all of them, which share this process.
  [[nodiscard]] int ranksOnNode() const;

  // Ends every rank of the job at once: for failures that only some ranks meet mid-run, where
  // waiting for the others to agree would hang.
  [[noreturn]] void abort(int exitCode) const;

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
  // On the heap: its thread keeps its address when the communicator moves.
  std::unique_ptr<CollectiveWatchdog> watchdog_;
};

}  // namespace memsgd
