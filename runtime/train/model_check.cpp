//===- model_check.cpp - Validating a compiled Model table ----------------===//

#include "runtime/train/model_check.h"

#include "runtime/dist/mesh.h"
#include "runtime/train/pipeline_check.h"

#include <cstring>

namespace ptc::rt::train {

int64_t numElements(const abi::TensorSlot &slot) {
  int64_t n = 1;
  for (int32_t i = 0; i < slot.rank; ++i)
    n *= slot.shape[i];
  return n;
}

int64_t slotBytes(const abi::TensorSlot &slot) {
  return numElements(slot) * abi::byteWidth(slot.type);
}

int64_t parameterCount(const abi::Model &model) {
  int64_t n = 0;
  for (int32_t i = 0; i < model.numParams; ++i) {
    if (!dist::isZeroChunkParam(model, i)) {
      n += numElements(model.params[i]);
      continue;
    }
    // A ZeRO-1 master holds a chunk; count the rank's tensor.
    int64_t count = 1;
    for (int64_t d : dist::rankParamShape(model, i))
      count *= d;
    n += count;
  }
  return n;
}

const char *dtypeName(abi::DType type) {
  switch (type) {
  case abi::DType::F32:
    return "f32";
  case abi::DType::F64:
    return "f64";
  case abi::DType::BF16:
    return "bf16";
  case abi::DType::F16:
    return "f16";
  case abi::DType::I32:
    return "i32";
  case abi::DType::I64:
    return "i64";
  }
  return "?";
}

std::string shapeString(const abi::TensorSlot &slot) {
  std::string s = "[";
  for (int32_t i = 0; i < slot.rank; ++i)
    s += (i ? ", " : "") + std::to_string(slot.shape[i]);
  return s + "]";
}

const char *arenaKindName(abi::ArenaKind kind) {
  switch (kind) {
  case abi::ArenaKind::Parameters:
    return "parameters";
  case abi::ArenaKind::MasterWeights:
    return "master weights";
  case abi::ArenaKind::Gradients:
    return "gradients";
  case abi::ArenaKind::OptimizerState:
    return "optimizer state";
  case abi::ArenaKind::Activations:
    return "activations";
  case abi::ArenaKind::Workspace:
    return "workspace";
  case abi::ArenaKind::IO:
    return "io";
  }
  return "?";
}

const char *targetName(abi::Target target) {
  return target == abi::Target::CUDA ? "cuda" : "cpu";
}

const abi::TensorSlot *findIOSlot(const abi::Model &model, const char *name) {
  for (int32_t i = 0; i < model.numIO; ++i)
    if (model.io[i].name && std::strcmp(model.io[i].name, name) == 0)
      return &model.io[i];
  return nullptr;
}

static Status modelError(const abi::Model &model, const std::string &what) {
  return Status::error("model '" + std::string(model.name ? model.name : "?") +
                       "': " + what +
                       " (the program does not match this "
                       "runtime; rebuild it with the same ptc)");
}

// A slot must have a sane rank and shape and lie inside its arena.
static Status checkSlot(const abi::Model &model, const abi::TensorSlot &slot,
                        const char *table) {
  std::string name =
      std::string(table) + " slot '" + (slot.name ? slot.name : "?") + "'";
  if (!slot.name)
    return modelError(model, std::string(table) + " slot without a name");
  if (slot.rank < 0 || slot.rank > abi::kMaxRank)
    return modelError(model, name + " has rank " + std::to_string(slot.rank));
  for (int32_t i = 0; i < slot.rank; ++i)
    if (slot.shape[i] <= 0)
      return modelError(model, name + " has shape " + shapeString(slot));
  if (abi::byteWidth(slot.type) == 0)
    return modelError(model, name + " has an unknown element type");
  if (slot.arena < 0 || slot.arena >= model.numArenas)
    return modelError(model, name + " names arena " +
                                 std::to_string(slot.arena) + " of " +
                                 std::to_string(model.numArenas));
  const int64_t bytes = model.arenas[slot.arena].bytes;
  if (slot.offset < 0 || slot.offset + slotBytes(slot) > bytes)
    return modelError(model, name + " (" + std::to_string(slotBytes(slot)) +
                                 " bytes at offset " +
                                 std::to_string(slot.offset) +
                                 ") lies outside its arena of " +
                                 std::to_string(bytes) + " bytes");
  return Status::ok();
}

// Finds io slot `name` and checks its type and shape.
static Status expectIO(const abi::Model &model, const char *name,
                       abi::DType type, std::initializer_list<int64_t> shape,
                       const abi::TensorSlot **out) {
  const abi::TensorSlot *slot = findIOSlot(model, name);
  abi::TensorSlot want{name, 0, 0, type, int32_t(shape.size()), {}};
  int32_t i = 0;
  for (int64_t d : shape)
    want.shape[i++] = d;
  const std::string expected =
      std::string(dtypeName(type)) + " " + shapeString(want);
  if (!slot)
    return modelError(model, std::string("no io slot '") + name +
                                 "' (expected " + expected + ")");
  bool same = slot->type == type && slot->rank == want.rank;
  for (i = 0; same && i < want.rank; ++i)
    same = slot->shape[i] == want.shape[i];
  if (!same)
    return modelError(model, std::string("io slot '") + name + "' is " +
                                 dtypeName(slot->type) + " " +
                                 shapeString(*slot) + ", expected " + expected);
  *out = slot;
  return Status::ok();
}

// One table: the program's, or (`stage`) a pipeline stage's, which may
// lack micro_step, eval_step and the slots of the data and the loss.
static Status checkRamp(const abi::Model &model, IOSlots *io);

static Status checkTable(const abi::Model &model, bool stage, IOSlots *io) {
  if (model.abiVersion != abi::kVersion)
    return Status::error(
        "model '" + std::string(model.name ? model.name : "?") +
        "' was compiled for runtime ABI version " +
        std::to_string(model.abiVersion) + " but this runtime implements " +
        "version " + std::to_string(abi::kVersion) +
        "; recompile the model with the ptc that built this runtime");
  if (model.microBatch <= 0 || model.seqLen <= 0 || model.vocabSize <= 0 ||
      model.gradAccumSteps <= 0 || model.steps < 0 || model.evalEvery < 0 ||
      model.evalSteps < 0)
    return modelError(model, "bad training settings (micro batch, sequence "
                             "length, vocabulary, gradient accumulation "
                             "must be positive)");
  if (model.numArenas < 0 || (model.numArenas > 0 && !model.arenas) ||
      model.numParams < 0 || (model.numParams > 0 && !model.params) ||
      model.numIO < 0 || (model.numIO > 0 && !model.io))
    return modelError(model, "bad arena, params or io table");
  for (int32_t i = 0; i < model.numArenas; ++i)
    if (model.arenas[i].bytes < 0)
      return modelError(model,
                        "arena " + std::to_string(i) + " has a negative size");
  if (!model.initParams || !model.optimizerStep ||
      (!stage && (!model.microStep || !model.evalStep)))
    return modelError(model, "an entry point is missing");
  if (model.numStepFunctions < 1 || !model.stepFunctions)
    return modelError(model, "no step function");
  for (int32_t i = 0; i < model.numStepFunctions; ++i)
    if (!model.stepFunctions[i])
      return modelError(model, "step function " + std::to_string(i) +
                                   " is missing");
  for (int32_t i = 0; i < model.numParams; ++i) {
    if (Status s = checkSlot(model, model.params[i], "params"); !s)
      return s;
    if (!model.gradients)
      return modelError(model, "no gradients table");
    if (Status s = checkSlot(model, model.gradients[i], "gradients"); !s)
      return s;
  }
  for (int32_t i = 0; i < model.numIO; ++i)
    if (Status s = checkSlot(model, model.io[i], "io"); !s)
      return s;
  if (Status s = dist::checkParallelPlan(model); !s)
    return s;
  const int64_t B = model.microBatch, T = model.seqLen;
  using abi::DType;
  // A middle stage reads no data, and only the last one has the loss.
  auto wanted = [&](const char *name) {
    return !stage || findIOSlot(model, name) != nullptr;
  };
  *io = IOSlots();
  Status s = Status::ok();
  if (wanted("tokens"))
    s = expectIO(model, "tokens", DType::I32, {B, T}, &io->tokens);
  if (s && wanted("targets"))
    s = expectIO(model, "targets", DType::I32, {B, T}, &io->targets);
  if (s && wanted("loss"))
    s = expectIO(model, "loss",
                 findIOSlot(model, "loss") &&
                         findIOSlot(model, "loss")->type == DType::F64
                     ? DType::F64
                     : DType::F32,
                 {}, &io->loss);
  if (s)
    s = expectIO(model, "lr", DType::F32, {}, &io->lr);
  if (s)
    s = expectIO(model, "grad_norm", DType::F32, {}, &io->gradNorm);
  if (s)
    s = expectIO(model, "seed", DType::I64, {}, &io->seed);
  if (s)
    s = expectIO(model, "step", DType::I64, {}, &io->step);
  if (s)
    s = expectIO(model, "micro", DType::I64, {}, &io->micro);
  if (s)
    s = checkRamp(model, io);
  return s;
}

/// A batch-size ramp-up: phases in step order from step 1, each with a
/// step function per pipeline rank and a positive count, the last at
/// gradAccumSteps; the slots its optimizer step reads.
static Status checkRamp(const abi::Model &model, IOSlots *io) {
  if (model.numRampPhases == 0)
    return Status::ok();
  auto bad = [&](const std::string &what) {
    return Status::error("the model table's batch-size ramp-up is invalid: " +
                         what + " (a ptc bug, or a program built for another "
                                "runtime)");
  };
  if (model.numRampPhases < 0 || !model.rampPhases)
    return bad("no phases");
  for (int32_t i = 0; i < model.numRampPhases; ++i) {
    const abi::RampPhase &phase = model.rampPhases[i];
    if (phase.microBatches < 1 || !phase.stepFunctions ||
        !(phase.gradScale > 0) ||
        (i == 0 ? phase.firstStep != 1
                : phase.firstStep <= model.rampPhases[i - 1].firstStep))
      return bad("phase " + std::to_string(i));
    for (int32_t r = 0; r < model.numStepFunctions; ++r)
      if (!phase.stepFunctions[r])
        return bad("phase " + std::to_string(i) + " lacks a step function");
  }
  if (model.rampPhases[model.numRampPhases - 1].microBatches >
      model.gradAccumSteps)
    return bad("a phase runs more micro-batches than the full batch");
  Status s = expectIO(model, "samples", abi::DType::I64, {}, &io->samples);
  if (s)
    s = expectIO(model, "grad_scale", abi::DType::F32, {}, &io->gradScale);
  return s;
}

const abi::Model &stageModel(const abi::Model &model, int64_t ppRank) {
  if (model.numPipelineModels <= 1)
    return model;
  return *model.pipelineModels[ppRank];
}

Status checkModel(const abi::Model &model, IOSlots *io, int64_t ppRank) {
  const bool pipelined = model.numPipelineModels > 1;
  if (Status s = checkTable(model, pipelined, io); !s)
    return s;
  // A checkpoint order is checked wherever there is one (a program
  // without pipeline stages may give one too).
  if (!pipelined)
    return model.numCheckpointParams != 0 ? checkCheckpointIndexes(model)
                                          : Status::ok();
  if (Status s = checkPipeline(model); !s)
    return s;
  for (int32_t p = 0; p < model.numPipelineModels; ++p) {
    IOSlots stageIO;
    if (Status s = checkTable(*model.pipelineModels[p], true, &stageIO); !s)
      return s;
    if (p == ppRank)
      *io = stageIO;
  }
  return checkCheckpointIndexes(model);
}

} // namespace ptc::rt::train
