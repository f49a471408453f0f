//===- rope.h - Rotary position embedding (CPU reference) ------*- C++ -*-===//
//
// Layout: x, out, dout, dx [B, H, T, Dh] row-major, Dh even.
// Convention: Llama / Hugging Face "rotate half" — dimension i is paired with
// dimension i + Dh/2 (not the interleaved pairs (2i, 2i+1) of the original
// paper). For position p = t + pos_offset and i < Dh/2:
//   freq_i  = theta^(-2i / Dh),  angle = p * freq_i
//   out[i]        = x[i] cos(angle) - x[i + Dh/2] sin(angle)
//   out[i + Dh/2] = x[i + Dh/2] cos(angle) + x[i] sin(angle)
// Angles, sines and cosines are computed in double. pos_offset shifts the
// positions (e.g. for a sequence chunk that starts at pos_offset).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_ROPE_H
#define PTC_RUNTIME_CPU_ROPE_H

#include <cstdint>

namespace ptc::rt::cpu {

/// out = rotate(x) as above. out may alias x (in-place rotation).
template <typename T>
void rope_forward(T *out, const T *x, int64_t B, int64_t H, int64_t T_,
                  int64_t Dh, double theta, int64_t pos_offset = 0);

/// dx += rotate⁻¹(dout) (the rotation by -angle, its transpose).
/// ACCUMULATES into dx; dx must not alias dout.
template <typename T>
void rope_backward(T *dx, const T *dout, int64_t B, int64_t H, int64_t T_,
                   int64_t Dh, double theta, int64_t pos_offset = 0);

} // namespace ptc::rt::cpu

#endif // PTC_RUNTIME_CPU_ROPE_H
