//===- adamw.cpp - AdamW optimizer step (CPU reference) -------------------===//

#include "runtime/cpu/adamw.h"

#include "runtime/cpu/check.h"

#include <cmath>

namespace ptc::rt::cpu {

template <typename T>
void adamw_step(T *param, const T *grad, T *m, T *v, int64_t n, double lr,
                double beta1, double beta2, double eps, double weight_decay,
                int64_t step, double grad_scale) {
  PTC_RT_CHECK(n >= 0 && step >= 1, "adamw_step: n = %lld, step = %lld (steps are 1-based)",
               (long long)n, (long long)step);
  PTC_RT_CHECK(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps >= 0,
               "adamw_step: beta1 = %g, beta2 = %g must be in [0, 1), eps = %g >= 0",
               beta1, beta2, eps);
  const double c1 = 1.0 - std::pow(beta1, double(step));
  const double c2 = 1.0 - std::pow(beta2, double(step));
  for (int64_t i = 0; i < n; ++i) {
    double g = double(grad[i]) * grad_scale;
    double p = param[i];
    p -= lr * weight_decay * p;
    double mi = beta1 * m[i] + (1 - beta1) * g;
    double vi = beta2 * v[i] + (1 - beta2) * g * g;
    p -= lr * (mi / c1) / (std::sqrt(vi / c2) + eps);
    m[i] = T(mi);
    v[i] = T(vi);
    param[i] = T(p);
  }
}

template void adamw_step<float>(float *, const float *, float *, float *,
                                int64_t, double, double, double, double,
                                double, int64_t, double);
template void adamw_step<double>(double *, const double *, double *, double *,
                                 int64_t, double, double, double, double,
                                 double, int64_t, double);

} // namespace ptc::rt::cpu
