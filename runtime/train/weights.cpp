//===- weights.cpp - Loading a model's parameters from a safetensors file -===//
//
// Parallel runs read the same files as a single process: full tensors, in
// the whole model's order (checkpoint_order.h). Every rank checks the whole
// header against every pipeline stage's parameters, then reads its own
// stage's tensors and keeps its piece (the shard_slice math of
// runtime/dist/shard_index.h) and its ZeRO-1 chunk. A copy of another
// stage's parameter (the tied embedding on the last stage) loads from the
// tensor of its name, like the original. Padded vocabulary tables are saved
// without their padding rows (weights_save.cpp), and those rows are zero
// after a load.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/weights.h"

#include "runtime/cpu/shard.h"
#include "runtime/dist/world.h"
#include "runtime/train/model_check.h"
#include "runtime/train/safetensors.h"
#include "runtime/train/weights_pieces.h"

#include <set>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ptc::rt::train {

namespace {

using detail::byWidth;
using detail::product;


std::string describe(abi::DType type, const std::vector<int64_t> &shape) {
  std::string s = std::string(safetensorsDType(type)) + " [";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
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

// The header's entry of every parameter of every stage, checked against
// its dtype and checkpoint shape; *entries gets the ones of `mine`.
Status checkHeader(const SafetensorsReader &reader, const abi::Model &program,
                   const abi::Model &mine, const std::string &path,
                   std::vector<const SafetensorsEntry *> *entries) {
  auto fail = [&](const std::string &what) {
    return Status::error("weights '" + path + "': " + what);
  };
  std::set<std::string> names;
  const int32_t stages =
      program.numPipelineModels > 1 ? program.numPipelineModels : 1;
  for (int32_t p = 0; p < stages; ++p) {
    const abi::Model &model = stageModel(program, p);
    for (int32_t i = 0; i < model.numParams; ++i) {
      const abi::TensorSlot &slot = model.params[i];
      const std::vector<int64_t> fullShape = checkpointShapeOf(model, i);
      const std::string want = describe(slot.type, fullShape);
      const SafetensorsEntry *e = reader.find(slot.name);
      if (!e)
        return fail(std::string("missing tensor '") + slot.name + "' (" +
                    want + ")");
      if (e->type != slot.type || e->shape != fullShape)
        return fail(std::string("tensor '") + slot.name + "' is " +
                    describe(e->type, e->shape) +
                    ", the model's parameter is " + want);
      names.insert(slot.name);
      if (&model == &mine)
        entries->push_back(e);
    }
  }
  for (const SafetensorsEntry &e : reader.tensors())
    if (!names.count(e.name))
      return fail("unexpected tensor '" + e.name + "': model '" +
                  program.name + "' has no parameter of that name");
  return Status::ok();
}

} // namespace

Status loadWeights(const std::string &path, const abi::Model &program,
                   DeviceArenas &arenas, int64_t ppRank) {
  SafetensorsReader reader;
  if (Status s = reader.open(path); !s)
    return s;
  auto fail = [&](const std::string &what) {
    return Status::error("weights '" + path + "': " + what);
  };
  // Check every name, dtype and shape before copying anything.
  const abi::Model &model = stageModel(program, ppRank);
  std::vector<const SafetensorsEntry *> entries;
  if (Status s = checkHeader(reader, program, model, path, &entries); !s)
    return s;
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
      const detail::SplitView v = detail::splitView(model, i);
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
