//===- PipelineModel.cpp - The tables of the two-stage test model ---------===//

#include "PipelineModel.h"

namespace ptc::test::pipe {

namespace {

ParamLayout layout(int64_t size, int32_t checkpointIndex) {
  ParamLayout l{};
  l.rank = 1;
  l.globalShape[0] = size;
  l.splitAxis = -1;
  l.checkpointIndex = checkpointIndex;
  return l;
}

const MeshAxis kMesh[] = {{"pp", 2}, {"dp", 1}, {"tp", 1}};
const Communicator kComms[] = {{"pp", 1, {0}, 0, {}},
                               {"pp_fwd0", 1, {0}, 2, {0, 1}},
                               {"pp_bwd0", 1, {0}, 2, {1, 0}},
                               {"tied", 1, {0}, 2, {0, 1}},
                               {"last", 1, {0}, 1, {1}}};
const StepFunction kSteps[] = {stage0Step, stage1Step};

// The fields both stages and the single table share.
Model base(const char *name) {
  Model m{};
  m.abiVersion = kVersion;
  m.name = name;
  m.target = Target::CPU;
  m.microBatch = kB;
  m.seqLen = kT;
  m.vocabSize = kV;
  m.gradAccumSteps = kMicroBatches;
  m.steps = 5;
  m.seed = 42;
  m.evalSteps = 2;
  m.flopsPerToken = 6;
  return m;
}

const Arena kStage0Arenas[] = {{"params", ArenaKind::Parameters, 32},
                               {"grads", ArenaKind::Gradients, 32},
                               {"io", ArenaKind::IO, 288}};
const TensorSlot kStage0Params[] = {{"w_in", 0, 0, DType::F32, 1, {2}},
                                    {"b", 0, 16, DType::F32, 1, {1}}};
const TensorSlot kStage0Grads[] = {{"w_in.grad", 1, 0, DType::F32, 1, {2}},
                                   {"b.grad", 1, 16, DType::F32, 1, {1}}};
const ParamLayout kStage0Layouts[] = {layout(2, 1), layout(1, 0)};
const TensorSlot kStage0IO[] = {
    {"tokens", 2, 0, DType::I32, 2, {kB, kT}},
    {"act", 2, 64, DType::F32, 1, {kN}},
    {"act_grad", 2, 128, DType::F32, 1, {kN}},
    {"junk", 2, 192, DType::F32, 1, {kN}},
    {"lr", 2, 256, DType::F32, 0, {}},
    {"grad_norm", 2, 260, DType::F32, 0, {}},
    {"seed", 2, 264, DType::I64, 0, {}},
    {"step", 2, 272, DType::I64, 0, {}},
    {"micro", 2, 280, DType::I64, 0, {}}};

const Arena kStage1Arenas[] = {{"params", ArenaKind::Parameters, 32},
                               {"grads", ArenaKind::Gradients, 32},
                               {"io", ArenaKind::IO, 232}};
const TensorSlot kStage1Params[] = {{"b", 0, 0, DType::F32, 1, {1}},
                                    {"w_out", 0, 16, DType::F32, 1, {2}}};
const TensorSlot kStage1Grads[] = {{"b.grad", 1, 0, DType::F32, 1, {1}},
                                   {"w_out.grad", 1, 16, DType::F32, 1, {2}}};
const ParamLayout kStage1Layouts[] = {layout(1, -1), layout(2, 2)};
const TensorSlot kStage1IO[] = {
    {"targets", 2, 0, DType::I32, 2, {kB, kT}},
    {"act", 2, 64, DType::F32, 1, {kN}},
    {"act_grad", 2, 128, DType::F32, 1, {kN}},
    {"loss", 2, 192, DType::F32, 0, {}},
    {"lr", 2, 196, DType::F32, 0, {}},
    {"grad_norm", 2, 200, DType::F32, 0, {}},
    {"seed", 2, 208, DType::I64, 0, {}},
    {"step", 2, 216, DType::I64, 0, {}},
    {"micro", 2, 224, DType::I64, 0, {}}};

Model gStages[2];
const Model *const kStagePtrs[] = {&gStages[0], &gStages[1]};

Model stage(int32_t p) {
  Model m = base("pipe");
  m.numArenas = 3;
  m.arenas = p == 0 ? kStage0Arenas : kStage1Arenas;
  m.numParams = 2;
  m.params = p == 0 ? kStage0Params : kStage1Params;
  m.gradients = p == 0 ? kStage0Grads : kStage1Grads;
  m.numIO = 9;
  m.io = p == 0 ? kStage0IO : kStage1IO;
  m.initParams = p == 0 ? s0::init : s1::init;
  m.optimizerStep = p == 0 ? s0::optimizer : s1::optimizer;
  m.numStepFunctions = 2;
  m.stepFunctions = kSteps;
  m.numMeshAxes = 3;
  m.mesh = kMesh;
  m.numComms = int32_t(std::size(kComms));
  m.comms = kComms;
  m.paramLayouts = p == 0 ? kStage0Layouts : kStage1Layouts;
  m.pipelineRank = p;
  m.numPipelineModels = 2;
  m.pipelineModels = kStagePtrs;
  m.numCheckpointParams = 3;
  return m;
}

// The single table. params: b @0, w_in @16, w_out @32; grads at the same
// offsets, and stage 1's term of b's gradient at @48 (kept apart, as the
// stages keep it, so that the sum rounds alike); activations: h @0, dh @64.
void singleInit(uint8_t *const *a) {
  initWeights(*at<int64_t>(a, 2, 144), at<float>(a, 0, 0), at<float>(a, 0, 16),
              at<float>(a, 0, 32));
}
void singleMicro(uint8_t *const *a) {
  const float scale = 1.0f / kMicroBatches;
  const float *b = at<float>(a, 0, 0);
  float *h = at<float>(a, 3, 0), *dh = at<float>(a, 3, 64);
  forward0(at<float>(a, 0, 16), b, at<int32_t>(a, 2, 0), h);
  *at<float>(a, 2, 128) =
      step1(at<float>(a, 0, 32), b, h, at<int32_t>(a, 2, 64), scale,
            at<float>(a, 1, 32), at<float>(a, 1, 48), dh);
  backward0(dh, at<int32_t>(a, 2, 0), scale, at<float>(a, 1, 16),
            at<float>(a, 1, 0));
}
void singleOptimizer(uint8_t *const *a) {
  float *db = at<float>(a, 1, 0), *db1 = at<float>(a, 1, 48);
  float *dwIn = at<float>(a, 1, 16), *dwOut = at<float>(a, 1, 32);
  db[0] += db1[0];
  db1[0] = 0;
  *at<float>(a, 2, 136) =
      std::sqrt((squares(dwIn, 2) + squares(db, 1)) + squares(dwOut, 2));
  *at<float>(a, 2, 132) = kLearningRate;
  sgd(at<float>(a, 0, 0), db, 1);
  sgd(at<float>(a, 0, 16), dwIn, 2);
  sgd(at<float>(a, 0, 32), dwOut, 2);
}

const Arena kSingleArenas[] = {{"params", ArenaKind::Parameters, 48},
                               {"grads", ArenaKind::Gradients, 64},
                               {"io", ArenaKind::IO, 168},
                               {"activations", ArenaKind::Activations, 128}};
const TensorSlot kSingleParams[] = {{"b", 0, 0, DType::F32, 1, {1}},
                                    {"w_in", 0, 16, DType::F32, 1, {2}},
                                    {"w_out", 0, 32, DType::F32, 1, {2}}};
const TensorSlot kSingleGrads[] = {{"b.grad", 1, 0, DType::F32, 1, {1}},
                                   {"w_in.grad", 1, 16, DType::F32, 1, {2}},
                                   {"w_out.grad", 1, 32, DType::F32, 1, {2}}};
const TensorSlot kSingleIO[] = {{"tokens", 2, 0, DType::I32, 2, {kB, kT}},
                                {"targets", 2, 64, DType::I32, 2, {kB, kT}},
                                {"loss", 2, 128, DType::F32, 0, {}},
                                {"lr", 2, 132, DType::F32, 0, {}},
                                {"grad_norm", 2, 136, DType::F32, 0, {}},
                                {"seed", 2, 144, DType::I64, 0, {}},
                                {"step", 2, 152, DType::I64, 0, {}},
                                {"micro", 2, 160, DType::I64, 0, {}}};
const StepFunction kSingleSteps[] = {
    accumulationStep<microBatches, singleMicro, singleOptimizer>};

// Eval is never run (validation is refused with pp > 1); the single table
// needs one all the same.
void singleEval(uint8_t *const *a) { *at<float>(a, 2, 128) = 0; }

} // namespace

const Model &pipeline() {
  gStages[0] = stage(0);
  gStages[1] = stage(1);
  return gStages[0];
}

const Model &single() {
  static Model m = [] {
    Model s = base("pipe");
    s.numArenas = 4;
    s.arenas = kSingleArenas;
    s.numParams = 3;
    s.params = kSingleParams;
    s.gradients = kSingleGrads;
    s.numIO = int32_t(std::size(kSingleIO));
    s.io = kSingleIO;
    s.initParams = singleInit;
    s.microStep = singleMicro;
    s.optimizerStep = singleOptimizer;
    s.evalStep = singleEval;
    s.numStepFunctions = 1;
    s.stepFunctions = kSingleSteps;
    return s;
  }();
  return m;
}

} // namespace ptc::test::pipe
