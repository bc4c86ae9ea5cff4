#include "memsgd/mpi/shared_window.hpp"

#include <atomic>
#include <cstring>
#include <string>

#include "memsgd/core/error.hpp"
#include "memsgd/mpi/mpi_check.hpp"

namespace memsgd {

void requireOneNode(int ranksOnNode, int ranks) {
  if (ranksOnNode != ranks) {
    throw ConfigError("communication.mode = shared needs every rank on one node, but this node " +
                      std::string("holds ") + std::to_string(ranksOnNode) + " of the " +
                      std::to_string(ranks) +
                      " ranks; run it on one node, or use communication.mode = sync");
  }
}

SharedWindow::SharedWindow(const Communicator& comm, std::size_t bytes)
    : comm_(comm), bytes_(bytes) {
  MEMSGD_MPI_CHECK(
      MPI_Comm_split_type(comm.raw(), MPI_COMM_TYPE_SHARED, comm.rank(), MPI_INFO_NULL, &node_));
  int ranksOnNode = 0;
  MEMSGD_MPI_CHECK(MPI_Comm_size(node_, &ranksOnNode));
  try {
    // Every rank gets the same answer (all on one node, or each node short of the world), so
    // the refusal is thrown on all of them.
    requireOneNode(ranksOnNode, comm.size());
    MEMSGD_MPI_CHECK(MPI_Comm_set_errhandler(node_, MPI_ERRORS_RETURN));
    const auto mine = static_cast<MPI_Aint>(comm.rank() == 0 ? bytes : 0);
    void* local = nullptr;
    MEMSGD_MPI_CHECK(MPI_Win_allocate_shared(mine, 1, MPI_INFO_NULL, node_, &local, &window_));
    MPI_Aint size = 0;
    int unit = 0;
    void* shared = nullptr;
    MEMSGD_MPI_CHECK(MPI_Win_shared_query(window_, 0, &size, &unit, &shared));
    base_ = static_cast<std::byte*>(shared);
    if (comm.rank() == 0 && bytes > 0) {
      std::memset(base_, 0, bytes);
    }
    barrier();
  } catch (...) {
    if (window_ != MPI_WIN_NULL) MPI_Win_free(&window_);
    MPI_Comm_free(&node_);
    throw;
  }
}

SharedWindow::~SharedWindow() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized == 0) {
    MPI_Win_free(&window_);  // a failure cannot be reported from a destructor
    MPI_Comm_free(&node_);
  }
}

void SharedWindow::barrier() const {
  // The fences order this rank's plain and atomic accesses around the barrier's messages.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  const auto watched = comm_.watch("the shared window's barrier");
  MEMSGD_MPI_CHECK(MPI_Barrier(node_));
  std::atomic_thread_fence(std::memory_order_seq_cst);
}

}  // namespace memsgd
