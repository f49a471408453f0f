//===- PipelineModel.h - A two-stage pipeline test model --------*- C++ -*-===//
//
// PipelineMath.h's model written the way ptc emits pipeline parallelism
// (ABI 6), with its Model tables:
//
//   pipeline()  [pp=2, dp=1, tp=1]: one table per stage, exported as
//               stage 0's; the step functions send the activation h
//               forward and its gradient back (send/recv), stage 1 reads
//               its loss with peekLoss and broadcastLoss shares the step's
//               mean with stage 0; b's gradient is summed over the tied
//               pair {0, 1}, the squares of the gradient norm over "pp";
//   single()    one process, the same math in one micro_step.
//
// 2 micro-batches per step. Stage 0 holds w_in and b, stage 1 the copy of
// b (checkpoint index -1) and w_out; checkpoints hold b, w_in, w_out (the
// single table's params order). After each send stage 0 overwrites the
// sent slot (StepHost::copy from "junk"): the runtime must have kept its
// own copy of the bytes.
//
// Communicators: 0 "pp" {pp}, 1 "pp_fwd0" {pp: 0, 1}, 2 "pp_bwd0"
// {pp: 1, 0}, 3 "tied" {pp: 0, 1}, 4 "last" {pp: 1} (stage 0 is outside
// it and never calls it).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_TEST_RUNTIME_DIST_PIPELINEMODEL_H
#define PTC_TEST_RUNTIME_DIST_PIPELINEMODEL_H

#include "../AccumulationStep.h"
#include "PipelineMath.h"
#include "runtime/cpu/kernels.h"
#include "runtime/train/model_abi.h"

#include <iterator>

namespace ptc::test::pipe {

using namespace ptc::abi;

constexpr int64_t kMicroBatches = 2;
constexpr int32_t kPpComm = 0, kFwdComm = 1, kBwdComm = 2, kTiedComm = 3,
                  kLastComm = 4;

inline int64_t microBatches() { return kMicroBatches; }

template <typename T> T *at(uint8_t *const *a, int arena, int64_t off) {
  return reinterpret_cast<T *>(a[arena] + off);
}

// Stage 0. params: w_in @0, b @16; io: tokens @0, act @64, act_grad @128,
// junk @192, lr @256, grad_norm @260, seed @264, step @272, micro @280.
namespace s0 {
constexpr int32_t kActSlot = 1, kActGradSlot = 2, kJunkSlot = 3;
inline void init(uint8_t *const *a) {
  initWeights(*at<int64_t>(a, 2, 264), at<float>(a, 0, 16),
              at<float>(a, 0, 0), nullptr);
  for (int64_t i = 0; i < kN; ++i)
    at<float>(a, 2, 192)[i] = -1.0f;
}
inline void forward(uint8_t *const *a) {
  forward0(at<float>(a, 0, 0), at<float>(a, 0, 16), at<int32_t>(a, 2, 0),
           at<float>(a, 2, 64));
}
inline void backward(uint8_t *const *a) {
  backward0(at<float>(a, 2, 128), at<int32_t>(a, 2, 0), 1.0f / kMicroBatches,
            at<float>(a, 1, 0), at<float>(a, 1, 16));
}
inline void optimizer(uint8_t *const *a) {
  using namespace ptc::kernels;
  float *dwIn = at<float>(a, 1, 0), *db = at<float>(a, 1, 16);
  all_reduce(db, 1, kTiedComm, 0);
  float norm2 = squares(dwIn, 2) + squares(db, 1);
  all_reduce(&norm2, 1, kPpComm, 0);
  *at<float>(a, 2, 260) = std::sqrt(norm2);
  *at<float>(a, 2, 256) = kLearningRate;
  sgd(at<float>(a, 0, 0), dwIn, 2);
  sgd(at<float>(a, 0, 16), db, 1);
}
} // namespace s0

// Stage 1. params: b @0, w_out @16; io: targets @0, act @64, act_grad
// @128, loss @192, lr @196, grad_norm @200, seed @208, step @216, micro @224.
namespace s1 {
constexpr int32_t kActSlot = 1, kActGradSlot = 2;
inline void init(uint8_t *const *a) {
  initWeights(*at<int64_t>(a, 2, 208), at<float>(a, 0, 0), nullptr,
              at<float>(a, 0, 16));
}
inline void micro(uint8_t *const *a) {
  float loss = step1(at<float>(a, 0, 16), at<float>(a, 0, 0),
                     at<float>(a, 2, 64), at<int32_t>(a, 2, 0),
                     1.0f / kMicroBatches, at<float>(a, 1, 16),
                     at<float>(a, 1, 0), at<float>(a, 2, 128));
  *at<float>(a, 2, 192) = loss;
}
inline void optimizer(uint8_t *const *a) {
  using namespace ptc::kernels;
  float *db = at<float>(a, 1, 0), *dwOut = at<float>(a, 1, 16);
  all_reduce(db, 1, kTiedComm, 0);
  all_reduce(db, 1, kLastComm, 0); // a group of one: unchanged
  float norm2 = squares(dwOut, 2);
  all_reduce(&norm2, 1, kPpComm, 0);
  *at<float>(a, 2, 200) = std::sqrt(norm2);
  *at<float>(a, 2, 196) = kLearningRate;
  sgd(at<float>(a, 0, 0), db, 1);
  sgd(at<float>(a, 0, 16), dwOut, 2);
}
} // namespace s1

/// Stage 0's schedule: per micro-batch forward, send h, backward.
inline bool stage0Step(StepHost *host, double *loss) {
  for (int64_t m = 0; m < kMicroBatches; ++m)
    if (!host->load(host, m, m) || !host->run(host, s0::forward) ||
        !host->send(host, kFwdComm, 1, s0::kActSlot) ||
        !host->copy(host, s0::kActSlot, s0::kJunkSlot) ||
        !host->recv(host, kBwdComm, 0, s0::kActGradSlot) ||
        !host->setMicro(host, m) || !host->run(host, s0::backward))
      return false;
  *loss = 0;
  return host->run(host, s0::optimizer) &&
         host->broadcastLoss(host, kPpComm, 1, loss);
}

/// Stage 1's schedule: per micro-batch recv h, forward + backward, send dh.
inline bool stage1Step(StepHost *host, double *loss) {
  double sum = 0, micro = 0;
  for (int64_t m = 0; m < kMicroBatches; ++m) {
    if (!host->load(host, m, m) ||
        !host->recv(host, kFwdComm, 0, s1::kActSlot) ||
        !host->run(host, s1::micro) || !host->peekLoss(host, &micro) ||
        !host->send(host, kBwdComm, 1, s1::kActGradSlot))
      return false;
    sum += micro;
  }
  *loss = sum / double(kMicroBatches);
  return host->run(host, s1::optimizer) &&
         host->broadcastLoss(host, kPpComm, 1, loss);
}

/// The exported table (stage 0's) of the two-stage program.
const Model &pipeline();
/// The single-process table of the same math.
const Model &single();

} // namespace ptc::test::pipe

#endif // PTC_TEST_RUNTIME_DIST_PIPELINEMODEL_H
