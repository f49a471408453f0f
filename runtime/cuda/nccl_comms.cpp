//===- nccl_comms.cpp - The NCCL communicators of a parallel run ----------===//

#include "runtime/cuda/nccl_comms.h"

#include "runtime/cuda/check.h"
#include "runtime/cuda/nccl_check.h"
#include "runtime/dist/mpi_check.h"
#include "runtime/dist/watchdog.h"
#include "runtime/dist/world.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace ptc::cuda {

namespace dist = ptc::rt::dist;

namespace {

ncclComm_t gWorldComm = nullptr;
std::vector<ncclComm_t> gComms;      // per Model::comms entry
std::vector<std::string> gCommNames; // for messages

const char *ncclHint(ncclResult_t result) {
  switch (result) {
  case ncclSystemError:
  case ncclRemoteError:
    return "a peer rank died or the network failed (NCCL_DEBUG=WARN says "
           "more); look for the first error of any rank";
  case ncclInvalidArgument:
  case ncclInvalidUsage:
    return "a buffer, count or peer is wrong: a compiler or runtime bug";
  case ncclUnhandledCudaError:
    return "a CUDA call inside NCCL failed: check the GPU (nvidia-smi) and "
           "that every rank of a node uses its own GPU";
  default:
    return "set NCCL_DEBUG=WARN for NCCL's own account";
  }
}

// The watchdog's poll: an asynchronous error of any communicator.
rt::Status pollAsyncErrors() {
  for (size_t i = 0; i < gComms.size(); ++i) {
    if (!gComms[i])
      continue; // not a member of this one
    ncclResult_t async = ncclSuccess;
    if (ncclCommGetAsyncError(gComms[i], &async) != ncclSuccess)
      continue;
    if (async != ncclSuccess && async != ncclInProgress)
      return rt::Status::error(
          "nccl: communicator '" + gCommNames[i] +
          "' failed asynchronously: " + ncclGetErrorString(async) + ": " +
          ncclGetLastError(gComms[i]) + "\n  hint: " + ncclHint(async));
  }
  return rt::Status::ok();
}

// abortAll: stop every NCCL kernel of this rank so that nothing spins on.
void abortComms() {
  for (ncclComm_t comm : gComms)
    if (comm)
      ncclCommAbort(comm);
  if (gWorldComm)
    ncclCommAbort(gWorldComm);
  gComms.clear();
  gWorldComm = nullptr;
}

// finishWorld: the work is done; free the communicators.
void destroyComms() {
  dist::setCommPoller(nullptr);
  if (!gWorldComm)
    return;
  PTC_CUDA_CHECK(cudaDeviceSynchronize());
  for (ncclComm_t comm : gComms)
    if (comm)
      PTC_NCCL_CHECK(ncclCommDestroy(comm));
  PTC_NCCL_CHECK(ncclCommDestroy(gWorldComm));
  gComms.clear();
  gWorldComm = nullptr;
}

} // namespace

void ncclFailed(ncclResult_t result, const char *call, const char *file,
                int line) {
  dist::abortAll(std::string("nccl: ") + file + ":" + std::to_string(line) +
                 ": `" + call + "` failed: " + ncclGetErrorString(result) +
                 ": " + ncclGetLastError(nullptr) +
                 "\n  hint: " + ncclHint(result));
}

rt::Status createNcclComms(const abi::Model &model) {
  const dist::World &world = dist::world();
  if (world.size == 1 || gWorldComm)
    return rt::Status::ok();
  ncclUniqueId id{};
  if (world.rank == 0)
    PTC_NCCL_CHECK(ncclGetUniqueId(&id));
  PTC_MPI_CHECK(MPI_Bcast(&id, int(sizeof(id)), MPI_BYTE, 0, MPI_COMM_WORLD));
  // Blocking communicators; errors that surface later (a dead peer) are
  // found by the watchdog's ncclCommGetAsyncError.
  ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
  config.blocking = 1;
  PTC_NCCL_CHECK(ncclCommInitRankConfig(&gWorldComm, int(world.size), id,
                                        int(world.rank), &config));
  dist::addAbortHook(abortComms);
  dist::addFinishHook(destroyComms);
  for (int32_t c = 0; c < model.numComms; ++c) {
    const dist::GroupPlace &place = world.groups[size_t(c)];
    ncclComm_t comm = nullptr;
    ncclConfig_t splitConfig = NCCL_CONFIG_INITIALIZER;
    splitConfig.blocking = 1;
    // Every rank takes part in the split; one outside a communicator with
    // members gets none (NCCL_SPLIT_NOCOLOR) and never calls it.
    PTC_NCCL_CHECK(ncclCommSplit(gWorldComm,
                                 place.member ? int(place.color)
                                              : NCCL_SPLIT_NOCOLOR,
                                 int(place.key), &comm, &splitConfig));
    gCommNames.push_back(model.comms[c].name ? model.comms[c].name : "?");
    if (!place.member) {
      gComms.push_back(nullptr);
      continue;
    }
    int size = 0, rank = 0;
    PTC_NCCL_CHECK(ncclCommCount(comm, &size));
    PTC_NCCL_CHECK(ncclCommUserRank(comm, &rank));
    if (size != place.size || rank != place.key)
      return rt::Status::error(
          std::string("nccl: ncclCommSplit made communicator '") +
          model.comms[c].name + "' of " + std::to_string(size) +
          " ranks with this one at " + std::to_string(rank) + ", expected " +
          std::to_string(place.size) + " and " + std::to_string(place.key));
    gComms.push_back(comm);
  }
  dist::setCommPoller(pollAsyncErrors);
  return rt::Status::ok();
}

ncclComm_t ncclCommOf(int64_t comm, const char *call) {
  const dist::World &world = dist::world();
  // Before startWorld (tests) there are no groups to check against.
  const int64_t known = world.size == 1 && world.groups.empty()
                            ? INT64_MAX
                            : int64_t(world.groups.size());
  if (comm < 0 || comm >= known)
    dist::abortAll(std::string(call) + ": communicator " +
                   std::to_string(comm) + " does not exist (the model has " +
                   std::to_string(known) + ")");
  if (world.size == 1)
    return nullptr;
  if (!gComms[size_t(comm)])
    dist::abortAll(std::string(call) + ": communicator " +
                   std::to_string(comm) + " '" + gCommNames[size_t(comm)] +
                   "' was called by a rank that is not one of its members (a "
                   "compiler bug: only its members may call it)");
  return gComms[size_t(comm)];
}

} // namespace ptc::cuda
