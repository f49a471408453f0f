//===- world.cpp - This process's place in a parallel job -----------------===//

#include "runtime/dist/world.h"

#include "runtime/dist/mesh_coordinate.h"
#include "runtime/dist/mpi_check.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace ptc::rt::dist {

namespace {

World gWorld;
std::vector<MPI_Comm> gComms; // per Model::comms entry, when MPI is up
std::vector<std::string> gCommNames; // for messages
bool gFinalized = false;
std::vector<void (*)()> gAbortHooks, gFinishHooks;
std::atomic<bool> gAborting{false};

const char *mpiHint(int code) {
  int errorClass = code;
  MPI_Error_class(code, &errorClass);
  switch (errorClass) {
  case MPI_ERR_COUNT:
  case MPI_ERR_BUFFER:
  case MPI_ERR_TYPE:
    return "a buffer, count or type is wrong: a runtime bug, please report it";
  case MPI_ERR_RANK:
  case MPI_ERR_ROOT:
    return "a peer or root index outside the group: a compiler bug";
  default:
    return "another rank died or the network failed; look for the first "
           "error of any rank";
  }
}

} // namespace

const World &world() { return gWorld; }

void setWorldForTesting(const World &world) { gWorld = world; }

std::string rankPrefix() {
  return gWorld.size > 1 ? "rank " + std::to_string(gWorld.rank) + ": " : "";
}

void addAbortHook(void (*hook)()) { gAbortHooks.push_back(hook); }
void addFinishHook(void (*hook)()) { gFinishHooks.push_back(hook); }

void abortAll(const std::string &message) {
  if (gAborting.exchange(true)) {
    // Another thread is already taking the job down; wait for it.
    for (;;)
      std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  std::fprintf(stderr, "%serror: %s\n", rankPrefix().c_str(), message.c_str());
  std::fflush(stderr);
  std::fflush(stdout);
  // A hook or MPI_Abort that blocks must not keep this rank alive.
  std::thread([] {
    std::this_thread::sleep_for(std::chrono::seconds(20));
    std::_Exit(1);
  }).detach();
  for (void (*hook)() : gAbortHooks)
    hook();
  if (gWorld.mpi && !gFinalized) {
    // mpirun forwards a rank's stderr asynchronously and drops what it has
    // not read when it kills the job: give it the line above first.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  std::_Exit(1);
}

void mpiFailed(int code, const char *call, const char *file, int line) {
  char text[MPI_MAX_ERROR_STRING] = {0};
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS)
    std::snprintf(text, sizeof(text), "MPI error %d", code);
  abortAll(std::string("mpi: ") + file + ":" + std::to_string(line) + ": `" +
           call + "` failed: " + text + "\n  hint: " + mpiHint(code));
}

MPI_Comm groupComm(int64_t comm) {
  if (!gWorld.mpi)
    return MPI_COMM_SELF;
  if (gComms[size_t(comm)] == MPI_COMM_NULL)
    abortAll("communicator " + std::to_string(comm) + " '" +
             gCommNames[size_t(comm)] +
             "' was called by a rank that is not one of its members (a "
             "compiler bug: only its members may call it)");
  return gComms[size_t(comm)];
}

Status startWorld(const abi::Model &model, const LaunchEnv &env) {
  if (Status s = checkParallelPlan(model); !s)
    return s;
  if (Status s = checkWorldSize(model, env); !s)
    return s;
  World w;
  w.rank = env.rank;
  w.size = env.size;
  w.localRank = env.localRank;
  w.coords = meshCoordinates(model, env.rank);
  for (int32_t c = 0; c < model.numComms; ++c)
    w.groups.push_back(groupPlace(model, model.comms[c], w.coords));
  gWorld = w;
  if (w.size == 1)
    return Status::ok();

  // Several ranks: MPI carries the cpu target's collectives and every
  // target's bootstrap and checkpoint traffic. The watchdog thread may call
  // MPI_Abort, hence the request for MPI_THREAD_MULTIPLE (MPI_Abort works
  // from any thread in practice when less is provided).
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided) !=
      MPI_SUCCESS)
    return Status::error("MPI_Init failed (launched by " + env.launcher +
                         " as rank " + std::to_string(env.rank) + " of " +
                         std::to_string(env.size) + ")");
  gWorld.mpi = true;
  gWorld.threadMultiple = provided >= MPI_THREAD_MULTIPLE;
  PTC_MPI_CHECK(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
  int mpiRank = 0, mpiSize = 0;
  PTC_MPI_CHECK(MPI_Comm_rank(MPI_COMM_WORLD, &mpiRank));
  PTC_MPI_CHECK(MPI_Comm_size(MPI_COMM_WORLD, &mpiSize));
  if (mpiRank != env.rank || mpiSize != env.size)
    return Status::error(
        env.launcher + " says this is rank " + std::to_string(env.rank) +
        " of " + std::to_string(env.size) + " but MPI sees rank " +
        std::to_string(mpiRank) + " of " + std::to_string(mpiSize) +
        "; ptc programs need an MPI launcher (mpirun, or srun with PMI "
        "support for this MPI)");
  for (size_t c = 0; c < gWorld.groups.size(); ++c) {
    const GroupPlace &place = gWorld.groups[c];
    gCommNames.push_back(model.comms[c].name ? model.comms[c].name : "?");
    // Every rank takes part in the split; one outside a communicator with
    // members gets MPI_COMM_NULL.
    MPI_Comm comm = MPI_COMM_NULL;
    PTC_MPI_CHECK(MPI_Comm_split(MPI_COMM_WORLD,
                                 place.member ? int(place.color)
                                              : MPI_UNDEFINED,
                                 int(place.key), &comm));
    if (!place.member) {
      gComms.push_back(MPI_COMM_NULL);
      continue;
    }
    int size = 0, key = 0;
    PTC_MPI_CHECK(MPI_Comm_size(comm, &size));
    PTC_MPI_CHECK(MPI_Comm_rank(comm, &key));
    if (size != place.size || key != place.key)
      abortAll("MPI_Comm_split made a group of " + std::to_string(size) +
               " with this rank at " + std::to_string(key) + ", expected " +
               std::to_string(place.size) + " and " +
               std::to_string(place.key));
    gComms.push_back(comm);
  }
  return Status::ok();
}

