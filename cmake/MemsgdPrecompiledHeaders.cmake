# Precompiled headers: the library's and the tests' most included third-party and standard
# headers, parsed once per build instead of once per unit. Parsing Eigen, Open MPI's and
# GoogleTest's headers was about half of a unit's compile time at -O3 (3 of 7 s for a test unit on
# this machine). They change nothing that is compiled, but they are included first in every unit,
# so a unit that forgets one of them still builds: .ci/tidy configures without them and so still
# refuses such a unit of src/. CMAKE_DISABLE_PRECOMPILE_HEADERS=ON (CMake's own switch) turns them
# off. The library builds its own; the tests build theirs (these and GoogleTest's) once, with
# memsgd_mpi_gtest_main (tests/CMakeLists.txt), and every test executable reuses it.
set(MEMSGD_PRECOMPILED_HEADERS
  <algorithm> <array> <cmath> <cstdint> <filesystem> <limits> <memory> <optional> <span>
  <stdexcept> <string> <vector> <mpi.h> <Eigen/Core> <Eigen/SparseCore>)
