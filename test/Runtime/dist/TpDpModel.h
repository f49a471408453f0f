//===- TpDpModel.h - A tensor + data parallel test model --------*- C++ -*-===//
//
// The linear model of FakeModel.h (pred = w[0] * x + w[1], x = token / V,
// y = target / V, loss mean((pred - y)^2), SGD) written the way ptc emits a
// parallel plan, with its Model table for two meshes:
//
//   single()    [pp=1, dp=1, tp=1], 2 micro-batches per step;
//   parallel()  [pp=1, dp=2, tp=2], 1 micro-batch per step and dp rank, so
//               a step trains on the same 2 micro-batches.
//
// "w" f32 [2] is split over tp: tp rank c holds w[c] and computes its term
// of pred; an all_reduce(sum) over "tp" adds the terms. Gradients and the
// loss are averaged over "dp". "qkv" f32 [3, 4] (never trained) is split on
// dimension 1 in two segments [2, 2], like a fused projection: it checks
// that checkpoints reassemble segmented shards. Both tables give the same
// losses and weights bit for bit (sums of two numbers commute; scaling by
// 1/2 is exact), which the multi-process tests compare.
//
//   arena 0 "params"  w @0, qkv @16          arena 1 "grads"  same offsets
//   arena 2 "io"      tokens @0, targets @64, loss @128, lr @132,
//                     grad_norm @136, seed @144, step @152, micro @160
//
// Communicators: 0 "tp" {tp}, 1 "dp" {dp}, 2 "dp_tp" {dp, tp}, 3 "world".
//
//===----------------------------------------------------------------------===//
#ifndef PTC_TEST_RUNTIME_DIST_TPDPMODEL_H
#define PTC_TEST_RUNTIME_DIST_TPDPMODEL_H

#include "../AccumulationStep.h"
#include "runtime/cpu/kernels.h"
#include "runtime/dist/world.h"
#include "runtime/train/model_abi.h"

#include <chrono>
#include <cmath>
#include <iterator>
#include <limits>
#include <thread>

