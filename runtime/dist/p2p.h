//===- p2p.h - Point-to-point messages of pipeline stages -------*- C++ -*-===//
//
// The MPI side of abi::StepHost's send, recv and broadcastLoss (pipeline
// parallelism): host bytes between the two members of a Model::comms group
// (a pipeline neighbour pair, runtime/dist/mesh.h). The cpu device sends
// its slots through here (runtime/train/device.cpp); the cuda device sends
// over NCCL (runtime/cuda/nccl_p2p.h) and shares only broadcastLoss.
//
//   * isend takes the bytes (the caller's slot may be overwritten at once)
//     and posts MPI_Isend on the group's communicator; the request and the
//     buffer are kept until waitSends, which the training loop calls before
//     it acts on a step function's return;
//   * recvInto blocks until the bytes are there (MPI_Recv);
//   * broadcastLoss is MPI_Bcast of one double from member `root`.
//
// Messages on one communicator arrive in the order sent (MPI's
// non-overtaking rule; every message has tag 0). A bad communicator, peer or
// root, or a rank that is not a member of the group, is a Status naming the
// call: the program and the runtime disagree. MPI failures end the job
// (PTC_MPI_CHECK) like the collectives'.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_DIST_P2P_H
#define PTC_RUNTIME_DIST_P2P_H

#include "runtime/data/status.h"

#include <cstdint>
#include <vector>

namespace ptc::rt::dist {

/// Checks that this rank is a member of group `comm` and that member
/// `index` is another member (`notSelf`) or any member; `call` and `what`
/// ("peer", "root") name the request in the message.
Status checkGroupMember(int64_t comm, int64_t index, bool notSelf,
                        const char *call, const char *what);

/// Sends `bytes` to member `peer` of group `comm` without waiting.
Status isend(int64_t comm, int64_t peer, std::vector<uint8_t> bytes);

/// Receives `count` bytes from member `peer` of group `comm` into `data`.
Status recvInto(int64_t comm, int64_t peer, void *data, int64_t count);

/// Waits until every isend of this rank has completed and frees its
/// buffer.
void waitSends();

/// Sends since the last waitSends (tests).
int64_t pendingSends();

/// `*value` of member `root` of group `comm`, on every member.
Status broadcastLoss(int64_t comm, int64_t root, double *value);

} // namespace ptc::rt::dist

#endif // PTC_RUNTIME_DIST_P2P_H
