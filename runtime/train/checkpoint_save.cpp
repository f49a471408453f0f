//===- checkpoint_save.cpp - Every rank writes its own state --------------===//
//
// Order of a save (collective; checkpoint.h describes the layout):
//   1. rank 0 creates DIR/step_N and removes a manifest.json left there by
//      an earlier save of that step (a resumed run that saves the same step
//      again), so that no rank file is replaced under a complete manifest;
//      barrier;
//      every rank copies the tensors it saves to host memory (a Snapshot:
//      what the step waits for; the rest may run on another thread);
//   2. every rank writes rank_R.bin with them (a temporary, fsync, rename,
//      the directory synced) and sends its index (JSON) to rank 0;
//   3. rank 0 writes manifest.json the same way: the checkpoint is complete
//      from its rename on. It then deletes the checkpoints past `keep` (each
//      made incomplete first: manifest.json goes before the rest).
// saveCheckpoint runs them in turn and ends with a barrier; the training
// loop runs 2 and 3 on a thread (loop_checkpoints.h).
// A crash before 3 leaves a directory without manifest.json, which resuming
// never picks; the previous checkpoint is untouched until 3 is done.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/checkpoint.h"

#include "runtime/data/file_io.h"
#include "runtime/dist/world.h"
#include "runtime/train/crc32.h"
#include "runtime/train/model_check.h"
#include "runtime/train/safetensors.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <unistd.h>

namespace ptc::rt::train {

namespace fs = std::filesystem;

namespace {

constexpr int kIndexSizeTag = 32100, kIndexTag = 32101;

Status fsError(const std::string &path, const std::string &what) {
  return Status::error("checkpoint '" + path + "': " + what);
}

std::string rankFileName(int64_t rank) {
  char name[32];
  std::snprintf(name, sizeof name, "rank_%05lld.bin", (long long)rank);
  return name;
}

// Rank 0, step 1.
Status prepareDirectory(const std::string &dir, const std::string &path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec)
    return fsError(path, "cannot create the directory: " + ec.message());
  const std::string manifest = path + "/manifest.json";
  if (::unlink(manifest.c_str()) != 0 && errno != ENOENT)
    return fsError(manifest, "cannot remove the stale manifest: " +
                                 detail::systemError());
  if (!detail::syncDirectory(path) || !detail::syncDirectory(dir))
    return fsError(path, "cannot sync the directory: " + detail::systemError());
  return Status::ok();
}

nlohmann::json shapeOf(const abi::TensorSlot &slot) {
  nlohmann::json shape = nlohmann::json::array();
  for (int32_t d = 0; d < slot.rank; ++d)
    shape.push_back(slot.shape[d]);
  return shape;
}

// Step 2: this rank's file; *index gets its entry of the manifest (null
// when the rank saves nothing).
Status writeRankFile(const Snapshot &snap, nlohmann::json *index) {
  if (snap.tensors.empty())
    return Status::ok();
  const int64_t rank = dist::world().rank;
  const std::string file = rankFileName(rank);
  nlohmann::json tensors = nlohmann::json::array();
  int64_t offset = 0;
  auto body = [&](int fd) {
    for (size_t i = 0; i < snap.tensors.size(); ++i) {
      const StateTensor &t = snap.tensors[i];
      const std::vector<uint8_t> &host = snap.bytes[i];
      const int64_t bytes = int64_t(host.size());
      if (!detail::writeFull(fd, host.data(), host.size()))
        return false;
      tensors.push_back({{"name", t.name},
                         {"kind", t.kind},
                         {"stage", t.stage},
                         {"dtype", safetensorsDType(t.slot->type)},
                         {"shape", shapeOf(*t.slot)},
                         {"offset", offset},
                         {"bytes", bytes},
                         {"crc32", detail::crc32(host.data(), host.size())}});
      offset += bytes;
    }
    return true;
  };
  detail::WriteFailure why;
  if (!detail::writeFileAtomically(snap.path + "/" + file, body, &why))
    return fsError(why.path, why.message);
  *index = {{"rank", rank},
            {"file", file},
            {"bytes", offset},
            {"tensors", std::move(tensors)}};
  return Status::ok();
}

// Rank 0: every rank's index, in rank order (ranks that save nothing send
// an empty text).
nlohmann::json gatherIndices(const nlohmann::json &own) {
  const dist::World &world = dist::world();
  if (world.rank != 0) {
    const std::string text = own.is_null() ? "" : own.dump();
    const int64_t size = int64_t(text.size());
    dist::sendBytes(&size, sizeof size, 0, kIndexSizeTag);
    if (size > 0)
      dist::sendBytes(text.data(), size, 0, kIndexTag);
    return nullptr;
  }
  nlohmann::json shards = nlohmann::json::array();
  if (!own.is_null())
    shards.push_back(own);
  for (int64_t r = 1; r < world.size; ++r) {
    int64_t size = 0;
    dist::recvBytes(&size, sizeof size, r, kIndexSizeTag);
    if (size == 0)
      continue;
    std::string text(size_t(size), '\0');
    dist::recvBytes(text.data(), size, r, kIndexTag);
    shards.push_back(nlohmann::json::parse(text));
  }
  return shards;
}

Status writeManifest(const std::string &path, const abi::Model &program,
                     const TrainingState &state, nlohmann::json shards,
                     int64_t *totalBytes) {
  *totalBytes = 0;
  for (const nlohmann::json &shard : shards)
    *totalBytes += shard["bytes"].get<int64_t>();
  nlohmann::ordered_json manifest = {
      {"format", "ptc-checkpoint"},
      {"format_version", 1},
      {"model", program.name},
      {"abi", abi::kVersion},
      {"plan", describePlan(program)},
      {"world_size", dist::meshWorldSize(program)},
      {"settings", program.settings ? program.settings : ""},
      {"step", state.step},
      {"samples", state.samples},
      {"data_position", state.dataPosition},
      {"seed", state.seed},
      {"bytes", *totalBytes},
      {"shards", std::move(shards)}};
  const std::string text = manifest.dump(1) + "\n";
  detail::WriteFailure why;
  if (!detail::writeFileAtomically(
          path + "/manifest.json",
          [&](int fd) { return detail::writeFull(fd, text.data(), text.size()); },
          &why))
    return fsError(why.path, why.message);
  return Status::ok();
}

} // namespace

