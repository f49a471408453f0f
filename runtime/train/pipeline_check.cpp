//===- pipeline_check.cpp - Validating the stages of a pipeline -----------===//

#include "runtime/train/pipeline_check.h"

#include "runtime/dist/mesh.h"
#include "runtime/train/checkpoint_order.h"
#include "runtime/train/model_check.h"

#include <map>
#include <string>

namespace ptc::rt::train {

namespace {

Status pipelineError(const abi::Model &program, const std::string &what) {
  return Status::error("model '" +
                       std::string(program.name ? program.name : "?") + "': " +
                       what +
                       " (the program does not match this runtime; rebuild "
                       "it with the same ptc)");
}

bool sameMesh(const abi::Model &a, const abi::Model &b) {
  if (a.numMeshAxes != b.numMeshAxes || a.numComms != b.numComms)
    return false;
  for (int32_t i = 0; i < a.numMeshAxes; ++i)
    if (a.mesh[i].size != b.mesh[i].size)
      return false;
  for (int32_t c = 0; c < a.numComms; ++c) {
    const abi::Communicator &x = a.comms[c], &y = b.comms[c];
    if (x.numAxes != y.numAxes || x.numMembers != y.numMembers)
      return false;
    for (int32_t k = 0; k < x.numAxes && k < abi::kMaxMeshAxes; ++k)
      if (x.axes[k] != y.axes[k])
        return false;
    for (int32_t k = 0; k < x.numMembers && k < abi::kMaxMembers; ++k)
      if (x.members[k] != y.members[k])
        return false;
  }
  return true;
}

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t d = 0; d < shape.size(); ++d)
    s += (d ? ", " : "") + std::to_string(shape[d]);
  return s + "]";
}

} // namespace

Status checkPipeline(const abi::Model &program) {
  const int32_t n = program.numPipelineModels;
  const int32_t ppAxis = dist::findMeshAxis(program, "pp");
  const int64_t pp = ppAxis >= 0 ? program.mesh[ppAxis].size : 1;
  if (n != pp)
    return pipelineError(program, "the program has " + std::to_string(n) +
                                      " pipeline stage tables but the mesh "
                                      "has pp = " +
                                      std::to_string(pp));
  if (!program.pipelineModels)
    return pipelineError(program, "no pipeline stage tables");
  for (int32_t p = 0; p < n; ++p) {
    const abi::Model *stage = program.pipelineModels[p];
    const std::string name = "pipeline stage " + std::to_string(p);
    if (!stage)
      return pipelineError(program, name + " has no table");
    if (stage->pipelineRank != p)
      return pipelineError(program, name + "'s table says pipeline rank " +
                                        std::to_string(stage->pipelineRank));
    if (stage->abiVersion != program.abiVersion ||
        stage->target != program.target ||
        stage->microBatch != program.microBatch ||
        stage->seqLen != program.seqLen ||
        stage->vocabSize != program.vocabSize ||
        stage->gradAccumSteps != program.gradAccumSteps)
      return pipelineError(program,
                           name + " differs from the program in its ABI "
                                  "version, target or training shapes");
    if (!sameMesh(*stage, program))
      return pipelineError(program, name + " has another mesh or other "
                                           "communicators than the program");
    if (stage->numStepFunctions != n)
      return pipelineError(program,
                           name + " has " +
                               std::to_string(stage->numStepFunctions) +
                               " step functions, not one per stage (" +
                               std::to_string(n) + ")");
  }
  return Status::ok();
}

Status checkCheckpointIndexes(const abi::Model &program) {
  const int32_t count = program.numCheckpointParams;
  if (count <= 0)
    return pipelineError(program,
                         "numCheckpointParams is " + std::to_string(count) +
                             "; a program of pipeline stages needs the "
                             "checkpoint order (the whole model's parameter "
                             "count, above 0)");
  const int32_t stages =
      program.numPipelineModels > 1 ? program.numPipelineModels : 1;
  std::vector<std::string> owner(static_cast<size_t>(count));
  std::map<std::string, std::pair<int32_t, int32_t>> saved; // name -> (p, i)
  for (int32_t p = 0; p < stages; ++p) {
    const abi::Model &stage = stageModel(program, p);
    if (stage.numParams > 0 && !stage.paramLayouts)
      return pipelineError(program, "pipeline stage " + std::to_string(p) +
                                        " has no parameter layouts (their "
                                        "checkpoint indexes)");
    for (int32_t i = 0; i < stage.numParams; ++i) {
      const int32_t at = stage.paramLayouts[i].checkpointIndex;
      const std::string name = "parameter '" +
                               std::string(stage.params[i].name) +
                               "' of pipeline stage " + std::to_string(p);
      if (at < -1 || at >= count)
        return pipelineError(program, name + " has checkpoint index " +
                                          std::to_string(at) + " (the file "
                                          "holds " + std::to_string(count) +
                                          " tensors)");
      if (at < 0)
        continue;
      if (!owner[size_t(at)].empty())
        return pipelineError(program, name + " and " + owner[size_t(at)] +
                                          " have checkpoint index " +
                                          std::to_string(at));
      owner[size_t(at)] = name;
      if (!saved.emplace(stage.params[i].name, std::make_pair(p, i)).second)
        return pipelineError(program, name + ": another stage saves a "
                                             "tensor of the same name");
    }
  }
  for (int32_t at = 0; at < count; ++at)
    if (owner[size_t(at)].empty())
      return pipelineError(program, "no parameter has checkpoint index " +
                                        std::to_string(at));
  // A copy loads from the tensor of its name: it must fit that tensor.
  for (int32_t p = 0; p < stages; ++p) {
    const abi::Model &stage = stageModel(program, p);
    for (int32_t i = 0; i < stage.numParams; ++i) {
      if (stage.paramLayouts[i].checkpointIndex >= 0)
        continue;
      const std::string name = "parameter '" +
                               std::string(stage.params[i].name) +
                               "' of pipeline stage " + std::to_string(p);
      auto it = saved.find(stage.params[i].name);
      if (it == saved.end())
        return pipelineError(program, name + " is a copy (checkpoint index "
                                             "-1) but no stage saves a "
                                             "parameter of that name");
      const abi::Model &from = stageModel(program, it->second.first);
      const int32_t j = it->second.second;
      const auto mine = checkpointShapeOf(stage, i),
                 theirs = checkpointShapeOf(from, j);
      if (stage.params[i].type != from.params[j].type || mine != theirs)
        return pipelineError(
            program, name + " is a copy of " + dtypeName(from.params[j].type) +
                         " " + shapeText(theirs) + " but is " +
                         dtypeName(stage.params[i].type) + " " +
                         shapeText(mine));
    }
  }
  return Status::ok();
}

} // namespace ptc::rt::train
