//===- GradCheck.h - Finite-difference gradient checks for kernels -*- C++ -*-=//
//
// Gradient checks in double. A test wraps a kernel's forward as
//   loss() = sum(out * r)          (r a fixed random projection of the output)
// and its backward as backward(): run the forward (to refresh what it saves),
// then the backward with dout = r, ACCUMULATING into the gradient buffers.
// expectGradientsMatch pre-fills every gradient with kPrefill, runs backward()
// once, subtracts kPrefill (so a kernel that overwrites instead of
// accumulating fails), and compares each entry with the central difference
//   (loss(x + h e_i) - loss(x - h e_i)) / 2h,   h = 1e-6.
// Tolerance: |analytic - numeric| <= rtol * max(|analytic|, |numeric|) + atol
// with rtol = 1e-6 and atol = 1e-8. The truncation error of the central
// difference is O(h^2) ~ 1e-12; the rounding error is ~ eps * |loss| / h ~
// 1e-10 * |loss| (|loss| is O(1..10) here), so entries whose gradient is near
// zero cannot meet a pure relative bound — atol covers them, far below any
// real bug (a wrong term is O(1e-2) or larger).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_TEST_RUNTIME_GRADCHECK_H
#define PTC_TEST_RUNTIME_GRADCHECK_H

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace ptc::rt::test {

/// n values uniform in [lo, hi), reproducible from `seed`.
inline std::vector<double> randomVector(size_t n, uint64_t seed,
                                        double lo = -1.0, double hi = 1.0) {
  std::mt19937_64 gen(seed);
  std::vector<double> v(n);
  for (double &x : v)
    x = lo + (hi - lo) * double(gen() >> 11) * 0x1p-53;
  return v;
}

inline double dotProduct(const std::vector<double> &a,
                         const std::vector<double> &b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i)
    s += a[i] * b[i];
  return s;
}

struct GradParam {
  std::string name;
  std::vector<double> *value;
  std::vector<double> *grad;
};

constexpr double kPrefill = 0.25;

inline void expectGradientsMatch(const std::function<double()> &loss,
                                 const std::function<void()> &backward,
                                 const std::vector<GradParam> &params,
                                 double h = 1e-6, double rtol = 1e-6,
                                 double atol = 1e-8) {
  for (const GradParam &p : params)
    p.grad->assign(p.value->size(), kPrefill);
  backward();
  for (const GradParam &p : params) {
    double worst = 0;
    int failures = 0;
    for (size_t i = 0; i < p.value->size(); ++i) {
      const double analytic = (*p.grad)[i] - kPrefill;
      const double saved = (*p.value)[i];
      (*p.value)[i] = saved + h;
      const double lp = loss();
      (*p.value)[i] = saved - h;
      const double lm = loss();
      (*p.value)[i] = saved;
      const double numeric = (lp - lm) / (2 * h);
      const double err = std::fabs(analytic - numeric);
      const double bound =
          rtol * std::max(std::fabs(analytic), std::fabs(numeric)) + atol;
      worst = std::max(worst, err / bound);
      if (err > bound && ++failures <= 5)
        ADD_FAILURE() << p.name << "[" << i << "]: analytic " << analytic
                      << " vs numeric " << numeric << " (error " << err
                      << ", bound " << bound << ")";
    }
    EXPECT_EQ(failures, 0) << p.name << ": " << failures << " of "
                           << p.value->size() << " entries out of tolerance";
    // The margin, in the XML report (--gtest_output=xml).
    testing::Test::RecordProperty(p.name + "_worst_error_over_bound", std::to_string(worst));
  }
}

} // namespace ptc::rt::test

#endif // PTC_TEST_RUNTIME_GRADCHECK_H
