//===- checkpoint.h - Checkpoints of the whole training state ---*- C++ -*-===//
//
// A checkpoint is a directory DIR/step_NNNNNNNN (docs/checkpoints.md):
//
//   rank_RRRRR.bin   the raw bytes of the state tensors rank R saved, one
//                    after the other: its parameters (the f32 masters), and
//                    AdamW's first and second moments, as its arenas hold
//                    them (its tensor-parallel piece, its pipeline stage's
//                    parameters, its ZeRO-1 chunk);
//   manifest.json    written last, by rank 0: the program (model name, ABI,
//                    settings, plan), the training state (step, samples,
//                    the data loader's position, the seed) and, per rank
//                    file, its size and every tensor in it (name, kind,
//                    stage, dtype, shape, offset, CRC-32).
//
// Each rank writes only what it holds, in parallel, and a tensor that
// several ranks hold alike (replicated over dp, or over tp) is written by
// one of them: the rank with coordinate 0 on every mesh axis but the
// pipeline axis and the axes the tensor is split or chunked over. Every
// file goes through a temporary name, fsync and rename; the manifest's
// rename (and the directory's fsync) makes the checkpoint complete. A
// directory without manifest.json is an incomplete save, which
// `--resume auto` never picks.
//
// Resuming needs the same plan: each rank reads back the tensors of the
// ranks that wrote what it holds (a shared file system), checking sizes and
// checksums; resharding between plans is not supported yet.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_CHECKPOINT_H
#define PTC_RUNTIME_TRAIN_CHECKPOINT_H

#include "runtime/train/arenas.h"
#include "runtime/train/model_abi.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ptc::rt::train {

/// What a checkpoint holds besides the tensors: enough to continue the run
/// bit for bit (the LR schedule and dropout are functions of the step and
/// samples; the loader's order is a function of its position and seed).
struct TrainingState {
  int64_t step = 0;          ///< optimizer steps done
  int64_t samples = 0;       ///< samples trained on through `step`
  uint64_t dataPosition = 0; ///< windows the training loader consumed
  uint64_t seed = 0;         ///< initialization, shuffle and dropout seed
};

/// One tensor of the state a rank holds, and the rank that saves it.
struct StateTensor {
  std::string name; ///< the parameter's name
  std::string kind; ///< "param", "adam_m" or "adam_v"
  const abi::TensorSlot *slot = nullptr;
  int64_t stage = 0;  ///< pipeline stage
  int64_t writer = 0; ///< global rank whose file holds it
};

/// The state tensors of stage table `model` on the rank at mesh
/// coordinates `coords` (empty: a single process).
std::vector<StateTensor> stateTensors(const abi::Model &model, int64_t stage,
                                      const std::vector<int64_t> &coords);

/// An error unless `model` names the moments of its parameters (tables of
/// hand-written test programs may not).
Status checkCheckpointable(const abi::Model &model);

/// The plan that determines which rank holds which bytes, in words
/// ("pp=1 x dp=2 x tp=2, ZeRO-1").
std::string describePlan(const abi::Model &model);

/// "DIR/step_00000012".
std::string checkpointPath(const std::string &dir, int64_t step);

/// What a save wrote (bytes known on rank 0).
struct SaveInfo {
  std::string path;
  int64_t bytes = 0;       ///< every rank's files together
  double seconds = 0;      ///< what the save cost the step
  double writeSeconds = 0; ///< writing the files (and the manifest)
};

/// A rank's state at one step, copied to host memory, to be written.
struct Snapshot {
  std::string dir, path;
  const abi::Model *program = nullptr;
  TrainingState state;
  int64_t keep = 0;
  std::vector<StateTensor> tensors;        ///< the ones this rank writes
  std::vector<std::vector<uint8_t>> bytes; ///< their bytes, same order
  double copySeconds = 0;
};

/// The first half of a save, collective: rank 0 prepares DIR/step_N, then
/// every rank copies the tensors it writes into *snap.
Status takeSnapshot(const std::string &dir, const abi::Model &program,
                    const abi::Model &model, int64_t stage,
                    DeviceArenas &arenas, const TrainingState &state,
                    int64_t keep, Snapshot *snap);

/// The second half, on every rank (on any thread when MPI allows several,
/// World::threadMultiple: it only sends the rank's index to rank 0): the
/// rank file, then on rank 0 the manifest, which completes the checkpoint,
/// and the deletion of all but the newest `keep` complete checkpoints (0:
/// none).
Status writeSnapshot(const Snapshot &snap, SaveInfo *info);

/// Both halves and a barrier: the checkpoint is complete on return.
Status saveCheckpoint(const std::string &dir, const abi::Model &program,
                      const abi::Model &model, int64_t stage,
                      DeviceArenas &arenas, const TrainingState &state,
                      int64_t keep, SaveInfo *info);

/// The newest complete checkpoint under `dir` in *path ("" when there is
/// none, or no `dir`).
Status findLatestCheckpoint(const std::string &dir, std::string *path);

/// Deletes all but the newest `keep` complete checkpoints under `dir` (0:
/// keeps them all), and incomplete ones older than the newest complete one
/// (saves a crash cut short).
Status pruneCheckpoints(const std::string &dir, int64_t keep);

/// A checkpoint's manifest, checked against the program.
struct Manifest {
  std::string path; ///< the step directory
  nlohmann::json json;
  TrainingState state;
};

/// Reads `path`/manifest.json and checks that this program can resume
/// from it: its model, plan and every tensor this rank loads (dtype,
/// shape), and the size of every rank file. One error line naming the file.
Status readManifest(const std::string &path, const abi::Model &program,
                    const abi::Model &model, int64_t stage,
                    const std::vector<int64_t> &coords, Manifest *manifest);

/// Loads this rank's tensors, each checked against its CRC-32.
Status loadCheckpoint(const Manifest &manifest, const abi::Model &model,
                      int64_t stage, const std::vector<int64_t> &coords,
                      DeviceArenas &arenas);

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_TRAIN_CHECKPOINT_H
