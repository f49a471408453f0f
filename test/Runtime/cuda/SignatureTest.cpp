//===- SignatureTest.cpp - The CUDA library has kernels.h's signatures ----===//
//
// Compile-time check that every name the emitted code calls exists in the
// CUDA library with the argument list of runtime/cpu/kernels.h (as function
// pointer types: a missing overload or a changed parameter fails the build),
// and that the calls the emitter prints resolve. Runs without a GPU.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/kernels.cuh"

#include <gtest/gtest.h>

namespace {

namespace k = ptc::kernels;
using bf16 = __nv_bfloat16;
using i64 = int64_t;

template <typename T> void checkFloatKernels() {
  using P = T *;
  using C = const T *;
  void (*fill)(P, i64, double) = &k::fill<T>;
  void (*copy)(P, C, i64) = &k::copy<T>;
  void (*permute)(P, C, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64,
                  i64, i64) = &k::permute<T>;
  void (*copyRows)(P, C, i64, i64, i64, i64, i64, i64) = &k::copy_rows<T>;
  void (*reduceLeading)(P, C, i64, i64) = &k::reduce_leading<T>;
  void (*axpy)(P, C, double, i64) = &k::axpy<T>;
  void (*lnF)(P, P, P, C, C, C, i64, i64, double) = &k::layernorm_forward<T>;
  void (*lnFnb)(P, P, P, C, C, i64, i64, double) =
      &k::layernorm_forward_nobias<T>;
  void (*lnB)(P, P, P, C, C, C, C, C, i64, i64) = &k::layernorm_backward<T>;
  void (*lnBnb)(P, P, C, C, C, C, C, i64, i64) =
      &k::layernorm_backward_nobias<T>;
  void (*rmsF)(P, P, C, C, i64, i64, double) = &k::rmsnorm_forward<T>;
  void (*rmsB)(P, P, C, C, C, C, i64, i64) = &k::rmsnorm_backward<T>;
  void (*gemm)(P, C, C, C, i64, i64, i64, i64, bool, bool, bool, i64, i64,
               i64) = &k::gemm<T>;
  void (*geluF)(P, C, i64, i64) = &k::gelu_forward<T>;
  void (*geluB)(P, C, C, i64, i64) = &k::gelu_backward<T>;
  void (*siluF)(P, C, i64) = &k::silu_forward<T>;
  void (*siluB)(P, C, C, i64) = &k::silu_backward<T>;
  void (*swigluF)(P, C, C, i64) = &k::swiglu_forward<T>;
  void (*swigluB)(P, P, C, C, C, i64) = &k::swiglu_backward<T>;
  void (*addF)(P, C, C, i64, i64) = &k::add_forward<T>;
  void (*addB)(P, P, C, i64, i64) = &k::add_backward<T>;
  void (*mulF)(P, C, C, i64, i64) = &k::mul_forward<T>;
  void (*mulB)(P, P, C, C, C, i64, i64) = &k::mul_backward<T>;
  void (*scaleF)(P, C, double, i64) = &k::scale_forward<T>;
  void (*scaleB)(P, C, double, i64) = &k::scale_backward<T>;
  void (*dropF)(P, C, const i64 *, const i64 *, const i64 *, i64, double, i64) =
      &k::dropout_forward<T>;
  void (*dropB)(P, C, const i64 *, const i64 *, const i64 *, i64, double, i64) =
      &k::dropout_backward<T>;
  void (*ceF)(P, P, C, const int32_t *, i64, i64, i64) =
      &k::cross_entropy_forward<T>;
  void (*ceB)(P, C, C, const int32_t *, C, i64, i64, i64) =
      &k::cross_entropy_backward<T>;
  // lse (the second buffer of the forward, the last of the backward) is fp32
  // for every T.
  using L = float *;
  using LC = const float *;
  void (*attF)(P, L, C, C, C, i64, i64, i64, i64, i64, double) =
      &k::attention_forward<T>;
  void (*attB)(P, P, P, C, C, C, C, C, LC, i64, i64, i64, i64, i64, double) =
      &k::attention_backward<T>;
  // The strided forms (passes/Exec/AttentionLayout.cpp): four views
  // (offset, batch, head, row) after the sizes; the backward's accumulate.
  void (*attFS)(P, L, C, C, C, i64, i64, i64, i64, i64, double, //
                i64, i64, i64, i64, i64, i64, i64, i64,         //
                i64, i64, i64, i64, i64, i64, i64, i64) =
      &k::attention_forward_strided<T>;
  void (*attBS)(P, P, P, C, C, C, C, C, LC, i64, i64, i64, i64, i64, double,
                i64,                                      //
                i64, i64, i64, i64, i64, i64, i64, i64,   // dq, dk
                i64, i64, i64, i64, i64, i64, i64, i64,   // dv, dout
                i64, i64, i64, i64, i64, i64, i64, i64,   // q, k
                i64, i64, i64, i64, i64, i64, i64, i64) = // v, out
      &k::attention_backward_strided<T>;
  void (*permuteView)(P, C, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64,
                      i64, i64, i64, i64, i64, i64, i64, i64, i64) =
      &k::permute_view<T>;
  EXPECT_TRUE(attFS && attBS && permuteView);
  // GELU in the GEMM's epilogue (passes/Exec/GemmGelu.cpp).
  void (*gemmGeluAux)(P, P, C, C, C, i64, i64, i64, i64, i64) =
      &k::gemm_bias_gelu_aux<T>;
  void (*gemmGelu)(P, C, C, C, i64, i64, i64, i64, i64) = &k::gemm_bias_gelu<T>;
  void (*gemmDgelu)(P, P, C, C, C, i64, i64, i64, i64, i64) =
      &k::gemm_dgelu_bgrad<T>;
  EXPECT_TRUE(gemmGeluAux && gemmGelu && gemmDgelu);
  void (*embF)(P, const int32_t *, C, i64, i64, i64) = &k::embedding_forward<T>;
  void (*embB)(P, const int32_t *, C, i64, i64, i64) =
      &k::embedding_backward<T>;
  void (*ropeF)(P, C, i64, i64, i64, i64, double, i64) = &k::rope_forward<T>;
  void (*ropeB)(P, C, i64, i64, i64, i64, double, i64) = &k::rope_backward<T>;
  void (*ssa)(double *, C, i64) = &k::sum_squares_add<T>;
  void (*sqrtTo)(P, const double *) = &k::sqrt_to<T>;
  void (*clip)(P, C, double) = &k::clip_factor<T>;
  void (*lr)(P, const i64 *, i64, double, double, i64, i64) =
      &k::lr_schedule<T>;
  void (*init)(P, const i64 *, i64, i64, double) = &k::init_normal<T>;
  const void *all[] = {
      (void *)fill,          (void *)copy,    (void *)permute, (void *)copyRows,
      (void *)reduceLeading, (void *)axpy,    (void *)lnF,     (void *)lnFnb,
      (void *)lnB,           (void *)lnBnb,   (void *)rmsF,    (void *)rmsB,
      (void *)gemm,          (void *)geluF,   (void *)geluB,   (void *)siluF,
      (void *)siluB,         (void *)swigluF, (void *)swigluB, (void *)addF,
      (void *)addB,          (void *)mulF,    (void *)mulB,    (void *)scaleF,
      (void *)scaleB,        (void *)dropF,   (void *)dropB,   (void *)ceF,
      (void *)ceB,           (void *)attF,    (void *)attB,    (void *)embF,
      (void *)embB,          (void *)ropeF,   (void *)ropeB,   (void *)ssa,
      (void *)sqrtTo,        (void *)clip,    (void *)lr,      (void *)init};
  for (const void *f : all)
    EXPECT_NE(f, nullptr);
}

TEST(CudaKernelSignatures, MatchTheCpuContract) {
  checkFloatKernels<float>();
  checkFloatKernels<bf16>();
  void (*toBf16)(bf16 *, const float *, i64) = &k::convert<bf16, float>;
  void (*toF32)(float *, const bf16 *, i64) = &k::convert<float, bf16>;
  void (*adamw)(float *, float *, float *, const float *, const float *,
                const float *, const i64 *, i64, double, double, double,
                double) = &k::adamw_update<float, float>;
  void (*fillF64)(double *, i64, double) = &k::fill<double>;
  void (*fillI64)(i64 *, i64, double) = &k::fill<i64>;
  void (*copyI32)(int32_t *, const int32_t *, i64) = &k::copy<int32_t>;
  EXPECT_TRUE(toBf16 && toF32 && adamw && fillF64 && fillI64 && copyI32);
}

// The collectives and index kernels of parallel plans, with the argument
// lists of runtime/cpu/collectives.h and kernels.h.
template <typename T> void checkParallelKernels() {
  using P = T *;
  using C = const T *;
  void (*allReduce)(P, i64, i64, i64) = &k::all_reduce<T>;
  void (*allGather)(P, C, i64, i64) = &k::all_gather<T>;
  void (*reduceScatter)(P, C, i64, i64, i64) = &k::reduce_scatter<T>;
  void (*reduceScatterInPlace)(P, i64, i64, i64) =
      &k::reduce_scatter_inplace<T>;
  void (*allGatherInPlace)(P, i64, i64) = &k::all_gather_inplace<T>;
  void (*broadcast)(P, i64, i64, i64) = &k::broadcast<T>;
  void (*send)(C, i64, i64, i64) = &k::send<T>;
  void (*recv)(P, i64, i64, i64) = &k::recv<T>;
  void (*slice)(P, C, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) =
      &k::shard_slice<T>;
  void (*unslice)(P, C, i64, i64, i64, i64, i64, i64, i64, i64, i64) =
      &k::shard_unslice<T>;
  EXPECT_TRUE(allReduce && allGather && reduceScatter && reduceScatterInPlace &&
              allGatherInPlace && broadcast && send && recv && slice &&
              unslice);
}

TEST(CudaKernelSignatures, ParallelKernelsMatchTheCpuContract) {
  checkParallelKernels<float>();
  checkParallelKernels<bf16>();
  checkParallelKernels<int32_t>();
  i64 (*coordinate)(i64) = &k::mesh_coordinate;
  void (*groupStart)() = &k::group_start;
  void (*groupEnd)() = &k::group_end;
  EXPECT_TRUE(coordinate && groupStart && groupEnd);
}

// The calls as the emitter prints them (with `using namespace
// ptc::kernels`): deduced T, int64_t(...) and double(...) literals, a
// nullptr bias. Compiled, never run.
[[maybe_unused]] void emittedCallsCompile(float *f, bf16 *h, double *d,
                                          int64_t *step) {
  using namespace ptc::kernels;
  gemm(f, f, f, nullptr, int64_t(1), int64_t(2), int64_t(3), int64_t(4), false,
       true, false, int64_t(8), int64_t(12), int64_t(6));
  gemm(h, h, h, h, int64_t(1), int64_t(2), int64_t(3), int64_t(4), false, true,
       true, int64_t(8), int64_t(12), int64_t(6));
  fill(d, int64_t(1), double(0));
  copy(f, f, int64_t(3));
  convert(h, f, int64_t(3));
  sum_squares_add(d, f, int64_t(3));
  sqrt_to(f, d);
  clip_factor(f, f, double(1));
  lr_schedule(f, step, int64_t(0), double(6e-4), double(6e-5), int64_t(10),
              int64_t(100));
  adamw_update(f, f, f, f, f, f, step, int64_t(3), double(0.9), double(0.95),
               double(1e-8), double(0.1));
  adamw_update_segments(f, f, f, f, f, f, step, int64_t(3), double(0.9),
                        double(0.95), double(1e-8),
                        {{int64_t(2), double(0.1)}, {int64_t(1), double(0)}});
  rope_forward(h, h, int64_t(1), int64_t(1), int64_t(2), int64_t(4),
               double(10000));
  // bf16 attention with its fp32 lse.
  attention_forward(h, f, h, h, h, int64_t(1), int64_t(2), int64_t(2),
                    int64_t(8), int64_t(64), double(0.125));
  attention_backward(h, h, h, h, h, h, h, h, f, int64_t(1), int64_t(2),
                     int64_t(2), int64_t(8), int64_t(64), double(0.125));
}

} // namespace
