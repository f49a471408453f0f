//===- launcher.h - Rank and world size from the launcher -------*- C++ -*-===//
//
// A ptc program learns its place in the job from the environment its
// launcher sets, checked in this order (the first launcher whose variables
// are present wins):
//
//   Open MPI mpirun   OMPI_COMM_WORLD_RANK, OMPI_COMM_WORLD_SIZE,
//                     OMPI_COMM_WORLD_LOCAL_RANK
//   Slurm srun        SLURM_PROCID, SLURM_STEP_NUM_TASKS (else
//                     SLURM_NTASKS), SLURM_LOCALID; only with SLURM_STEP_ID
//                     set: a batch script has SLURM_PROCID=0 and the
//                     allocation's SLURM_NTASKS without being a task of srun
//   PMI (MPICH, ...)  PMI_RANK, PMI_SIZE, MPI_LOCALRANKID or PMI_LOCAL_RANK
//   torchrun style    RANK, WORLD_SIZE, LOCAL_RANK
//
// The local rank (the rank among the processes of one node) picks the GPU;
// it defaults to 0 when the launcher does not say. A launcher variable that
// is set but not a number, or a rank outside [0, size), is an error naming
// the variable: a half-configured job must not silently run as one process.
// So is a rank without a size of mpirun or PMI; the generic torchrun names
// count only as a pair.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_DIST_LAUNCHER_H
#define PTC_RUNTIME_DIST_LAUNCHER_H

#include "runtime/data/status.h"

#include <cstdint>
#include <functional>
#include <string>

namespace ptc::rt::dist {

struct LaunchEnv {
  /// "mpirun", "srun", "PMI", "torchrun"; empty when no launcher is seen.
  std::string launcher;
  int64_t rank = 0, size = 1, localRank = 0;

  bool launched() const { return !launcher.empty(); }
};

/// getenv, or a map in tests: the value of a variable, or null when unset.
using EnvLookup = std::function<const char *(const char *)>;

/// Reads the launcher's variables through `env` into *out (a single process,
/// launcher empty, when none is set).
Status readLaunchEnv(const EnvLookup &env, LaunchEnv *out);

/// readLaunchEnv over the process environment.
Status readLaunchEnv(LaunchEnv *out);

} // namespace ptc::rt::dist

#endif // PTC_RUNTIME_DIST_LAUNCHER_H
