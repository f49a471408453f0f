//===- rope.cpp - Rotary position embedding (CPU reference) ---------------===//

#include "runtime/cpu/rope.h"

#include "runtime/cpu/check.h"

#include <cmath>
#include <vector>

namespace ptc::rt::cpu {

// Rotates every head vector by +angle (sign = 1) or -angle (sign = -1);
// writes (accumulate = false) or adds (accumulate = true) the result.
template <typename T>
static void rotate(T *out, const T *x, int64_t B, int64_t H, int64_t Tn,
                   int64_t Dh, double theta, int64_t pos_offset, double sign,
                   bool accumulate, const char *fn) {
  PTC_RT_CHECK(B >= 0 && H >= 0 && Tn >= 0 && Dh > 0 && Dh % 2 == 0,
               "%s: bad sizes B=%lld H=%lld T=%lld Dh=%lld (Dh must be even)",
               fn, (long long)B, (long long)H, (long long)Tn, (long long)Dh);
  PTC_RT_CHECK(theta > 0 && pos_offset >= 0, "%s: theta = %g, pos_offset = %lld",
               fn, theta, (long long)pos_offset);
  int64_t half = Dh / 2;
  // Per (t, i) cosines and sines, shared by all batches and heads.
  std::vector<double> cosv(Tn * half), sinv(Tn * half);
  for (int64_t t = 0; t < Tn; ++t)
    for (int64_t i = 0; i < half; ++i) {
      double angle = double(t + pos_offset) * std::pow(theta, -2.0 * i / Dh);
      cosv[t * half + i] = std::cos(angle);
      sinv[t * half + i] = sign * std::sin(angle);
    }
  for (int64_t bh = 0; bh < B * H; ++bh)
    for (int64_t t = 0; t < Tn; ++t) {
      const T *xv = x + (bh * Tn + t) * Dh;
      T *ov = out + (bh * Tn + t) * Dh;
      for (int64_t i = 0; i < half; ++i) {
        double c = cosv[t * half + i], s = sinv[t * half + i];
        double x1 = xv[i], x2 = xv[i + half];
        double y1 = x1 * c - x2 * s, y2 = x2 * c + x1 * s;
        ov[i] = accumulate ? T(ov[i] + y1) : T(y1);
        ov[i + half] = accumulate ? T(ov[i + half] + y2) : T(y2);
      }
    }
}

template <typename T>
void rope_forward(T *out, const T *x, int64_t B, int64_t H, int64_t T_,
                  int64_t Dh, double theta, int64_t pos_offset) {
  rotate(out, x, B, H, T_, Dh, theta, pos_offset, 1.0, false, "rope_forward");
}

template <typename T>
void rope_backward(T *dx, const T *dout, int64_t B, int64_t H, int64_t T_,
                   int64_t Dh, double theta, int64_t pos_offset) {
  rotate(dx, dout, B, H, T_, Dh, theta, pos_offset, -1.0, true,
         "rope_backward");
}

#define PTC_INSTANTIATE(T)                                                     \
  template void rope_forward<T>(T *, const T *, int64_t, int64_t, int64_t,     \
                                int64_t, double, int64_t);                     \
  template void rope_backward<T>(T *, const T *, int64_t, int64_t, int64_t,    \
                                 int64_t, double, int64_t);
PTC_INSTANTIATE(float)
PTC_INSTANTIATE(double)
#undef PTC_INSTANTIATE

} // namespace ptc::rt::cpu
