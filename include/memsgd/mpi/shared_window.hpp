#pragma once

#include <mpi.h>

#include <cstddef>

#include "memsgd/mpi/communicator.hpp"

namespace memsgd {

// Throws ConfigError unless all `ranks` of the job share one node, of which `ranksOnNode` share
// this rank's: one window of shared memory cannot span nodes.
void requireOneNode(int ranksOnNode, int ranks);

// An MPI-3 shared-memory window of `bytes` zeroed bytes that every rank of a one-node
// communicator maps: rank 0 allocates them (MPI_Win_allocate_shared), the others find them with
// MPI_Win_shared_query. Move-less RAII; the destructor frees the window, which is collective, so
// every rank must destroy it (failures inside its lifetime must be agreed on, not thrown alone).
// What the bytes hold and how ranks synchronise on them (std::atomic_ref) is the caller's.
class SharedWindow {
 public:
  // Collective over `comm`; throws ConfigError when `comm` spans more than one node.
  SharedWindow(const Communicator& comm, std::size_t bytes);
  ~SharedWindow();
  SharedWindow(const SharedWindow&) = delete;
  SharedWindow& operator=(const SharedWindow&) = delete;
  SharedWindow(SharedWindow&&) = delete;
  SharedWindow& operator=(SharedWindow&&) = delete;

  // Aligned for any scalar type; the same bytes on every rank (at its own address).
  [[nodiscard]] std::byte* data() const { return base_; }
  [[nodiscard]] std::size_t size() const { return bytes_; }

  // Collective, under the communicator's watchdog (a stopped rank would hold the others in it):
  // every rank's writes before it are visible to every rank after it.
  void barrier() const;

 private:
  const Communicator& comm_;
  MPI_Comm node_ = MPI_COMM_NULL;
  MPI_Win window_ = MPI_WIN_NULL;
  std::byte* base_ = nullptr;
  std::size_t bytes_;
};

}  // namespace memsgd
