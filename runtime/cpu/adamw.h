//===- adamw.h - AdamW optimizer step (CPU reference) ----------*- C++ -*-===//
//
// One AdamW step (torch.optim.AdamW) on n parameters; param, grad, m, v all
// [n] (fp32 master weights and moments in an f32 program). Per element,
// computed in double:
//   g  = grad * grad_scale            (clip factor × 1/accumulation steps, …)
//   p  = p - lr * weight_decay * p    (decoupled weight decay)
//   m  = beta1 m + (1 - beta1) g
//   v  = beta2 v + (1 - beta2) g^2
//   p  = p - lr * (m / (1 - beta1^step)) / (sqrt(v / (1 - beta2^step)) + eps)
// step is the 1-based step count used for bias correction. Parameters that
// take no weight decay (biases, norms) are called with weight_decay = 0.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_ADAMW_H
#define PTC_RUNTIME_CPU_ADAMW_H

#include <cstdint>

namespace ptc::rt::cpu {

/// Updates param, m and v in place as above. grad is read only.
template <typename T>
void adamw_step(T *param, const T *grad, T *m, T *v, int64_t n, double lr,
                double beta1, double beta2, double eps, double weight_decay,
                int64_t step, double grad_scale = 1.0);

} // namespace ptc::rt::cpu

#endif // PTC_RUNTIME_CPU_ADAMW_H
