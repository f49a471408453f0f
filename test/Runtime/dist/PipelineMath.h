//===- PipelineMath.h - The math of the two-stage test model ----*- C++ -*-===//
//
// A two-layer linear model cut into two pipeline stages, with a parameter
// tied across them (like a tied embedding):
//
//   stage 0:  h    = w_in[0] * x + w_in[1] + b        x = token / V
//   stage 1:  pred = w_out[0] * h + w_out[1] + b      y = target / V
//             loss = mean((pred - y)^2)
//
// over the micro-batch's B x T positions, and SGD. b's gradient is the sum
// of both stages' terms. The functions below are the whole math: the
// pipeline tables (PipelineModel.h) call them on two ranks, the
// single-process table on one, in the same order on the same f32 values,
// so both give the same losses, norms and weights bit for bit.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_TEST_RUNTIME_DIST_PIPELINEMATH_H
#define PTC_TEST_RUNTIME_DIST_PIPELINEMATH_H

#include <cmath>
#include <cstdint>

namespace ptc::test::pipe {

constexpr int64_t kB = 2, kT = 8, kV = 256, kN = kB * kT;
constexpr float kLearningRate = 0.1f;

/// The initial weights for `seed` (both stages compute the same b).
inline void initWeights(int64_t seed, float *b, float *wIn, float *wOut) {
  if (b)
    b[0] = float(seed % 5) * 0.01f;
  if (wIn) {
    wIn[0] = 0.5f;
    wIn[1] = 0.1f;
  }
  if (wOut) {
    wOut[0] = 0.8f;
    wOut[1] = -0.05f;
  }
}

inline float input(const int32_t *tok, int64_t i) {
  return float(tok[i]) / float(kV);
}

/// Stage 0's forward: the activation h.
inline void forward0(const float *wIn, const float *b, const int32_t *tok,
                     float *h) {
  for (int64_t i = 0; i < kN; ++i)
    h[i] = wIn[0] * input(tok, i) + wIn[1] + b[0];
}

/// Stage 1's forward and backward: returns the loss, adds its gradients
/// (times `scale`) to dwOut and db, and writes dh, the gradient of h.
inline float step1(const float *wOut, const float *b, const float *h,
                   const int32_t *tgt, float scale, float *dwOut, float *db,
                   float *dh) {
  double loss = 0, g0 = 0, g1 = 0;
  for (int64_t i = 0; i < kN; ++i) {
    const float pred = wOut[0] * h[i] + wOut[1] + b[0];
    const float r = pred - input(tgt, i);
    const float g = 2 * r / float(kN);
    loss += double(r) * double(r) / double(kN);
    g0 += double(g) * double(h[i]);
    g1 += double(g);
    dh[i] = g * wOut[0];
  }
  dwOut[0] += float(g0) * scale;
  dwOut[1] += float(g1) * scale;
  db[0] += float(g1) * scale;
  return float(loss);
}

/// Stage 0's backward from dh.
inline void backward0(const float *dh, const int32_t *tok, float scale,
                      float *dwIn, float *db) {
  double g0 = 0, g1 = 0;
  for (int64_t i = 0; i < kN; ++i) {
    g0 += double(dh[i]) * double(input(tok, i));
    g1 += double(dh[i]);
  }
  dwIn[0] += float(g0) * scale;
  dwIn[1] += float(g1) * scale;
  db[0] += float(g1) * scale;
}

/// The sum of squares of g[0..n), in order.
inline float squares(const float *g, int64_t n) {
  float s = 0;
  for (int64_t k = 0; k < n; ++k)
    s += g[k] * g[k];
  return s;
}

/// w -= lr * g; g = 0.
inline void sgd(float *w, float *g, int64_t n) {
  for (int64_t k = 0; k < n; ++k) {
    w[k] -= kLearningRate * g[k];
    g[k] = 0;
  }
}

} // namespace ptc::test::pipe

#endif // PTC_TEST_RUNTIME_DIST_PIPELINEMATH_H
