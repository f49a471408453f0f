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

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ptc::rt::train {

namespace {

std::vector<int64_t> shapeOf(const abi::TensorSlot &slot) {
  return std::vector<int64_t>(slot.shape, slot.shape + slot.rank);
}

// The full (checkpoint) shape of parameter i.
std::vector<int64_t> fullShapeOf(const abi::Model &model, int32_t i) {
  if (!dist::isSplitParam(model, i) && !dist::isZeroChunkParam(model, i))
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

// The first element of `count` elements of `type` at `data` that is NaN or
// infinite, as "nan at element 12", or "" (integer tensors: always "").
std::string firstNonFinite(const void *data, abi::DType type, int64_t count) {
  auto at = [](int64_t i, const char *what) {
    return std::string(what) + " at element " + std::to_string(i);
  };
  auto scan = [&](auto word) {
    using T = decltype(word);
    const T *v = static_cast<const T *>(data);
    for (int64_t i = 0; i < count; ++i)
      if (!std::isfinite(v[i]))
        return at(i, std::isnan(v[i]) ? "nan" : v[i] > 0 ? "inf" : "-inf");
    return std::string();
  };
  // bf16 and f16: the exponent bits all ones is inf (mantissa 0) or nan.
  auto scan16 = [&](uint16_t exponent, uint16_t mantissa) {
    const uint16_t *v = static_cast<const uint16_t *>(data);
    for (int64_t i = 0; i < count; ++i)
      if ((v[i] & exponent) == exponent)
        return at(i, v[i] & mantissa ? "nan" : v[i] & 0x8000 ? "-inf" : "inf");
    return std::string();
  };
  switch (type) {
  case abi::DType::F32:
    return scan(float());
  case abi::DType::F64:
    return scan(double());
  case abi::DType::BF16:
    return scan16(0x7F80, 0x007F);
  case abi::DType::F16:
    return scan16(0x7C00, 0x03FF);
  default:
    return "";
  }
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

// The mesh axes along which parameter i's slots differ in this world: its
// tensor-parallel split axis and its ZeRO-1 chunk axis (-1: none).
struct SavedAxes {
  int32_t split = -1, chunk = -1;
};

SavedAxes savedAxes(const abi::Model &model, int32_t i, int64_t worldSize) {
  SavedAxes axes;
  if (worldSize > 1 && dist::isSplitParam(model, i))
    axes.split = model.paramLayouts[i].splitAxis;
  if (worldSize > 1 && dist::isZeroChunkParam(model, i))
    axes.chunk = model.paramLayouts[i].zeroAxis;
  return axes;
}

// True when this rank sends its slot of parameter i to rank 0: its
// coordinates are 0 on every mesh axis but the split and chunk ones.
bool holdsSavedPiece(const abi::Model &model, const SavedAxes &axes,
                     const std::vector<int64_t> &coords) {
  for (int32_t a = 0; a < model.numMeshAxes; ++a)
    if (a != axes.split && a != axes.chunk && coords[size_t(a)] != 0)
      return false;
  return true;
}

// The global rank that holds chunk `chunk` of piece `part` of parameter i.
int64_t slotRank(const abi::Model &model, const SavedAxes &axes, int64_t part,
                 int64_t chunk) {
  std::vector<int64_t> coords(size_t(model.numMeshAxes), 0);
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
  const int64_t slotBytes = int64_t(local.size());
  std::vector<uint8_t> piece(size_t(std::max(pieceBytes, slotBytes * chunks)));
  for (int64_t c = 0; c < chunks; ++c) {
    uint8_t *into = piece.data() + c * slotBytes;
    if (part == 0 && c == 0)
      std::memcpy(into, local.data(), local.size());
    else
      dist::recvBytes(into, slotBytes, slotRank(model, axes, part, c),
                      pieceTag(i));
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
  const SplitView v = splitView(model, i);
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
    const SavedAxes axes = savedAxes(model, i, world.size);
    const bool spread = axes.split >= 0 || axes.chunk >= 0;
    if (world.rank != 0 &&
        !(spread && holdsSavedPiece(model, axes, world.coords)))
      continue;
    std::vector<uint8_t> local(size_t(slotBytes(slot)));
    if (Status s = arenas.read(slot, local.data()); !s)
      return s;
    if (world.rank != 0) {
      dist::sendBytes(local.data(), int64_t(local.size()), 0, pieceTag(i));
      continue;
    }
    if (!spread)
      full[size_t(i)] = std::move(local);
    else
      assembleFull(model, i, axes, local, full[size_t(i)]);
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
    // A NaN loaded here would show up steps later as a diverged loss and
    // be blamed on the learning rate: name the tensor now.
    if (std::string bad = firstNonFinite(
            host.data(), slot.type,
            product(entries[i]->shape, 0, entries[i]->shape.size()));
        !bad.empty())
      return fail(std::string("tensor '") + slot.name + "' holds " + bad +
                  " (row-major); the file is damaged or was saved by a run "
                  "that diverged");
    // This rank's tensor: its piece on the split axis (0 before the world
    // is started, e.g. in a single-rank tool), then its ZeRO-1 chunk.
    auto coord = [&](int32_t axis) {
      return world.coords.empty() ? int64_t(0) : world.coords[size_t(axis)];
    };
    const int64_t width = abi::byteWidth(slot.type);
    const std::vector<int64_t> rankShape = dist::rankParamShape(model, i);
    const int64_t rankBytes = product(rankShape, 0, rankShape.size()) * width;
    const uint8_t *rankTensor = reinterpret_cast<const uint8_t *>(host.data());
    if (dist::isSplitParam(model, i)) {
      const int64_t part = coord(model.paramLayouts[i].splitAxis);
      const SplitView v = splitView(model, i);
      piece.assign(size_t((rankBytes + 7) / 8), 0);
      byWidth(width, [&](auto word) {
        using W = decltype(word);
        cpu::shard_slice_part(reinterpret_cast<W *>(piece.data()),
                              reinterpret_cast<const W *>(host.data()),
                              v.outer, v.inner, v.split, part);
      });
      rankTensor = reinterpret_cast<const uint8_t *>(piece.data());
    }
    if (!dist::isZeroChunkParam(model, i)) {
      if (Status s = arenas.write(slot, rankTensor); !s)
        return s;
      continue;
    }
    const int64_t chunkBytes = slotBytes(slot);
    const int64_t first = coord(model.paramLayouts[i].zeroAxis) * chunkBytes;
    std::vector<uint8_t> chunk(size_t(chunkBytes), 0);
    if (first < rankBytes)
      std::memcpy(chunk.data(), rankTensor + first,
                  size_t(std::min(chunkBytes, rankBytes - first)));
    if (Status s = arenas.write(slot, chunk.data()); !s)
      return s;
  }
  return Status::ok();
}

} // namespace ptc::rt::train
