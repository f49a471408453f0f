//===- mpi_check.h - Checked MPI calls --------------------------*- C++ -*-===//
//
// PTC_MPI_CHECK(call) ends the whole job when `call` fails, printing
//   rank 2: error: mpi: <file>:<line>: `call` failed: <MPI error string>
//     hint: <what usually causes it>
// MPI_COMM_WORLD returns errors (MPI_ERRORS_RETURN) instead of aborting
// inside MPI, so every failure comes through here with its call site.
//
// Includes mpi.h: only runtime/dist and the NCCL bootstrap use it, never
// emitted code.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_DIST_MPI_CHECK_H
#define PTC_RUNTIME_DIST_MPI_CHECK_H

// The C API only: Open MPI's (and MPICH's) deprecated C++ bindings would
// need their own library at link time.
#ifndef OMPI_SKIP_MPICXX
#define OMPI_SKIP_MPICXX 1
#endif
#ifndef MPICH_SKIP_MPICXX
#define MPICH_SKIP_MPICXX 1
#endif
#include <mpi.h>

#include <cstdint>

namespace ptc::rt::dist {

[[noreturn]] void mpiFailed(int code, const char *call, const char *file,
                            int line);

/// The MPI communicator of Model::comms[comm] (MPI_COMM_SELF for a
/// single-rank world).
MPI_Comm groupComm(int64_t comm);

} // namespace ptc::rt::dist

#define PTC_MPI_CHECK(call)                                                    \
  do {                                                                         \
    int ptcMpiRc_ = (call);                                                    \
    if (ptcMpiRc_ != MPI_SUCCESS)                                              \
      ::ptc::rt::dist::mpiFailed(ptcMpiRc_, #call, __FILE__, __LINE__);        \
  } while (0)

#endif // PTC_RUNTIME_DIST_MPI_CHECK_H