void finishWorld() {
  for (void (*hook)() : gFinishHooks)
    hook();
  gFinishHooks.clear();
  if (!gWorld.mpi || gFinalized)
    return;
  PTC_MPI_CHECK(MPI_Barrier(MPI_COMM_WORLD));
  for (MPI_Comm &comm : gComms)
    if (comm != MPI_COMM_NULL)
      PTC_MPI_CHECK(MPI_Comm_free(&comm));
  gComms.clear();
  gFinalized = true;
  MPI_Finalize();
}

// Messages of at most INT_MAX bytes each (MPI counts are int).
constexpr int64_t kChunk = int64_t(1) << 30;

void sendBytes(const void *data, int64_t bytes, int64_t toRank, int tag) {
  const auto *p = static_cast<const char *>(data);
  for (int64_t done = 0; done < bytes; done += kChunk)
    PTC_MPI_CHECK(MPI_Send(p + done, int(std::min(kChunk, bytes - done)),
                           MPI_BYTE, int(toRank), tag, MPI_COMM_WORLD));
}

void recvBytes(void *data, int64_t bytes, int64_t fromRank, int tag) {
  auto *p = static_cast<char *>(data);
  for (int64_t done = 0; done < bytes; done += kChunk)
    PTC_MPI_CHECK(MPI_Recv(p + done, int(std::min(kChunk, bytes - done)),
                           MPI_BYTE, int(fromRank), tag, MPI_COMM_WORLD,
                           MPI_STATUS_IGNORE));
}

void barrier() {
  if (gWorld.mpi && !gFinalized)
    PTC_MPI_CHECK(MPI_Barrier(MPI_COMM_WORLD));
}

bool anyRank(bool flag) {
  if (!gWorld.mpi || gFinalized)
    return flag;
  int mine = flag ? 1 : 0, any = 0;
  PTC_MPI_CHECK(
      MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD));
  return any != 0;
}

} // namespace ptc::rt::dist

namespace ptc::kernels {

int64_t mesh_coordinate(int64_t meshAxis) {
  const rt::dist::World &w = rt::dist::world();
  if (w.coords.empty() && w.size == 1)
    return 0; // a single rank: 0 on every axis
  if (meshAxis < 0 || meshAxis >= int64_t(w.coords.size()))
    rt::dist::abortAll("mesh_coordinate: mesh axis " +
                       std::to_string(meshAxis) +
                       " does not exist (the mesh has " +
                       std::to_string(w.coords.size()) + " axes)");
  return w.coords[size_t(meshAxis)];
}

} // namespace ptc::kernels
