//===- arenas.h - The model's arenas on a device ----------------*- C++ -*-===//
//
// One device allocation per Model::arenas entry, freed with the object, and
// slot reads and writes through the Device (never through a host pointer).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_ARENAS_H
#define PTC_RUNTIME_TRAIN_ARENAS_H

#include "runtime/train/device.h"
#include "runtime/train/model_abi.h"

#include <vector>

namespace ptc::rt::train {

class DeviceArenas {
public:
  explicit DeviceArenas(Device &device) : device_(device) {}
  ~DeviceArenas();
  DeviceArenas(const DeviceArenas &) = delete;
  DeviceArenas &operator=(const DeviceArenas &) = delete;

  /// Allocates every arena of `model` (zeroed). On failure nothing stays
  /// allocated and the message names the arena.
  Status allocate(const abi::Model &model);

  /// The base pointers, indexed like Model::arenas: what entry points take.
  uint8_t *const *bases() const { return bases_.data(); }

  /// Copies slotBytes(slot) bytes between host memory and the slot.
  Status write(const abi::TensorSlot &slot, const void *src);
  Status read(const abi::TensorSlot &slot, void *dst);

  /// Scalar helpers for the io slots ("step" i64, "loss" f32, ...).
  Status writeI64(const abi::TensorSlot &slot, int64_t value) {
    return write(slot, &value);
  }
  Status writeF32(const abi::TensorSlot &slot, float value) {
    return write(slot, &value);
  }
  Status readF32(const abi::TensorSlot &slot, float *value) {
    return read(slot, value);
  }
  /// A float scalar slot (f32 or f64) as a double.
  Status readReal(const abi::TensorSlot &slot, double *value) {
    if (slot.type == abi::DType::F64)
      return read(slot, value);
    float f = 0;
    Status s = read(slot, &f);
    *value = f;
    return s;
  }

  Device &device() { return device_; }

private:
  void release();

  Device &device_;
  std::vector<uint8_t *> bases_;
};

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_TRAIN_ARENAS_H
