//===- p2p.cpp - Point-to-point messages of pipeline stages ---------------===//

#include "runtime/dist/p2p.h"

#include "runtime/dist/mpi_check.h"
#include "runtime/dist/world.h"

#include <climits>
#include <deque>
#include <string>

namespace ptc::rt::dist {

namespace {

// A posted send: its request and the bytes MPI reads until it completes
// (a deque: a buffer never moves while MPI reads it).
struct PendingSend {
  MPI_Request request = MPI_REQUEST_NULL;
  std::vector<uint8_t> bytes;
};
std::deque<PendingSend> gSends;

Status checkCount(int64_t count, const char *call) {
  // One message per slot: an activation above 2 GiB would need chunking,
  // and no pipeline stage sends one on the cpu target.
  if (count < 0 || count > INT_MAX)
    return Status::error(std::string(call) + ": " + std::to_string(count) +
                         " bytes; one message holds 0 to " +
                         std::to_string(INT_MAX));
  return Status::ok();
}

} // namespace

Status checkGroupMember(int64_t comm, int64_t index, bool notSelf,
                        const char *call, const char *what) {
  const World &w = world();
  const std::string at = std::string(call) + ": communicator " +
                         std::to_string(comm);
  if (comm < 0 || comm >= int64_t(w.groups.size()))
    return Status::error(at + " does not exist (the model has " +
                         std::to_string(w.groups.size()) + ")");
  const GroupPlace &place = w.groups[size_t(comm)];
  if (!place.member)
    return Status::error(at + ": this rank (" + std::to_string(w.rank) +
                         ") is not one of its members");
  if (index < 0 || index >= place.size || (notSelf && index == place.key))
    return Status::error(at + ": " + what + " " + std::to_string(index) +
                         " is not " + (notSelf ? "another member" : "a member") +
                         " of a group of " + std::to_string(place.size) +
                         " where this rank is member " +
                         std::to_string(place.key));
  return Status::ok();
}

Status isend(int64_t comm, int64_t peer, std::vector<uint8_t> bytes) {
  if (Status s = checkGroupMember(comm, peer, true, "send", "peer"); !s)
    return s;
  if (Status s = checkCount(int64_t(bytes.size()), "send"); !s)
    return s;
  PendingSend &send = gSends.emplace_back();
  send.bytes = std::move(bytes);
  PTC_MPI_CHECK(MPI_Isend(send.bytes.data(), int(send.bytes.size()), MPI_BYTE,
                          int(peer), 0, groupComm(comm), &send.request));
  return Status::ok();
}

Status recvInto(int64_t comm, int64_t peer, void *data, int64_t count) {
  if (Status s = checkGroupMember(comm, peer, true, "recv", "peer"); !s)
    return s;
  if (Status s = checkCount(count, "recv"); !s)
    return s;
  MPI_Status status;
  PTC_MPI_CHECK(MPI_Recv(data, int(count), MPI_BYTE, int(peer), 0,
                         groupComm(comm), &status));
  int got = 0;
  PTC_MPI_CHECK(MPI_Get_count(&status, MPI_BYTE, &got));
  if (got != count)
    return Status::error("recv: communicator " + std::to_string(comm) +
                         ": expected " + std::to_string(count) +
                         " bytes from member " + std::to_string(peer) +
                         ", got " + std::to_string(got) +
                         " (the two stages disagree on the slot)");
  return Status::ok();
}

void waitSends() {
  std::vector<MPI_Request> requests;
  for (const PendingSend &send : gSends)
    requests.push_back(send.request);
  if (!requests.empty())
    PTC_MPI_CHECK(MPI_Waitall(int(requests.size()), requests.data(),
                              MPI_STATUSES_IGNORE));
  gSends.clear();
}

int64_t pendingSends() { return int64_t(gSends.size()); }

Status broadcastLoss(int64_t comm, int64_t root, double *value) {
  if (Status s = checkGroupMember(comm, root, false, "broadcastLoss", "root");
      !s)
    return s;
  if (world().groups[size_t(comm)].size == 1)
    return Status::ok(); // the root is this rank
  PTC_MPI_CHECK(
      MPI_Bcast(value, 1, MPI_DOUBLE, int(root), groupComm(comm)));
  return Status::ok();
}

} // namespace ptc::rt::dist
