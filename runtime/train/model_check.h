//===- model_check.h - Validating a compiled Model table --------*- C++ -*-===//
//
// Before it allocates anything, the runtime checks that the table an emitted
// program hands it is one it can run: the ABI version, positive shapes,
// every slot inside its arena, the entry points present, the io slots of
// model_abi.h with their exact types and shapes, the parallel plan (mesh,
// communicators, parameter layouts: dist::checkParallelPlan), and with
// pipeline parallelism every stage's table (pipeline_check.h). A
// mismatch is a compiler bug or a stale build; the message says which slot
// and what was expected.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_MODEL_CHECK_H
#define PTC_RUNTIME_TRAIN_MODEL_CHECK_H

#include "runtime/data/status.h"
#include "runtime/train/model_abi.h"

#include <string>

namespace ptc::rt::train {

/// The io slots the loop uses (model_abi.h lists them). On a pipeline
/// stage "tokens" and "targets" (a middle stage) and "loss" (all but the
/// last) may be null.
struct IOSlots {
  const abi::TensorSlot *tokens = nullptr, *targets = nullptr;
  const abi::TensorSlot *loss = nullptr, *lr = nullptr, *gradNorm = nullptr;
  const abi::TensorSlot *seed = nullptr, *step = nullptr, *micro = nullptr;
  /// A batch-size ramp-up's (Model::rampPhases), else null.
  const abi::TensorSlot *samples = nullptr, *gradScale = nullptr;
};

/// Validates `model` and fills *io with the slots of the table pipeline
/// rank `ppRank` runs (stageModel). A program of several pipeline stages
/// (Model::numPipelineModels > 1) has every stage's table checked
/// (pipeline_check.h too); a stage may lack micro_step, eval_step and the
/// slots of the data and the loss. Without pipeline stages `ppRank` is
/// ignored.
Status checkModel(const abi::Model &model, IOSlots *io, int64_t ppRank = 0);

/// The table pipeline rank `ppRank` runs: model.pipelineModels[ppRank] in
/// a program of several pipeline stages (checked), else `model` itself.
const abi::Model &stageModel(const abi::Model &model, int64_t ppRank);

/// The io slot called `name`, or null.
const abi::TensorSlot *findIOSlot(const abi::Model &model, const char *name);

int64_t numElements(const abi::TensorSlot &slot);
int64_t slotBytes(const abi::TensorSlot &slot);
/// Trainable parameters: the element count of every params slot.
int64_t parameterCount(const abi::Model &model);

/// "f32", "bf16", ...; "i64" for the integer types.
const char *dtypeName(abi::DType type);
/// "[4, 64]"; "[]" for a scalar.
std::string shapeString(const abi::TensorSlot &slot);
/// "parameters", "gradients", ..., for banners and logs.
const char *arenaKindName(abi::ArenaKind kind);
const char *targetName(abi::Target target);

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_TRAIN_MODEL_CHECK_H
