//===- checkpoint_state.cpp - Which rank saves which state tensor ---------===//
//
// A rank's state tensors are its stage's parameters (the f32 masters: the
// copies that micro-steps compute with are refreshed from them) and their
// AdamW moments. The gradient accumulators are zero between steps and
// activations do not outlive a step, so neither is saved.
//
// A tensor that ranks hold alike is saved once: by the rank with
// coordinate 0 on every axis but the pipeline axis, the tensor-parallel
// split axis (when the parameter is split) and the ZeRO-1 axis (when this
// tensor is chunked: the master under exec-shard-master-weights, the
// moments under any ZeRO-1). A tied copy on another stage (the embedding on
// the last stage) is saved by its own stage like any other parameter, so
// that its moments, too, resume exactly.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/checkpoint.h"

#include "runtime/dist/mesh.h"

#include <cstdio>

namespace ptc::rt::train {

namespace {

int64_t writerRank(const abi::Model &model, int32_t i, bool moment,
                   const std::vector<int64_t> &coords) {
  if (coords.empty())
    return 0;
  std::vector<int64_t> writer(coords.size(), 0);
  auto keep = [&](int32_t axis) {
    if (axis >= 0 && size_t(axis) < coords.size())
      writer[size_t(axis)] = coords[size_t(axis)];
  };
  keep(dist::findMeshAxis(model, "pp"));
  const abi::ParamLayout *layout =
      model.paramLayouts ? &model.paramLayouts[i] : nullptr;
  if (layout && dist::isSplitParam(model, i))
    keep(layout->splitAxis);
  if (layout && (moment ? layout->momentChunk : layout->zeroChunk) > 0)
    keep(layout->zeroAxis);
  return dist::meshRank(model, writer);
}

} // namespace

std::vector<StateTensor> stateTensors(const abi::Model &model, int64_t stage,
                                      const std::vector<int64_t> &coords) {
  std::vector<StateTensor> tensors;
  for (int32_t i = 0; i < model.numParams; ++i) {
    const std::string name = model.params[i].name;
    tensors.push_back({name, "param", &model.params[i], stage,
                       writerRank(model, i, false, coords)});
    tensors.push_back({name, "adam_m", &model.adamM[i], stage,
                       writerRank(model, i, true, coords)});
    tensors.push_back({name, "adam_v", &model.adamV[i], stage,
                       writerRank(model, i, true, coords)});
  }
  return tensors;
}

Status checkCheckpointable(const abi::Model &model) {
  if (model.numParams > 0 && (!model.adamM || !model.adamV))
    return Status::error(std::string("checkpoints: model '") + model.name +
                         "' names no AdamW moments (Model::adamM, adamV); "
                         "recompile the spec with this ptc");
  return Status::ok();
}

std::string describePlan(const abi::Model &model) {
  bool zero = false;
  for (int32_t i = 0; model.paramLayouts && i < model.numParams; ++i)
    zero = zero || model.paramLayouts[i].momentChunk > 0 ||
           model.paramLayouts[i].zeroChunk > 0;
  std::string plan = dist::describeMesh(model);
  if (zero)
    plan += ", ZeRO-1";
  if (model.numPipelineModels > 1) {
    plan += ", parameters per stage";
    for (int32_t p = 0; p < model.numPipelineModels; ++p)
      plan += (p ? "/" : " ") +
              std::to_string(model.pipelineModels[p]->numParams);
  }
  return plan;
}

std::string checkpointPath(const std::string &dir, int64_t step) {
  char name[32];
  std::snprintf(name, sizeof name, "step_%08lld", (long long)step);
  return dir + "/" + name;
}

} // namespace ptc::rt::train
