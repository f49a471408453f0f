//===- nccl_p2p.h - Point-to-point of pipeline stages over NCCL -*- C++ -*-===//
//
// The cuda device's abi::StepHost::send and recv (pipeline parallelism):
// device bytes between the two members of a Model::comms group, on a
// stream of that communicator's own, so that the compute stream
// (ptc::kernels::stream()) never waits for a peer it does not need:
//
//   send  copies the slot into a staging buffer on the compute stream (the
//         next entry point may overwrite the slot), makes the comm stream
//         wait for that copy, and ncclSends from the staging buffer; an
//         event after the send marks when the buffer may be reused;
//   recv  makes the comm stream wait for the compute stream's earlier work
//         (which may still read the slot), ncclRecvs into the slot, and
//         makes the compute stream wait for an event recorded after it;
//   finishSends  waits for every comm stream (the training loop calls it
//         before it acts on a step function's return).
//
// Every CUDA and NCCL call is checked: a failure ends the job (check.h,
// nccl_check.h). A bad communicator or peer is a Status naming the call.
// The streams, events and staging buffers live until the world finishes.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_NCCL_P2P_H
#define PTC_RUNTIME_CUDA_NCCL_P2P_H

#include "runtime/data/status.h"

#include <cstdint>

namespace ptc::cuda {

/// Sends `bytes` of device memory at `src` to member `peer` of `comm`.
rt::Status p2pSend(int64_t comm, int64_t peer, const void *src, int64_t bytes);
/// Receives `bytes` from member `peer` of `comm` into device memory `dst`.
rt::Status p2pRecv(int64_t comm, int64_t peer, void *dst, int64_t bytes);
/// Waits until every send has completed.
rt::Status p2pFinishSends();

} // namespace ptc::cuda

#endif // PTC_RUNTIME_CUDA_NCCL_P2P_H
