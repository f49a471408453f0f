//===- weights_save.cpp - Gathering the parameters into one file ----------===//
//
// Every rank that holds a piece of a saved parameter sends it to rank 0 as
// host bytes over MPI; rank 0 reassembles the full tensors (the
// shard_unslice math of runtime/dist/shard_index.h) and writes the file;
// every rank waits until it exists. The holders of piece (part, chunk) of
// parameter i of pipeline stage p: pp coordinate p, the split axis's
// coordinate `part`, the ZeRO-1 axis's `chunk`, 0 on every other axis.
// Copies (checkpointIndex -1) are not saved: their original is.
//
// Order: each holder sends its pieces in its table's parameter order, and
// rank 0 takes the stages in turn, each in that same order, placing every
// tensor at its checkpoint index: what rank 0 waits for from a rank is
// always that rank's next message, so no blocking send waits forever.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/weights.h"

#include "runtime/cpu/shard.h"
#include "runtime/dist/world.h"
#include "runtime/train/model_check.h"
#include "runtime/train/safetensors.h"
#include "runtime/train/weights_pieces.h"

#include <algorithm>
#include <cstring>

namespace ptc::rt::train {

namespace {

using detail::byWidth;
using detail::product;

// Where parameter i of a stage's table lives in the mesh: its stage, its
// tensor-parallel split axis and its ZeRO-1 chunk axis (-1: none).
struct SavedAxes {
  int32_t pp = -1, split = -1, chunk = -1;
  int64_t stage = 0;
};

SavedAxes savedAxes(const abi::Model &model, int32_t i, int64_t stage,
                    int64_t worldSize) {
  SavedAxes axes;
  axes.pp = dist::findMeshAxis(model, "pp");
  axes.stage = stage;
  if (worldSize > 1 && dist::isSplitParam(model, i))
    axes.split = model.paramLayouts[i].splitAxis;
  if (worldSize > 1 && dist::isZeroChunkParam(model, i))
    axes.chunk = model.paramLayouts[i].zeroAxis;
  return axes;
}

// True when the rank at `coords` (on the parameter's stage) holds a piece
// to save: 0 on every mesh axis but the pipeline, split and chunk ones.
bool holdsSavedPiece(const abi::Model &model, const SavedAxes &axes,
                     const std::vector<int64_t> &coords) {
  for (int32_t a = 0; a < model.numMeshAxes; ++a)
    if (a != axes.pp && a != axes.split && a != axes.chunk &&
        coords[size_t(a)] != 0)
      return false;
  return true;
}

// The global rank that holds chunk `chunk` of piece `part`.
int64_t slotRank(const abi::Model &model, const SavedAxes &axes, int64_t part,
                 int64_t chunk) {
  std::vector<int64_t> coords(size_t(model.numMeshAxes), 0);
  if (axes.pp >= 0)
    coords[size_t(axes.pp)] = axes.stage;
  if (axes.split >= 0)
    coords[size_t(axes.split)] = part;
  if (axes.chunk >= 0)
    coords[size_t(axes.chunk)] = chunk;
  return dist::meshRank(model, coords);
}

// The MPI tag of parameter i's pieces (tags are only guaranteed up to
// 32767; messages between two ranks arrive in order anyway).
int pieceTag(int32_t i) { return int(i % 32767); }

// Rank 0's bytes of the rank tensor `part` of parameter i (its
// tensor-parallel piece `part`, or the whole tensor): its own slot `local`
// or slots received from their ranks, the ZeRO-1 chunks concatenated and
// their padding dropped.
std::vector<uint8_t> gatherPiece(const abi::Model &model, int32_t i,
                                 const SavedAxes &axes,
                                 const std::vector<uint8_t> &local,
                                 int64_t part) {
  const int64_t width = abi::byteWidth(model.params[i].type);
  const std::vector<int64_t> shape = dist::rankParamShape(model, i);
  const int64_t pieceBytes = product(shape, 0, shape.size()) * width;
  const int64_t chunks =
      axes.chunk >= 0 ? model.mesh[axes.chunk].size : int64_t(1);
  const int64_t bytes = slotBytes(model.params[i]);
  std::vector<uint8_t> piece(size_t(std::max(pieceBytes, bytes * chunks)));
  for (int64_t c = 0; c < chunks; ++c) {
    uint8_t *into = piece.data() + c * bytes;
    const int64_t from = slotRank(model, axes, part, c);
    if (from == 0)
      std::memcpy(into, local.data(), size_t(bytes));
    else
      dist::recvBytes(into, bytes, from, pieceTag(i));
  }
  piece.resize(size_t(pieceBytes));
  return piece;
}

// Rank 0's full tensor of parameter i.
void assembleFull(const abi::Model &model, int32_t i, const SavedAxes &axes,
                  const std::vector<uint8_t> &local,
                  std::vector<uint8_t> &full) {
  if (axes.split < 0) {
    full = gatherPiece(model, i, axes, local, 0);
    return;
  }
  const detail::SplitView v = detail::splitView(model, i);
  std::vector<uint8_t> gathered;
  for (int64_t part = 0; part < v.split.parts; ++part) {
    std::vector<uint8_t> piece = gatherPiece(model, i, axes, local, part);
    gathered.insert(gathered.end(), piece.begin(), piece.end());
  }
  full.resize(gathered.size());
  byWidth(abi::byteWidth(model.params[i].type), [&](auto word) {
    using W = decltype(word);
    cpu::shard_unslice(reinterpret_cast<W *>(full.data()),
                       reinterpret_cast<const W *>(gathered.data()), v.outer,
                       v.inner, v.split);
  });
}

int32_t stageCount(const abi::Model &program) {
  return program.numPipelineModels > 1 ? program.numPipelineModels : 1;
}

// Rank 0: every stage's saved parameters, full, at their checkpoint index;
// `mine` is rank 0's own table (stage 0).
Status gatherAll(const abi::Model &program, DeviceArenas &arenas,
                 std::vector<TensorView> &views,
                 std::vector<std::vector<uint8_t>> &full) {
  const int64_t worldSize = dist::world().size;
  for (int32_t p = 0; p < stageCount(program); ++p) {
    const abi::Model &model = stageModel(program, p);
    for (int32_t i = 0; i < model.numParams; ++i) {
      if (isCheckpointCopy(program, model, i))
        continue;
      const abi::TensorSlot &slot = model.params[i];
      std::vector<uint8_t> local;
      if (p == 0) {
        local.resize(size_t(slotBytes(slot)));
        if (Status s = arenas.read(slot, local.data()); !s)
          return s;
      }
      const size_t at = program.numCheckpointParams > 0
                            ? size_t(model.paramLayouts[i].checkpointIndex)
                            : size_t(i);
      assembleFull(model, i, savedAxes(model, i, p, worldSize), local,
                   full[at]);
      views[at] = {slot.name, slot.type, checkpointShapeOf(model, i),
                   full[at].data()};
    }
  }
  return Status::ok();
}

// Any other rank: its pieces of its stage's saved parameters, to rank 0.
Status sendPieces(const abi::Model &program, DeviceArenas &arenas,
                  int64_t ppRank) {
  const dist::World &world = dist::world();
  const abi::Model &model = stageModel(program, ppRank);
  for (int32_t i = 0; i < model.numParams; ++i) {
    if (isCheckpointCopy(program, model, i) ||
        !holdsSavedPiece(model, savedAxes(model, i, ppRank, world.size),
                         world.coords))
      continue;
    std::vector<uint8_t> local(size_t(slotBytes(model.params[i])));
    if (Status s = arenas.read(model.params[i], local.data()); !s)
      return s;
    dist::sendBytes(local.data(), int64_t(local.size()), 0, pieceTag(i));
  }
  return Status::ok();
}

} // namespace

Status saveWeights(const std::string &path, const abi::Model &model,
                   DeviceArenas &arenas, int64_t step, int64_t ppRank) {
  const dist::World &world = dist::world();
  Status s = Status::ok();
  if (world.rank != 0) {
    s = sendPieces(model, arenas, ppRank);
  } else {
    const size_t count = checkpointOrder(model).size();
    std::vector<TensorView> views(count);
    std::vector<std::vector<uint8_t>> full(count);
    s = gatherAll(model, arenas, views, full);
    // Rank 0 writes; the others wait so that the file exists when any rank
    // is done. A write error on rank 0 ends every rank (run_main.cpp).
    if (s)
      s = writeSafetensors(path, views,
                           {{"format", "pt"},
                            {"ptc_model", model.name},
                            {"ptc_abi", std::to_string(abi::kVersion)},
                            {"ptc_step", std::to_string(step)}});
  }
  if (s)
    dist::barrier();
  return s;
}

} // namespace ptc::rt::train
