//===- checkpoint_order.h - Which tensors a weight file holds --*- C++ -*-===//
//
// A weight file holds the whole model's parameters, full tensors in the
// spec's order, whatever the plan (docs/weights.md). A program without
// pipeline stages holds them all in Model::params, in that order
// (Model::numCheckpointParams 0). With pipeline stages each stage's table
// holds a subset, and ParamLayout::checkpointIndex places each parameter
// in the file; -1 marks a copy that another stage saves (the tied
// embedding on the last stage), loaded from the tensor of its name.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_CHECKPOINT_ORDER_H
#define PTC_RUNTIME_TRAIN_CHECKPOINT_ORDER_H

#include "runtime/train/model_abi.h"

#include <cstdint>
#include <vector>

namespace ptc::rt::train {

/// Parameter `param` of the table of pipeline stage `stage`.
struct CheckpointEntry {
  int64_t stage = 0;
  int32_t param = 0;
};

/// The tensors of `program`'s weight files, in file order (copies left
/// out). Assumes a checked program (checkModel).
std::vector<CheckpointEntry> checkpointOrder(const abi::Model &program);

/// True when parameter i of stage table `model` is a copy another stage
/// saves (checkpointIndex -1 in a program with a checkpoint order).
bool isCheckpointCopy(const abi::Model &program, const abi::Model &model,
                      int32_t i);

/// The full shape of parameter i of a table (its layout's global shape, or
/// the slot's), and the shape checkpoints hold: the full shape with only
/// the vocabulary's rows of a padded vocabulary table
/// (ParamLayout::checkpointRows; they are a prefix of the row-major full
/// tensor).
std::vector<int64_t> fullShapeOf(const abi::Model &model, int32_t i);
std::vector<int64_t> checkpointShapeOf(const abi::Model &model, int32_t i);

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_TRAIN_CHECKPOINT_ORDER_H
