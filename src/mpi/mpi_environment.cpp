#include "memsgd/mpi/mpi_environment.hpp"

#include "memsgd/core/error.hpp"
#include "memsgd/mpi/mpi_check.hpp"
#include "memsgd/mpi/smpi_build.hpp"

namespace memsgd {

MpiEnvironment::MpiEnvironment(int& argc, char**& argv) {
  int initialized = 0;
  MEMSGD_MPI_CHECK(MPI_Initialized(&initialized));
  if (initialized == 0) {
    // FUNNELED: only this thread calls MPI; the CollectiveWatchdog's thread never does. SMPI
    // provides SINGLE only, and runs no watchdog.
    constexpr int kRequired = kSmpiBuild ? MPI_THREAD_SINGLE : MPI_THREAD_FUNNELED;
    int provided = MPI_THREAD_SINGLE;
    MEMSGD_MPI_CHECK(MPI_Init_thread(&argc, &argv, kRequired, &provided));
    ownsMpi_ = true;
    if (provided < kRequired) {
      throw MpiError(
          "this MPI library provides only MPI_THREAD_SINGLE; memsgd's collective "
          "watchdog needs MPI_THREAD_FUNNELED (a second thread that makes no MPI call)");
    }
  }
}

MpiEnvironment::~MpiEnvironment() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (ownsMpi_ && finalized == 0) {
    MPI_Finalize();  // errors here cannot be reported from a destructor
  }
}

}  // namespace memsgd
