# Test registration helpers. Serial tests run directly; MPI tests run through launch/mpirun.sh (the
# same launcher users call) at 1, 2 and 4 ranks, each with a TIMEOUT that acts as hang watchdog.
include(GoogleTest)

set(MEMSGD_MPIRUN ${PROJECT_SOURCE_DIR}/launch/mpirun.sh)
set(MEMSGD_MPI_TEST_RANKS 1 2 4 CACHE STRING "Rank counts every MPI test runs at")

function(memsgd_add_unit_test name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE memsgd::memsgd memsgd_test_support GTest::gtest_main)
  target_precompile_headers(${name} REUSE_FROM memsgd_mpi_gtest_main)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()

# memsgd_add_mpi_test(name sources... [TIMEOUT seconds] [RANKS n...])
function(memsgd_add_mpi_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "RANKS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  if(NOT ARG_RANKS)
    set(ARG_RANKS ${MEMSGD_MPI_TEST_RANKS})
  endif()
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE memsgd::memsgd memsgd_test_support memsgd_mpi_gtest_main)
  target_precompile_headers(${name} REUSE_FROM memsgd_mpi_gtest_main)
  foreach(ranks IN LISTS ARG_RANKS)
    add_test(NAME ${name}.np${ranks}
             COMMAND ${MEMSGD_MPIRUN} -np ${ranks} $<TARGET_FILE:${name}>)
    # Tests run concurrently under ctest -j: unbound ranks keep jobs from sharing one pinned core.
    set_tests_properties(${name}.np${ranks} PROPERTIES TIMEOUT ${ARG_TIMEOUT} PROCESSORS ${ranks}
                         ENVIRONMENT "MEMSGD_MPIRUN_FLAGS=--bind-to none"
                         LABELS mpi)
  endforeach()
endfunction()
