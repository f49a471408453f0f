//===- weights.cpp - A model's parameters as a safetensors file -----------===//

#include "runtime/train/weights.h"

#include "runtime/train/model_check.h"
#include "runtime/train/safetensors.h"

#include <cstring>

namespace ptc::rt::train {

static std::vector<int64_t> shapeOf(const abi::TensorSlot &slot) {
  return std::vector<int64_t>(slot.shape, slot.shape + slot.rank);
}

static std::string describe(abi::DType type,
                            const std::vector<int64_t> &shape) {
  std::string s = std::string(safetensorsDType(type)) + " [";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

Status saveWeights(const std::string &path, const abi::Model &model,
                   DeviceArenas &arenas, int64_t step) {
  // One host buffer for all parameters, filled slot by slot.
  std::vector<int64_t> offsets;
  int64_t total = 0;
  for (int32_t i = 0; i < model.numParams; ++i) {
    offsets.push_back(total);
    total += (slotBytes(model.params[i]) + 7) / 8 * 8;
  }
  std::vector<uint64_t> host(size_t(total / 8));
  auto *bytes = reinterpret_cast<uint8_t *>(host.data());
  std::vector<TensorView> views;
  for (int32_t i = 0; i < model.numParams; ++i) {
    const abi::TensorSlot &slot = model.params[i];
    if (Status s = arenas.read(slot, bytes + offsets[i]); !s)
      return s;
    views.push_back({slot.name, slot.type, shapeOf(slot), bytes + offsets[i]});
  }
  return writeSafetensors(path, views,
                          {{"format", "pt"},
                           {"ptc_model", model.name},
                           {"ptc_abi", std::to_string(abi::kVersion)},
                           {"ptc_step", std::to_string(step)}});
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
    const std::string want = describe(slot.type, shapeOf(slot));
    const SafetensorsEntry *e = reader.find(slot.name);
    if (!e)
      return fail(std::string("missing tensor '") + slot.name + "' (" + want +
                  ")");
    if (e->type != slot.type || e->shape != shapeOf(slot))
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
  std::vector<uint64_t> host;
  for (int32_t i = 0; i < model.numParams; ++i) {
    host.assign(size_t((slotBytes(model.params[i]) + 7) / 8), 0);
    if (Status s = reader.read(*entries[i], host.data()); !s)
      return s;
    if (Status s = arenas.write(model.params[i], host.data()); !s)
      return s;
  }
  return Status::ok();
}

} // namespace ptc::rt::train
