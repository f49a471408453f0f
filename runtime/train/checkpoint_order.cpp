//===- checkpoint_order.cpp - Which tensors a weight file holds -----------===//

#include "runtime/train/checkpoint_order.h"

#include "runtime/dist/mesh.h"
#include "runtime/train/model_check.h"

namespace ptc::rt::train {

std::vector<CheckpointEntry> checkpointOrder(const abi::Model &program) {
  std::vector<CheckpointEntry> order;
  if (program.numCheckpointParams <= 0) {
    for (int32_t i = 0; i < program.numParams; ++i)
      order.push_back({0, i});
    return order;
  }
  order.resize(size_t(program.numCheckpointParams));
  const int32_t stages =
      program.numPipelineModels > 1 ? program.numPipelineModels : 1;
  for (int32_t p = 0; p < stages; ++p) {
    const abi::Model &stage = stageModel(program, p);
    for (int32_t i = 0; i < stage.numParams; ++i) {
      const int32_t at = stage.paramLayouts[i].checkpointIndex;
      if (at >= 0)
        order[size_t(at)] = {p, i};
    }
  }
  return order;
}

bool isCheckpointCopy(const abi::Model &program, const abi::Model &model,
                      int32_t i) {
  return program.numCheckpointParams > 0 && model.paramLayouts &&
         model.paramLayouts[i].checkpointIndex < 0;
}

std::vector<int64_t> fullShapeOf(const abi::Model &model, int32_t i) {
  const abi::TensorSlot &slot = model.params[i];
  if (!dist::isSplitParam(model, i) && !dist::isZeroChunkParam(model, i))
    return std::vector<int64_t>(slot.shape, slot.shape + slot.rank);
  const abi::ParamLayout &layout = model.paramLayouts[i];
  return std::vector<int64_t>(layout.globalShape,
                              layout.globalShape + layout.rank);
}

std::vector<int64_t> checkpointShapeOf(const abi::Model &model, int32_t i) {
  std::vector<int64_t> shape = fullShapeOf(model, i);
  if (!shape.empty() && model.paramLayouts) {
    const int64_t rows = model.paramLayouts[i].checkpointRows;
    if (rows > 0 && rows < shape[0])
      shape[0] = rows;
  }
  return shape;
}

} // namespace ptc::rt::train
