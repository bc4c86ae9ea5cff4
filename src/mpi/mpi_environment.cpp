#include "memsgd/mpi/mpi_environment.hpp"

#include "memsgd/mpi/mpi_check.hpp"

namespace memsgd {

MpiEnvironment::MpiEnvironment(int& argc, char**& argv) {
  int initialized = 0;
  MEMSGD_MPI_CHECK(MPI_Initialized(&initialized));
  if (initialized == 0) {
    MEMSGD_MPI_CHECK(MPI_Init(&argc, &argv));
    ownsMpi_ = true;
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
