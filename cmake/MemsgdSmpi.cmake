# -DMEMSGD_SMPI=ON: memsgd-train for SimGrid's SMPI (Debian's libsimgrid-dev), to run under
# smpirun on a simulated platform (launch/smpi/run.sh). Included before project(), since it picks
# the compilers: smpicc and smpicxx, which compile against SMPI's mpi.h and link each program as a
# shared object that smpirun loads once per job (every rank a context of that one process).
# The tests and benchmarks link Open MPI's test harness and are not built; nor are the
# precompiled headers, which GCC could not use after the -include of smpi_helpers.h that smpicxx
# puts first on every command line.
find_program(MEMSGD_SMPI_CXX smpicxx REQUIRED DOC "SimGrid's SMPI C++ compiler wrapper")
find_program(MEMSGD_SMPI_C smpicc REQUIRED DOC "SimGrid's SMPI C compiler wrapper")
foreach(language C CXX)
  set(wrapper ${MEMSGD_SMPI_${language}})
  if(DEFINED CMAKE_${language}_COMPILER AND NOT CMAKE_${language}_COMPILER STREQUAL wrapper)
    message(FATAL_ERROR "MEMSGD_SMPI=ON compiles with ${wrapper}, but this build directory "
                        "compiles ${language} with ${CMAKE_${language}_COMPILER}: configure a "
                        "fresh build directory (cmake -S . -B build-smpi -DMEMSGD_SMPI=ON)")
  endif()
  set(CMAKE_${language}_COMPILER ${wrapper})
endforeach()

foreach(part TESTS BENCHMARKS)
  if(MEMSGD_BUILD_${part})
    message(FATAL_ERROR "MEMSGD_SMPI=ON builds memsgd-train alone: MEMSGD_BUILD_${part}=ON "
                        "needs a build against Open MPI (drop it, or set it OFF)")
  endif()
  set(MEMSGD_BUILD_${part} OFF CACHE BOOL "Not with MEMSGD_SMPI=ON")
endforeach()
set(CMAKE_DISABLE_PRECOMPILE_HEADERS ON)
# include/memsgd/mpi/smpi_build.hpp: no collective watchdog, simulated time, one process.
add_compile_definitions(MEMSGD_SMPI)
