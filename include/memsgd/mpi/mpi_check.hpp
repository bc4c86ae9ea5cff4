#pragma once

#include <mpi.h>

namespace memsgd::detail {

// Throws MpiError with the call text, MPI's own description of `code`, the rank and file:line.
[[noreturn]] void throwMpiError(int code, const char* call, const char* file, int line);

}  // namespace memsgd::detail

// Every MPI call goes through this; communicators use MPI_ERRORS_RETURN so errors reach it.
#define MEMSGD_MPI_CHECK(call)                                                   \
  do {                                                                           \
    const int memsgdMpiCode = (call);                                            \
    if (memsgdMpiCode != MPI_SUCCESS) {                                          \
      ::memsgd::detail::throwMpiError(memsgdMpiCode, #call, __FILE__, __LINE__); \
    }                                                                            \
  } while (false)
