//===- weights.h - A model's parameters as a safetensors file ---*- C++ -*-===//
//
// The weight file of a compiled model holds its parameters (Model::params)
// in params order, one tensor per slot, named by the slot, with the slot's
// element type and shape (docs/weights.md). Metadata: "format": "pt" (what
// the Hugging Face loaders expect), and "ptc_model", "ptc_abi", "ptc_step".
//
// Loading is strict: every parameter must be present with the same dtype and
// shape, the file may hold no other tensor, and every floating-point value
// must be finite (a NaN is named by tensor and element at load, not found
// steps later as a diverged loss); errors name the tensor and the file.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_WEIGHTS_H
#define PTC_RUNTIME_TRAIN_WEIGHTS_H

#include "runtime/train/arenas.h"

#include <string>

namespace ptc::rt::train {

/// Copies the parameters out of the device and writes them to `path`
/// (atomically); `step` is recorded in the metadata.
/// `model` is the whole program and `ppRank` this rank's pipeline
/// coordinate: `arenas` hold the table of that stage (stageModel).
Status saveWeights(const std::string &path, const abi::Model &model,
                   DeviceArenas &arenas, int64_t step, int64_t ppRank = 0);

/// Reads `path` and copies every parameter of stage `ppRank` into the
/// device.
Status loadWeights(const std::string &path, const abi::Model &model,
                   DeviceArenas &arenas, int64_t ppRank = 0);

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_TRAIN_WEIGHTS_H
