//===- world.h - This process's place in a parallel job ---------*- C++ -*-===//
//
// The process-wide state of a parallel run, set once at start-up by
// startWorld() and read by the collectives, the index kernels
// (mesh_coordinate) and the training loop:
//
//   * rank, world size and local rank (from the launcher, launcher.h);
//   * the rank's mesh coordinates and its place in every Model::comms
//     group (mesh.h), and on the cpu target one MPI communicator per group
//     (MPI_Comm_split with the group's color and key; none on a rank
//     outside a communicator with members, which must never call it);
//   * how to end the job: abortAll() prints "rank N: error: ..." and takes
//     every rank down (MPI_Abort), never leaving the others to hang in a
//     collective. Targets with more to tear down (NCCL) add abort hooks.
//
// A single-rank program never initializes MPI: world() is then rank 0 of 1,
// every group has one member, and the collectives are local copies.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_DIST_WORLD_H
#define PTC_RUNTIME_DIST_WORLD_H

#include "runtime/data/status.h"
#include "runtime/dist/launcher.h"
#include "runtime/dist/mesh.h"
#include "runtime/train/model_abi.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ptc::rt::dist {

struct World {
  int64_t rank = 0, size = 1, localRank = 0;
  bool mpi = false;               ///< MPI is initialized (by startWorld)
  bool threadMultiple = false;    ///< MPI gave MPI_THREAD_MULTIPLE
  std::vector<int64_t> coords;    ///< per Model::mesh axis
  std::vector<GroupPlace> groups; ///< per Model::comms entry
};

/// The current world (a single rank before startWorld).
const World &world();

/// Sets up the world of `model` for the process `env` describes: checks the
/// world size (checkWorldSize), initializes MPI when the job has more than
/// one rank or a launcher started it with more than one, and creates the
/// communicators. Call once, before anything else of the run.
Status startWorld(const abi::Model &model, const LaunchEnv &env);

/// Waits for every rank and finalizes MPI (when startWorld initialized it).
void finishWorld();

/// Tests: a world with these coordinates and groups, without MPI.
void setWorldForTesting(const World &world);

/// "rank 3: " in a job of several ranks, else "".
std::string rankPrefix();

/// Prints "<rankPrefix>error: <message>" on stderr, runs the abort hooks
/// and ends the whole job (MPI_Abort when MPI is up, else exit status 1).
[[noreturn]] void abortAll(const std::string &message);

/// Runs before MPI_Abort in abortAll (e.g. ncclCommAbort of every NCCL
/// communicator). Hooks must not block for long.
void addAbortHook(void (*hook)());

/// Runs at the start of finishWorld, before MPI is finalized (e.g.
/// ncclCommDestroy of every NCCL communicator).
void addFinishHook(void (*hook)());

/// Host bytes between two ranks of MPI_COMM_WORLD (checkpoint gathers).
/// Failures abort the job.
void sendBytes(const void *data, int64_t bytes, int64_t toRank, int tag);
void recvBytes(void *data, int64_t bytes, int64_t fromRank, int tag);
/// Waits for every rank (nothing without MPI).
void barrier();
/// True on every rank when `flag` is true on any (a logical-or allreduce
/// over MPI_COMM_WORLD; `flag` itself without MPI). Every rank must call
/// it, e.g. after each step to agree on stopping at a SIGTERM that reached
/// only some ranks.
bool anyRank(bool flag);

} // namespace ptc::rt::dist

#endif // PTC_RUNTIME_DIST_WORLD_H