Status takeSnapshot(const std::string &dir, const abi::Model &program,
                    const abi::Model &model, int64_t stage,
                    DeviceArenas &arenas, const TrainingState &state,
                    int64_t keep, Snapshot *snap) {
  const auto start = std::chrono::steady_clock::now();
  const dist::World &world = dist::world();
  if (Status s = checkCheckpointable(model); !s)
    return s;
  snap->dir = dir;
  snap->path = checkpointPath(dir, state.step);
  snap->program = &program;
  snap->state = state;
  snap->keep = keep;
  snap->tensors.clear();
  snap->bytes.clear();
  if (world.rank == 0)
    if (Status s = prepareDirectory(dir, snap->path); !s)
      return s;
  dist::barrier();
  for (const StateTensor &t : stateTensors(model, stage, world.coords)) {
    if (t.writer != world.rank)
      continue;
    snap->tensors.push_back(t);
    snap->bytes.emplace_back(size_t(slotBytes(*t.slot)));
    if (Status s = arenas.read(*t.slot, snap->bytes.back().data()); !s)
      return s;
  }
  snap->copySeconds = std::chrono::duration<double>(
                          std::chrono::steady_clock::now() - start)
                          .count();
  return Status::ok();
}

Status writeSnapshot(const Snapshot &snap, SaveInfo *info) {
  const auto start = std::chrono::steady_clock::now();
  nlohmann::json own;
  if (Status s = writeRankFile(snap, &own); !s)
    return s;
  nlohmann::json shards = gatherIndices(own);
  int64_t bytes = 0;
  if (dist::world().rank == 0) {
    Status s = writeManifest(snap.path, *snap.program, snap.state,
                             std::move(shards), &bytes);
    if (s && !detail::syncDirectory(snap.dir))
      s = fsError(snap.dir,
                  "cannot sync the directory: " + detail::systemError());
    if (s)
      s = pruneCheckpoints(snap.dir, snap.keep);
    if (!s)
      return s;
  }
  info->path = snap.path;
  info->bytes = bytes;
  info->seconds = snap.copySeconds;
  info->writeSeconds = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  return Status::ok();
}

Status saveCheckpoint(const std::string &dir, const abi::Model &program,
                      const abi::Model &model, int64_t stage,
                      DeviceArenas &arenas, const TrainingState &state,
                      int64_t keep, SaveInfo *info) {
  Snapshot snap;
  if (Status s = takeSnapshot(dir, program, model, stage, arenas, state, keep,
                              &snap);
      !s)
    return s;
  if (Status s = writeSnapshot(snap, info); !s)
    return s;
  dist::barrier();
  info->seconds += info->writeSeconds;
  return Status::ok();
}

} // namespace ptc::rt::train