namespace ptc::test::tpdp {

using namespace ptc::abi;

constexpr int64_t kB = 2, kT = 8, kV = 256;
constexpr int64_t kTokens = 0, kTargets = 64, kLoss = 128, kLr = 132,
                  kGradNorm = 136, kSeed = 144, kStep = 152, kMicro = 160;
constexpr int64_t kW = 0, kQkv = 16;
constexpr float kLearningRate = 0.5f;
constexpr int64_t kTpAxis = 2, kTpComm = 0, kDpComm = 1;

/// Faults the tests inject: rank `failRank` reports a NaN loss at step
/// `failStep`, rank `hangRank` sleeps in step `hangStep` (-1: never).
struct Faults {
  int64_t failRank = -1, failStep = 2, hangRank = -1, hangStep = 2;
};
inline Faults faults;

template <typename T> T *at(uint8_t *const *a, int arena, int64_t off) {
  return reinterpret_cast<T *>(a[arena] + off);
}

// This rank's share of w: its index range in the full [2].
inline int64_t tpParts() { return ptc::rt::dist::groupSize(kTpComm); }

inline void initParams(uint8_t *const *a) {
  using namespace ptc::kernels;
  const int64_t seed = *at<int64_t>(a, 2, kSeed);
  const float fullW[2] = {float(seed % 7) * 0.01f, 0.0f};
  float fullQkv[12];
  for (int i = 0; i < 12; ++i)
    fullQkv[i] = float(i) + 0.5f;
  const int64_t parts = tpParts();
  shard_slice(at<float>(a, 0, kW), fullW, 1, 2, 1, kTpAxis, parts, 1, 2, 0, 0,
              0);
  shard_slice(at<float>(a, 0, kQkv), fullQkv, 3, 4, 1, kTpAxis, parts, 2, 2, 2,
              0, 0);
  fill(at<float>(a, 1, kW), 2 / parts, 0.0);
}

// The loss of the batch in the io arena; with `grad`, adds the gradient of
// this rank's w (scaled by `scale`) to dw.
inline float forwardBackward(uint8_t *const *a, bool grad, float scale) {
  using namespace ptc::kernels;
  const int64_t parts = tpParts(), local = 2 / parts;
  const int64_t first = mesh_coordinate(kTpAxis) * local;
  const float *w = at<float>(a, 0, kW);
  float *dw = at<float>(a, 1, kW);
  const int32_t *tok = at<int32_t>(a, 2, kTokens);
  const int32_t *tgt = at<int32_t>(a, 2, kTargets);
  constexpr int64_t n = kB * kT;
  // feature k of token i: x for k = 0, 1 for k = 1.
  auto feature = [&](int64_t i, int64_t k) {
    return k == 0 ? double(tok[i]) / kV : 1.0;
  };
  double pred[n];
  for (int64_t i = 0; i < n; ++i) {
    pred[i] = 0;
    for (int64_t k = 0; k < local; ++k)
      pred[i] += w[k] * feature(i, first + k);
  }
  all_reduce(pred, n, kTpComm, 0);
  double loss = 0, g[2] = {0, 0};
  for (int64_t i = 0; i < n; ++i) {
    const double r = pred[i] - double(tgt[i]) / kV;
    loss += r * r / n;
    for (int64_t k = 0; k < local; ++k)
      g[k] += 2 * r * feature(i, first + k) / n;
  }
  if (grad)
    for (int64_t k = 0; k < local; ++k)
      dw[k] += float(g[k]) * scale;
  return float(loss);
}

inline int64_t gradAccumSteps(); // of the table in use

inline void microStep(uint8_t *const *a) {
  using namespace ptc::kernels;
  const int64_t step = *at<int64_t>(a, 2, kStep);
  const int64_t rank = ptc::rt::dist::world().rank;
  if (rank == faults.hangRank && step == faults.hangStep)
    std::this_thread::sleep_for(std::chrono::seconds(300));
  float loss = forwardBackward(a, true, 1.0f / float(gradAccumSteps()));
  all_reduce(&loss, 1, kDpComm, 3);
  if (rank == faults.failRank && step == faults.failStep)
    loss = std::numeric_limits<float>::quiet_NaN();
  *at<float>(a, 2, kLoss) = loss;
}

inline void optimizerStep(uint8_t *const *a) {
  using namespace ptc::kernels;
  const int64_t local = 2 / tpParts();
  float *w = at<float>(a, 0, kW), *dw = at<float>(a, 1, kW);
  // Micro-batch gradients are already scaled by 1 / gradAccumSteps; the
  // average over dp makes them the global batch's.
  all_reduce(dw, local, kDpComm, 3);
  float squares = 0;
  for (int64_t k = 0; k < local; ++k)
    squares += dw[k] * dw[k];
  all_reduce(&squares, 1, kTpComm, 0);
  *at<float>(a, 2, kGradNorm) = std::sqrt(squares);
  *at<float>(a, 2, kLr) = kLearningRate;
  for (int64_t k = 0; k < local; ++k) {
    w[k] -= kLearningRate * dw[k];
    dw[k] = 0;
  }
}

inline void evalStep(uint8_t *const *a) {
  float loss = forwardBackward(a, false, 0);
  ptc::kernels::all_reduce(&loss, 1, kDpComm, 3);
  *at<float>(a, 2, kLoss) = loss;
}

inline const Arena kArenas[] = {{"params", ArenaKind::Parameters, 64},
                                {"grads", ArenaKind::Gradients, 64},
                                {"io", ArenaKind::IO, 168}};

inline const TensorSlot kIO[] = {
    {"tokens", 2, kTokens, DType::I32, 2, {kB, kT}},
    {"targets", 2, kTargets, DType::I32, 2, {kB, kT}},
    {"loss", 2, kLoss, DType::F32, 0, {}},
    {"lr", 2, kLr, DType::F32, 0, {}},
    {"grad_norm", 2, kGradNorm, DType::F32, 0, {}},
    {"seed", 2, kSeed, DType::I64, 0, {}},
    {"step", 2, kStep, DType::I64, 0, {}},
    {"micro", 2, kMicro, DType::I64, 0, {}},
};

// Both tables split w and qkv over tp; with tp = 1 the split has one part.
inline const ParamLayout kLayouts[] = {
    {1, {2}, int32_t(kTpAxis), 0, 1, {2}, 0, 0, -1, 0, 0},
    {2, {3, 4}, int32_t(kTpAxis), 1, 2, {2, 2}, 0, 0, -1, 0, 0},
};
inline const Communicator kComms[] = {{"tp", 1, {2}, 0, {}},
                                      {"dp", 1, {1}, 0, {}},
                                      {"dp_tp", 2, {1, 2}, 0, {}},
                                      {"world", 3, {0, 1, 2}, 0, {}}};

inline const MeshAxis kSingleMesh[] = {{"pp", 1}, {"dp", 1}, {"tp", 1}};
inline const TensorSlot kSingleParams[] = {
    {"w", 0, kW, DType::F32, 1, {2}}, {"qkv", 0, kQkv, DType::F32, 2, {3, 4}}};
inline const TensorSlot kSingleGrads[] = {
    {"w.grad", 1, kW, DType::F32, 1, {2}},
    {"qkv.grad", 1, kQkv, DType::F32, 2, {3, 4}}};

inline const MeshAxis kParallelMesh[] = {{"pp", 1}, {"dp", 2}, {"tp", 2}};
inline const TensorSlot kParallelParams[] = {
    {"w", 0, kW, DType::F32, 1, {1}}, {"qkv", 0, kQkv, DType::F32, 2, {3, 2}}};
inline const TensorSlot kParallelGrads[] = {
    {"w.grad", 1, kW, DType::F32, 1, {1}},
    {"qkv.grad", 1, kQkv, DType::F32, 2, {3, 2}}};

inline const StepFunction kSteps[] = {
    accumulationStep<gradAccumSteps, microStep, optimizerStep>};

inline Model table(bool parallel) {
  Model m{};
  m.abiVersion = kVersion;
  m.name = "linear";
  m.target = Target::CPU;
  m.microBatch = kB;
  m.seqLen = kT;
  m.vocabSize = kV;
  m.gradAccumSteps = parallel ? 1 : 2;
  m.steps = 5;
  m.seed = 42;
  m.evalEvery = 0;
  m.evalSteps = 2;
  m.flopsPerToken = 6;
  m.numArenas = 3;
  m.arenas = kArenas;
  m.numParams = 2;
  m.params = parallel ? kParallelParams : kSingleParams;
  m.gradients = parallel ? kParallelGrads : kSingleGrads;
  m.numIO = int32_t(std::size(kIO));
  m.io = kIO;
  m.initParams = initParams;
  m.microStep = microStep;
  m.optimizerStep = optimizerStep;
  m.evalStep = evalStep;
  m.numStepFunctions = 1;
  m.stepFunctions = kSteps;
  m.numMeshAxes = 3;
  m.mesh = parallel ? kParallelMesh : kSingleMesh;
  m.numComms = int32_t(std::size(kComms));
  m.comms = kComms;
  m.paramLayouts = kLayouts;
  return m;
}

/// The table the entry points belong to (they read gradAccumSteps from it).
inline Model current = table(false);
inline int64_t gradAccumSteps() { return current.gradAccumSteps; }

} // namespace ptc::test::tpdp

#endif // PTC_TEST_RUNTIME_DIST_TPDPMODEL_H
