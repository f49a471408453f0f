//===- collectives.cpp - Collectives over MPI (the cpu target) ------------===//

#include "runtime/dist/collectives.h"

#include "runtime/dist/mpi_check.h"
#include "runtime/dist/world.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <vector>

namespace ptc::rt::dist {

namespace {

// Ends the job with the call's name when a precondition fails.
#define PTC_DIST_REQUIRE(cond, what)                                           \
  do {                                                                         \
    if (!(cond))                                                               \
      abortAll(std::string(__func__) + ": " + (what) + " (" __FILE__ ":" +     \
               std::to_string(__LINE__) + ")");                                \
  } while (0)

MPI_Datatype mpiType(abi::DType type, const char *call) {
  switch (type) {
  case abi::DType::F32:
    return MPI_FLOAT;
  case abi::DType::F64:
    return MPI_DOUBLE;
  case abi::DType::I32:
    return MPI_INT32_T;
  case abi::DType::I64:
    return MPI_INT64_T;
  default:
    abortAll(std::string(call) +
             ": the cpu target's collectives take f32, f64, i32 or i64");
  }
}

MPI_Op mpiOp(int64_t op, const char *call) {
  switch (ReduceOp(op)) {
  case ReduceOp::Sum:
  case ReduceOp::Avg:
    return MPI_SUM;
  case ReduceOp::Max:
    return MPI_MAX;
  case ReduceOp::Min:
    return MPI_MIN;
  }
  abortAll(std::string(call) + ": reduction op " + std::to_string(op) +
           " is not 0 (sum), 1 (max), 2 (min) or 3 (avg)");
}

// Group `comm`'s size, after checking the index.
int64_t checkedGroup(int64_t comm, const char *call) {
  const World &w = world();
  if (w.groups.empty() && w.size == 1)
    return 1; // before startWorld (tests, single-rank tools): one rank
  if (comm < 0 || comm >= int64_t(w.groups.size()))
    abortAll(std::string(call) + ": communicator " + std::to_string(comm) +
             " does not exist (the model has " +
             std::to_string(w.groups.size()) + ")");
  return w.groups[size_t(comm)].size;
}

// This rank's index in group `comm` (after checkedGroup).
int64_t selfKey(int64_t comm) {
  const World &w = world();
  return w.groups.empty() ? 0 : w.groups[size_t(comm)].key;
}

// buf[i] /= n for the average of n ranks' sums.
void divide(void *buf, int64_t count, abi::DType type, int64_t n) {
  for (int64_t i = 0; i < count; ++i)
    switch (type) {
    case abi::DType::F32:
      static_cast<float *>(buf)[i] /= float(n);
      break;
    case abi::DType::F64:
      static_cast<double *>(buf)[i] /= double(n);
      break;
    case abi::DType::I32:
      static_cast<int32_t *>(buf)[i] /= int32_t(n);
      break;
    case abi::DType::I64:
      static_cast<int64_t *>(buf)[i] /= n;
      break;
    default:
      break;
    }
}

// MPI counts are int: elementwise calls go in chunks of at most this many.
constexpr int64_t kChunk = int64_t(1) << 30;

bool gGrouped = false;
std::vector<MPI_Request> gPending;

} // namespace

int64_t groupSize(int64_t comm) { return checkedGroup(comm, "groupSize"); }

int64_t groupIndex(int64_t comm) {
  checkedGroup(comm, "groupIndex");
  return selfKey(comm);
}

void allReduce(void *buf, int64_t count, abi::DType type, int64_t comm,
               int64_t op) {
  const int64_t n = checkedGroup(comm, "all_reduce");
  const MPI_Datatype t = mpiType(type, "all_reduce");
  const MPI_Op mop = mpiOp(op, "all_reduce");
  PTC_DIST_REQUIRE(count >= 0, "negative count " + std::to_string(count));
  if (n == 1)
    return;
  const int64_t width = abi::byteWidth(type);
  for (int64_t done = 0; done < count; done += kChunk)
    PTC_MPI_CHECK(MPI_Allreduce(
        MPI_IN_PLACE, static_cast<char *>(buf) + done * width,
        int(std::min(kChunk, count - done)), t, mop, groupComm(comm)));
  if (ReduceOp(op) == ReduceOp::Avg)
    divide(buf, count, type, n);
}

void allGather(void *out, const void *in, int64_t inCount, abi::DType type,
               int64_t comm) {
  const int64_t n = checkedGroup(comm, "all_gather");
  const MPI_Datatype t = mpiType(type, "all_gather");
  PTC_DIST_REQUIRE(inCount >= 0 && inCount <= INT_MAX,
                   "count " + std::to_string(inCount) +
                       " outside [0, INT_MAX] (MPI counts are int)");
  if (n == 1) {
    std::memmove(out, in, size_t(inCount * abi::byteWidth(type)));
    return;
  }
  PTC_MPI_CHECK(MPI_Allgather(in, int(inCount), t, out, int(inCount), t,
                              groupComm(comm)));
}

void reduceScatter(void *out, const void *in, int64_t outCount, abi::DType type,
                   int64_t comm, int64_t op) {
  const int64_t n = checkedGroup(comm, "reduce_scatter");
  const MPI_Datatype t = mpiType(type, "reduce_scatter");
  const MPI_Op mop = mpiOp(op, "reduce_scatter");
  PTC_DIST_REQUIRE(outCount >= 0 && outCount <= INT_MAX,
                   "count " + std::to_string(outCount) +
                       " outside [0, INT_MAX] (MPI counts are int)");
  if (n == 1) {
    std::memmove(out, in, size_t(outCount * abi::byteWidth(type)));
    return;
  }
  PTC_MPI_CHECK(MPI_Reduce_scatter_block(in, out, int(outCount), t, mop,
                                         groupComm(comm)));
  if (ReduceOp(op) == ReduceOp::Avg)
    divide(out, outCount, type, n);
}

void broadcast(void *buf, int64_t count, abi::DType type, int64_t comm,
               int64_t root) {
  const int64_t n = checkedGroup(comm, "broadcast");
  const MPI_Datatype t = mpiType(type, "broadcast");
  PTC_DIST_REQUIRE(root >= 0 && root < n, "root " + std::to_string(root) +
                                              " outside a group of " +
                                              std::to_string(n));
  PTC_DIST_REQUIRE(count >= 0, "negative count " + std::to_string(count));
  if (n == 1)
    return;
  const int64_t width = abi::byteWidth(type);
  for (int64_t done = 0; done < count; done += kChunk)
    PTC_MPI_CHECK(MPI_Bcast(static_cast<char *>(buf) + done * width,
                            int(std::min(kChunk, count - done)), t, int(root),
                            groupComm(comm)));
}

/// The MPI type of a point-to-point transfer, after checking that `peer` is
/// another member of the group and `count` fits MPI's int; failures name
/// the call (`what`), as PTC_DIST_REQUIRE does.
static MPI_Datatype checkedPeer(int64_t count, abi::DType type, int64_t comm,
                                int64_t peer, const char *what) {
  const int64_t n = checkedGroup(comm, what);
  const MPI_Datatype t = mpiType(type, what);
  auto require = [&](bool cond, const std::string &message) {
    if (!cond)
      abortAll(std::string(what) + ": " + message + " (" __FILE__ ")");
  };
  require(peer >= 0 && peer < n && peer != selfKey(comm),
          "peer " + std::to_string(peer) +
              " is not another member of a group of " + std::to_string(n));
  require(count >= 0 && count <= INT_MAX,
          "count " + std::to_string(count) +
              " outside [0, INT_MAX] (MPI counts are int)");
  return t;
}

void send(const void *buf, int64_t count, abi::DType type, int64_t comm,
          int64_t peer) {
  const MPI_Datatype t = checkedPeer(count, type, comm, peer, "send");
  if (gGrouped) {
    MPI_Request request;
    PTC_MPI_CHECK(
        MPI_Isend(buf, int(count), t, int(peer), 0, groupComm(comm), &request));
    gPending.push_back(request);
    return;
  }
  PTC_MPI_CHECK(MPI_Send(buf, int(count), t, int(peer), 0, groupComm(comm)));
}

void recv(void *buf, int64_t count, abi::DType type, int64_t comm,
          int64_t peer) {
  const MPI_Datatype t = checkedPeer(count, type, comm, peer, "recv");
  if (gGrouped) {
    MPI_Request request;
    PTC_MPI_CHECK(
        MPI_Irecv(buf, int(count), t, int(peer), 0, groupComm(comm), &request));
    gPending.push_back(request);
    return;
  }
  PTC_MPI_CHECK(MPI_Recv(buf, int(count), t, int(peer), 0, groupComm(comm),
                         MPI_STATUS_IGNORE));
}

void groupStart() {
  PTC_DIST_REQUIRE(!gGrouped, "groups do not nest");
  gGrouped = true;
}

void groupEnd() {
  PTC_DIST_REQUIRE(gGrouped, "no group_start before group_end");
  gGrouped = false;
  if (!gPending.empty())
    PTC_MPI_CHECK(MPI_Waitall(int(gPending.size()), gPending.data(),
                              MPI_STATUSES_IGNORE));
  gPending.clear();
}

} // namespace ptc::rt::dist
