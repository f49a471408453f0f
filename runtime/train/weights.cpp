//===- weights.cpp - A model's parameters as a safetensors file -----------===//
//
// Parallel runs read and write the same files as a single process: full
// tensors. Saving: the ranks that hold the pieces of a split parameter (dp,
// pp and every other coordinate 0 except the split axis) send them to rank
// 0 over MPI as host bytes, rank 0 reassembles them (the shard_unslice
// math of runtime/dist/shard_index.h) and writes the file; every rank waits
// until it exists. Loading: every rank reads the file and keeps its piece
// (the shard_slice math). Padded vocabulary tables are saved without their
// padding rows, and those rows are zero after a load.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/weights.h"

#include "runtime/cpu/shard.h"
#include "runtime/dist/mesh.h"
#include "runtime/dist/world.h"
#include "runtime/train/model_check.h"
#include "runtime/train/safetensors.h"

#include <cstring>

namespace ptc::rt::train {

namespace {

std::vector<int64_t> shapeOf(const abi::TensorSlot &slot) {
  return std::vector<int64_t>(slot.shape, slot.shape + slot.rank);
}

// The full (checkpoint) shape of parameter i.
std::vector<int64_t> fullShapeOf(const abi::Model &model, int32_t i) {
  if (!dist::isSplitParam(model, i))
    return shapeOf(model.params[i]);
  const abi::ParamLayout &layout = model.paramLayouts[i];
  return std::vector<int64_t>(layout.globalShape,
                              layout.globalShape + layout.rank);
}

// The shape parameter i has in checkpoints: the full shape, but only the
// vocabulary's rows of a padded vocabulary table (ParamLayout::
// checkpointRows). Those rows are a prefix of the row-major full tensor.
std::vector<int64_t> checkpointShapeOf(const abi::Model &model, int32_t i) {
  std::vector<int64_t> shape = fullShapeOf(model, i);
  if (!shape.empty() && model.paramLayouts) {
    const int64_t rows = model.paramLayouts[i].checkpointRows;
    if (rows > 0 && rows < shape[0])
      shape[0] = rows;
  }
  return shape;
}

int64_t product(const std::vector<int64_t> &shape, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t d = begin; d < end; ++d)
    n *= shape[d];
  return n;
}

std::string describe(abi::DType type, const std::vector<int64_t> &shape) {
  std::string s = std::string(safetensorsDType(type)) + " [";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// Parameter i's split as [outer, dim, inner] around its split dimension.
struct SplitView {
  dist::SegmentSplit split;
  int64_t outer = 1, inner = 1;
};

SplitView splitView(const abi::Model &model, int32_t i) {
  const abi::ParamLayout &layout = model.paramLayouts[i];
  const std::vector<int64_t> full = fullShapeOf(model, i);
  SplitView v;
  v.split = dist::paramSplit(model, i);
  v.outer = product(full, 0, size_t(layout.splitDim));
  v.inner = product(full, size_t(layout.splitDim) + 1, full.size());
  return v;
}

// The element-typed index kernels on raw bytes: only the width matters.
template <typename Fn> void byWidth(int64_t width, Fn fn) {
  if (width == 2)
    fn(uint16_t());
  else if (width == 4)
    fn(uint32_t());
  else
    fn(uint64_t());
}

// True when this rank sends its piece of split parameter i to rank 0: its
// coordinates are 0 on every mesh axis but the split one.
bool holdsSavedPiece(const abi::Model &model, int32_t i,
                     const std::vector<int64_t> &coords) {
  for (int32_t a = 0; a < model.numMeshAxes; ++a)
    if (a != model.paramLayouts[i].splitAxis && coords[size_t(a)] != 0)
      return false;
  return true;
}

// The global rank that holds piece `part` of split parameter i.
int64_t pieceRank(const abi::Model &model, int32_t i, int64_t part) {
  std::vector<int64_t> coords(size_t(model.numMeshAxes), 0);
  coords[size_t(model.paramLayouts[i].splitAxis)] = part;
  return dist::meshRank(model, coords);
}

// The MPI tag of parameter i's pieces (tags are only guaranteed up to
// 32767; messages between two ranks arrive in order anyway).
int pieceTag(int32_t i) { return int(i % 32767); }

// Rank 0's full tensor of split parameter i: its own piece `local` and the
// other pieces received from their ranks.
void assembleFull(const abi::Model &model, int32_t i,
                  const std::vector<uint8_t> &local, uint8_t *full) {
  const SplitView v = splitView(model, i);
  const int64_t pieceBytes = int64_t(local.size());
  std::vector<uint8_t> gathered(size_t(pieceBytes * v.split.parts));
  std::memcpy(gathered.data(), local.data(), local.size());
  for (int64_t part = 1; part < v.split.parts; ++part)
    dist::recvBytes(gathered.data() + part * pieceBytes, pieceBytes,
                    pieceRank(model, i, part), pieceTag(i));
  byWidth(abi::byteWidth(model.params[i].type), [&](auto word) {
    using W = decltype(word);
    cpu::shard_unslice(reinterpret_cast<W *>(full),
                       reinterpret_cast<const W *>(gathered.data()), v.outer,
                       v.inner, v.split);
  });
}

Status writeFile(const std::string &path, const abi::Model &model,
                 const std::vector<std::vector<uint8_t>> &full, int64_t step) {
  std::vector<TensorView> views;
  for (int32_t i = 0; i < model.numParams; ++i)
    views.push_back({model.params[i].name, model.params[i].type,
                     checkpointShapeOf(model, i), full[size_t(i)].data()});
  return writeSafetensors(path, views,
                          {{"format", "pt"},
                           {"ptc_model", model.name},
                           {"ptc_abi", std::to_string(abi::kVersion)},
                           {"ptc_step", std::to_string(step)}});
}

} // namespace

Status saveWeights(const std::string &path, const abi::Model &model,
                   DeviceArenas &arenas, int64_t step) {
  const dist::World &world = dist::world();
  std::vector<std::vector<uint8_t>> full(size_t(model.numParams));
  for (int32_t i = 0; i < model.numParams; ++i) {
    const abi::TensorSlot &slot = model.params[i];
    const bool split = dist::isSplitParam(model, i) && world.size > 1;
    if (world.rank != 0 && !(split && holdsSavedPiece(model, i, world.coords)))
      continue;
    std::vector<uint8_t> local(size_t(slotBytes(slot)));
    if (Status s = arenas.read(slot, local.data()); !s)
      return s;
    if (world.rank != 0) {
      dist::sendBytes(local.data(), int64_t(local.size()), 0, pieceTag(i));
      continue;
    }
    if (!split) {
      full[size_t(i)] = std::move(local);
      continue;
    }
    full[size_t(i)].resize(local.size() *
                           size_t(splitView(model, i).split.parts));
    assembleFull(model, i, local, full[size_t(i)].data());
  }
  // Rank 0 writes; the others wait so that the file exists when any rank
  // is done. A write error on rank 0 ends every rank (run_main.cpp).
  Status s =
      world.rank == 0 ? writeFile(path, model, full, step) : Status::ok();
  if (s)
    dist::barrier();
  return s;
}

Status loadWeights(const std::string &path, const abi::Model &model,
                   DeviceArenas &arenas) {
  SafetensorsReader reader;
  if (Status s = reader.open(path); !s)
    return s;
  auto fail = [&](const std::string &what) {
    return Status::error("weights '" + path + "': " + what);
  };
  // Check every name, dtype and shape before copying anything.
  std::vector<const SafetensorsEntry *> entries;
  for (int32_t i = 0; i < model.numParams; ++i) {
    const abi::TensorSlot &slot = model.params[i];
    const std::vector<int64_t> fullShape = checkpointShapeOf(model, i);
    const std::string want = describe(slot.type, fullShape);
    const SafetensorsEntry *e = reader.find(slot.name);
    if (!e)
      return fail(std::string("missing tensor '") + slot.name + "' (" + want +
                  ")");
    if (e->type != slot.type || e->shape != fullShape)
      return fail(std::string("tensor '") + slot.name + "' is " +
                  describe(e->type, e->shape) + ", the model's parameter is " +
                  want);
    entries.push_back(e);
  }
  for (const SafetensorsEntry &e : reader.tensors()) {
    bool known = false;
    for (int32_t i = 0; i < model.numParams && !known; ++i)
      known = e.name == model.params[i].name;
    if (!known)
      return fail("unexpected tensor '" + e.name + "': model '" + model.name +
                  "' has no parameter of that name");
  }
  const dist::World &world = dist::world();
  std::vector<uint64_t> host, piece;
  for (int32_t i = 0; i < model.numParams; ++i) {
    const abi::TensorSlot &slot = model.params[i];
    // The whole (padded) tensor, its padding rows zero.
    const std::vector<int64_t> full = fullShapeOf(model, i);
    const int64_t fullBytes =
        product(full, 0, full.size()) * abi::byteWidth(slot.type);
    host.assign(size_t((fullBytes + 7) / 8), 0);
    if (Status s = reader.read(*entries[i], host.data()); !s)
      return s;
    if (!dist::isSplitParam(model, i)) {
      if (Status s = arenas.write(slot, host.data()); !s)
        return s;
      continue;
    }
    // This rank's piece: its coordinate on the split axis (0 before the
    // world is started, e.g. in a single-rank tool).
    const int32_t axis = model.paramLayouts[i].splitAxis;
    const int64_t part = world.coords.empty() ? 0 : world.coords[size_t(axis)];
    const SplitView v = splitView(model, i);
    piece.assign(size_t((slotBytes(slot) + 7) / 8), 0);
    byWidth(abi::byteWidth(slot.type), [&](auto word) {
      using W = decltype(word);
      cpu::shard_slice_part(reinterpret_cast<W *>(piece.data()),
                            reinterpret_cast<const W *>(host.data()), v.outer,
                            v.inner, v.split, part);
    });
    if (Status s = arenas.write(slot, piece.data()); !s)
      return s;
  }
  return Status::ok();
}

} // namespace ptc::rt::train
