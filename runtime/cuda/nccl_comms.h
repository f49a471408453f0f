//===- nccl_comms.h - The NCCL communicators of a parallel run --*- C++ -*-===//
//
// One NCCL communicator per Model::comms entry, made once the world is up
// (runtime/dist/world.h) and this rank's GPU is current: rank 0 creates a
// unique id, MPI_Bcast sends it to every rank, ncclCommInitRank makes the
// world communicator, and ncclCommSplit cuts it with the same color and key
// as the cpu target's MPI_Comm_split (runtime/dist/mesh.h), so both targets
// order every group alike.
//
// The watchdog (runtime/dist/watchdog.h) polls ncclCommGetAsyncError of
// every communicator; abortAll calls ncclCommAbort on each before
// MPI_Abort, so that no rank is left spinning in an NCCL kernel. The
// communicators are destroyed when the world finishes.
//
// A single-rank world has no NCCL communicators: every group has one member
// and the collectives are local copies (runtime/cuda/collectives.cuh).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_NCCL_COMMS_H
#define PTC_RUNTIME_CUDA_NCCL_COMMS_H

#include "runtime/data/status.h"
#include "runtime/train/model_abi.h"

#include <nccl.h>

#include <cstdint>

namespace ptc::cuda {

/// Creates the communicators of `model` (collective over every rank; the
/// world must be started and the device set).
rt::Status createNcclComms(const abi::Model &model);

/// The communicator of Model::comms[comm], or null in a single-rank world.
/// Ends the job for an index out of range or a rank outside the
/// communicator's members (which has none).
ncclComm_t ncclCommOf(int64_t comm, const char *call);

} // namespace ptc::cuda

#endif // PTC_RUNTIME_CUDA_NCCL_COMMS_H
