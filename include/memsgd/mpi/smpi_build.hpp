#pragma once

namespace memsgd {

// True in a build for SimGrid's SMPI (cmake -DMEMSGD_SMPI=ON, which defines MEMSGD_SMPI): the
// ranks of a job are then cooperative contexts of one simulator process, sharing its memory and
// its one thread, on a simulated platform whose time MPI_Wtime reads.
#ifdef MEMSGD_SMPI
inline constexpr bool kSmpiBuild = true;
#else
inline constexpr bool kSmpiBuild = false;
#endif

}  // namespace memsgd
