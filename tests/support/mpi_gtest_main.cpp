// gtest main for tests that run under mpirun: every rank runs every test, only rank 0 prints, and
// the exit code is the worst result over all ranks, so a failure on any rank fails the test.
#include <gtest/gtest.h>
#include <mpi.h>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  const int localResult = RUN_ALL_TESTS();
  int worstResult = 0;
  MPI_Allreduce(&localResult, &worstResult, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (rank == 0 && localResult == 0 && worstResult != 0) {
    std::fprintf(stderr, "a test failed on another rank (output of ranks != 0 is silenced)\n");
  }
  MPI_Finalize();
  return worstResult;
}
