//===- schedule.cu - Learning-rate schedule, initialisation (CUDA) --------===//

#include "runtime/cuda/schedule.cuh"

#include "runtime/cuda/device_utils.cuh"

namespace ptc::kernels {

using namespace ptc::cuda;

namespace {

constexpr int kThreads = 256;
constexpr double kPi = 3.14159265358979323846;

template <typename T>
__global__ void lrScheduleKernel(T *out, const int64_t *stepPtr,
                                 int64_t schedule, double lr, double minLr,
                                 int64_t warmupSteps, int64_t decaySteps) {
  const int64_t step = *stepPtr;
  PTC_DEVICE_REQUIRE(step >= 1, "lr_schedule: step %lld (steps are 1-based)",
                     (long long)step);
  double rate;
  if (warmupSteps > 0 && step <= warmupSteps) {
    rate = lr * double(step) / double(warmupSteps);
  } else if (schedule == 2) {
    rate = lr;
  } else {
    const double span = double(decaySteps - warmupSteps);
    const double progress =
        span > 0 ? fmin(fmax(double(step - warmupSteps) / span, 0.0), 1.0)
                 : 1.0;
    rate = schedule == 1
               ? lr - (lr - minLr) * progress
               : minLr + (lr - minLr) * 0.5 * (1.0 + cos(kPi * progress));
  }
  *out = fromDouble<T>(rate);
}

template <typename T>
__global__ void initNormalKernel(T *out, const int64_t *seed, int64_t n,
                                 uint64_t stream, double std) {
  const uint64_t key =
      mix64(uint64_t(*seed) ^ mix64(stream + 0x5851F42D4C957F2DULL));
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    double u1 = uniform24(key, 2 * uint64_t(i));
    const double u2 = uniform24(key, 2 * uint64_t(i) + 1);
    u1 = fmax(u1, 1.0 / 16777216.0);
    out[i] = fromDouble<T>(std * sqrt(-2.0 * log(u1)) * cos(2 * kPi * u2));
  }
}

} // namespace

template <typename T>
void lr_schedule(T *out, const int64_t *step, int64_t schedule, double lr,
                 double minLr, int64_t warmupSteps, int64_t decaySteps) {
  PTC_CUDA_REQUIRE(schedule >= 0 && schedule <= 2,
                   "lr_schedule: schedule code %lld (0 cosine, 1 linear, 2 "
                   "constant)",
                   (long long)schedule);
  lrScheduleKernel<<<1, 1, 0, stream()>>>(out, step, schedule, lr, minLr,
                                          warmupSteps, decaySteps);
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void init_normal(T *out, const int64_t *seed, int64_t n, int64_t streamId,
                 double std) {
  PTC_CUDA_REQUIRE(n >= 0, "init_normal: n = %lld < 0", (long long)n);
  if (n == 0)
    return;
  initNormalKernel<<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(
      out, seed, n, uint64_t(streamId), std);
  PTC_CUDA_CHECK_LAUNCH();
}

#define PTC_INSTANTIATE(T)                                                     \
  template void lr_schedule<T>(T *, const int64_t *, int64_t, double, double,  \
                               int64_t, int64_t);                              \
  template void init_normal<T>(T *, const int64_t *, int64_t, int64_t, double);
PTC_CUDA_FOR_FLOAT_TYPES(PTC_INSTANTIATE)
#undef PTC_INSTANTIATE
template void lr_schedule<double>(double *, const int64_t *, int64_t, double,
                                  double, int64_t, int64_t);

} // namespace ptc::kernels
