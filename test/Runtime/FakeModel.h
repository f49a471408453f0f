//===- FakeModel.h - A hand-written Model table for tests -------*- C++ -*-===//
//
// What ptc would emit for the smallest trainable model: linear regression of
// the next token on the current one, pred = w[0] * x + w[1] with
// x = token / V and y = target / V, the loss mean((pred - y)^2), plain SGD.
// Its entry points are ordinary functions that address the arenas by the
// slot offsets below, like emitted code does. Counters record the calls so
// that tests can check the order the loop drives them in.
//
//   arena 0 "params"  parameters  w      f32 [2]   @0
//   arena 1 "grads"   gradients   dw     f32 [2]   @0
//   arena 2 "io"      io          tokens i32 [B,T] @0, targets @64, loss @128,
//                                 lr @132, grad_norm @136, seed @144,
//                                 step @152, micro @160
//
//===----------------------------------------------------------------------===//
#ifndef PTC_TEST_RUNTIME_FAKEMODEL_H
#define PTC_TEST_RUNTIME_FAKEMODEL_H

#include "AccumulationStep.h"
#include "runtime/train/model_abi.h"

#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <vector>

namespace ptc::test::fake {

using namespace ptc::abi;

constexpr int64_t kB = 2, kT = 8, kV = 16, kAccum = 2;
constexpr int64_t kTokens = 0, kTargets = 64, kLoss = 128, kLr = 132,
                  kGradNorm = 136, kSeed = 144, kStep = 152, kMicro = 160;
constexpr float kLearningRate = 0.5f;

// What the entry points saw.
struct Calls {
  int init = 0, micro = 0, optimizer = 0, eval = 0;
  std::vector<int64_t> steps, micros; // "step" and "micro" at each micro_step
  int64_t seed = -1;
  bool nanLoss = false; // micro_step reports NaN when set
};
inline Calls calls;

template <typename T> T &at(uint8_t *const *arenas, int arena, int64_t off) {
  return *reinterpret_cast<T *>(arenas[arena] + off);
}

// The loss of the batch in the io arena; adds its gradient times `scale` to
// dw when `grad` is set.
inline float lossOf(uint8_t *const *a, bool grad, float scale) {
  float *w = &at<float>(a, 0, 0), *dw = &at<float>(a, 1, 0);
  const int32_t *tok = &at<int32_t>(a, 2, kTokens);
  const int32_t *tgt = &at<int32_t>(a, 2, kTargets);
  const int64_t n = kB * kT;
  double loss = 0, g0 = 0, g1 = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double x = double(tok[i]) / kV, y = double(tgt[i]) / kV;
    const double r = w[0] * x + w[1] - y;
    loss += r * r / n;
    g0 += 2 * r * x / n;
    g1 += 2 * r / n;
  }
  if (grad) {
    dw[0] += float(g0) * scale;
    dw[1] += float(g1) * scale;
  }
  return float(loss);
}

inline void initParams(uint8_t *const *a) {
  ++calls.init;
  calls.seed = at<int64_t>(a, 2, kSeed);
  at<float>(a, 0, 0) = float(calls.seed % 7) * 0.01f;
  at<float>(a, 0, 4) = 0;
  at<float>(a, 1, 0) = at<float>(a, 1, 4) = 0;
}

inline void microStep(uint8_t *const *a) {
  ++calls.micro;
  calls.steps.push_back(at<int64_t>(a, 2, kStep));
  calls.micros.push_back(at<int64_t>(a, 2, kMicro));
  at<float>(a, 2, kLoss) = calls.nanLoss
                               ? std::numeric_limits<float>::quiet_NaN()
                               : lossOf(a, true, 1.0f / kAccum);
}

inline void optimizerStep(uint8_t *const *a) {
  ++calls.optimizer;
  float *w = &at<float>(a, 0, 0), *dw = &at<float>(a, 1, 0);
  at<float>(a, 2, kGradNorm) = std::sqrt(dw[0] * dw[0] + dw[1] * dw[1]);
  at<float>(a, 2, kLr) = kLearningRate;
  for (int i = 0; i < 2; ++i) {
    w[i] -= kLearningRate * dw[i];
    dw[i] = 0;
  }
}

inline void evalStep(uint8_t *const *a) {
  ++calls.eval;
  at<float>(a, 2, kLoss) = lossOf(a, false, 0);
}

inline const Arena kArenas[] = {{"params", ArenaKind::Parameters, 8},
                                {"grads", ArenaKind::Gradients, 8},
                                {"io", ArenaKind::IO, 168}};

inline const TensorSlot kParams[] = {{"w", 0, 0, DType::F32, 1, {2}}};
inline const TensorSlot kGradients[] = {{"w.grad", 1, 0, DType::F32, 1, {2}}};

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

inline int64_t accumSteps() { return kAccum; }
inline const StepFunction kSteps[] = {
    accumulationStep<accumSteps, microStep, optimizerStep>};

/// The table; tests copy it to change a field.
inline Model model() {
  Model m{};
  m.abiVersion = kVersion;
  m.name = "linear";
  m.target = Target::CPU;
  m.microBatch = kB;
  m.seqLen = kT;
  m.vocabSize = kV;
  m.gradAccumSteps = kAccum;
  m.steps = 5;
  m.seed = 42;
  m.evalEvery = 10;
  m.evalSteps = 2;
  m.flopsPerToken = 6;
  m.numArenas = 3;
  m.arenas = kArenas;
  m.numParams = 1;
  m.params = kParams;
  m.gradients = kGradients;
  m.numIO = int32_t(std::size(kIO));
  m.io = kIO;
  m.initParams = initParams;
  m.microStep = microStep;
  m.optimizerStep = optimizerStep;
  m.evalStep = evalStep;
  m.numStepFunctions = 1;
  m.stepFunctions = kSteps;
  return m;
}

} // namespace ptc::test::fake

#endif // PTC_TEST_RUNTIME_FAKEMODEL_H
