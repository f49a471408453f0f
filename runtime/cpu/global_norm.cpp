//===- global_norm.cpp - Gradient norm and clipping (CPU reference) -------===//

#include "runtime/cpu/global_norm.h"

#include "runtime/cpu/check.h"

#include <algorithm>
#include <cmath>

namespace ptc::rt::cpu {

template <typename T> double sum_of_squares(const T *x, int64_t n) {
  PTC_RT_CHECK(n >= 0, "sum_of_squares: n = %lld < 0", (long long)n);
  double s = 0;
  for (int64_t i = 0; i < n; ++i)
    s += double(x[i]) * x[i];
  return s;
}

template <typename T>
double sum_of_squares(const T *const *buffers, const int64_t *sizes,
                      int64_t count) {
  PTC_RT_CHECK(count >= 0, "sum_of_squares: count = %lld < 0", (long long)count);
  double s = 0;
  for (int64_t b = 0; b < count; ++b)
    s += sum_of_squares(buffers[b], sizes[b]);
  return s;
}

double clip_factor(double norm, double max_norm) {
  PTC_RT_CHECK(!(norm < 0), "clip_factor: norm = %g < 0", norm);
  if (std::isnan(norm))
    return norm; // keep a NaN step visible rather than clip it to 1
  if (max_norm <= 0)
    return 1.0;
  return std::min(1.0, max_norm / (norm + 1e-6));
}

template double sum_of_squares<float>(const float *, int64_t);
template double sum_of_squares<double>(const double *, int64_t);
template double sum_of_squares<float>(const float *const *, const int64_t *,
                                      int64_t);
template double sum_of_squares<double>(const double *const *, const int64_t *,
                                       int64_t);

} // namespace ptc::rt::cpu
