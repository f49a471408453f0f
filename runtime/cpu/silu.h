//===- silu.h - SiLU and SwiGLU (CPU reference) ----------------*- C++ -*-===//
//
// Elementwise over n values; computed in double per element.
//   silu(x) = x * sigmoid(x),  silu'(x) = s (1 + x (1 - s)) with s = sigmoid(x)
//   swiglu(gate, up) = silu(gate) * up      (Llama's MLP: down(silu(W1 x) * W3 x))
// gate and up are separate [n] buffers (the caller splits a fused projection).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_SILU_H
#define PTC_RUNTIME_CPU_SILU_H

#include <cstdint>

namespace ptc::rt::cpu {

/// out[i] = silu(x[i]). out may alias x.
template <typename T> void silu_forward(T *out, const T *x, int64_t n);

/// dx[i] += silu'(x[i]) * dout[i]. ACCUMULATES into dx.
template <typename T>
void silu_backward(T *dx, const T *x, const T *dout, int64_t n);

/// out[i] = silu(gate[i]) * up[i]. out may alias gate or up.
template <typename T>
void swiglu_forward(T *out, const T *gate, const T *up, int64_t n);

/// dgate[i] += dout[i] * up[i] * silu'(gate[i]);  dup[i] += dout[i] * silu(gate[i]).
/// ACCUMULATES into dgate and dup (either may be null).
template <typename T>
void swiglu_backward(T *dgate, T *dup, const T *gate, const T *up,
                     const T *dout, int64_t n);

} // namespace ptc::rt::cpu

#endif // PTC_RUNTIME_CPU_SILU_H
