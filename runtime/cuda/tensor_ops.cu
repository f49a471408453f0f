//===- tensor_ops.cu - Data movement and reductions (CUDA) ----------------===//

#include "runtime/cuda/tensor_ops.cuh"

#include "runtime/cuda/device_utils.cuh"
#include "runtime/cuda/reduce.cuh"

namespace ptc::kernels {

using namespace ptc::cuda;

namespace {

constexpr int kThreads = 256;

template <typename T> struct FromDouble {
  __device__ static T get(double v) { return fromDouble<T>(v); }
};
template <> struct FromDouble<int32_t> {
  __device__ static int32_t get(double v) { return int32_t(v); }
};
template <> struct FromDouble<int64_t> {
  __device__ static int64_t get(double v) { return int64_t(v); }
};

template <typename T>
__global__ void fillKernel(T *buffer, int64_t n, double value) {
  const T v = FromDouble<T>::get(value);
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    buffer[i] = v;
}

template <typename To, typename From>
__global__ void convertKernel(To *dst, const From *src, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    dst[i] = fromFloat<To>(toFloat(src[i]));
}

constexpr int kMaxRank = 6;
struct PermuteShape {
  int rank;
  int64_t outShape[kMaxRank];  // out's extents
  int64_t srcStride[kMaxRank]; // in's stride of the dim out dim d reads
};

template <typename T>
__global__ void permuteKernel(T *out, const T *in, int64_t n,
                              PermuteShape shape) {
  for (int64_t o = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; o < n;
       o += int64_t(gridDim.x) * blockDim.x) {
    int64_t rest = o, src = 0;
    for (int d = shape.rank - 1; d >= 0; --d) {
      const int64_t idx = rest % shape.outShape[d];
      rest /= shape.outShape[d];
      src += idx * shape.srcStride[d];
    }
    out[o] = in[src];
  }
}

// Permutations that keep the trailing `inner` elements of each row together
// (perm ends with its own last dims, as [0,2,1,3]): out is rows of `inner`
// contiguous elements, each a contiguous row of in. U is the unit copied
// (16, 8 or 4 bytes, or T itself); `units` per row; I the index type.
struct RowPermuteShape {
  int rank;                    // outer dims
  int64_t outShape[kMaxRank];  // out's outer extents
  int64_t srcStride[kMaxRank]; // in's stride (in units) of out's dim d
};

template <typename U, typename I>
__global__ void permuteRowsKernel(U *out, const U *in, I n, I units,
                                  RowPermuteShape shape) {
  for (I o = blockIdx.x * I(blockDim.x) + threadIdx.x; o < n;
       o += I(gridDim.x) * blockDim.x) {
    I rest = o / units;
    const I j = o - rest * units;
    I src = j;
    for (int d = shape.rank - 1; d >= 0; --d) {
      const I extent = I(shape.outShape[d]);
      const I q = rest / extent;
      src += (rest - q * extent) * I(shape.srcStride[d]);
      rest = q;
    }
    out[o] = in[src];
  }
}

// The row path in tiles: block (rest, tp, tq) moves the rows of out's last
// two outer dims p in [tp * kTile, +kTile), q in [tq * kTile, +kTile) for
// one index `rest` of the dims before them, so that both its reads and its
// writes are runs of up to kTile rows (not single scattered rows).
constexpr int kTile = 16;
template <typename U>
__global__ void permuteTiledKernel(U *out, const U *in, uint32_t units,
                                   RowPermuteShape shape, int64_t tilesP,
                                   int64_t tilesQ) {
  const int R = shape.rank;
  const int64_t P = shape.outShape[R - 2], Q = shape.outShape[R - 1];
  int64_t b = blockIdx.x;
  const int64_t tq = b % tilesQ;
  b /= tilesQ;
  const int64_t tp = b % tilesP;
  b /= tilesP;
  const int64_t dstBase = b * P * Q * int64_t(units);
  int64_t srcBase = 0;
  for (int d = R - 3; d >= 0; --d) {
    const int64_t q = b / shape.outShape[d];
    srcBase += (b - q * shape.outShape[d]) * shape.srcStride[d];
    b = q;
  }
  const int64_t p0 = tp * kTile, q0 = tq * kTile;
  const uint32_t np = uint32_t(min(int64_t(kTile), P - p0));
  const uint32_t nq = uint32_t(min(int64_t(kTile), Q - q0));
  const int64_t sP = shape.srcStride[R - 2], sQ = shape.srcStride[R - 1];
  const U *src = in + srcBase + p0 * sP + q0 * sQ;
  U *dst = out + dstBase + (p0 * Q + q0) * int64_t(units);
  const uint32_t n = np * nq * units;
  for (uint32_t l = threadIdx.x; l < n; l += blockDim.x) {
    const uint32_t r = l / units, u = l - r * units;
    const uint32_t p = r / nq, q = r - p * nq;
    dst[(int64_t(p) * Q + q) * units + u] = src[p * sP + q * sQ + u];
  }
}

// copy_rows in units U (all sizes and offsets in units); I indexes the
// rows * len units.
template <typename U, typename I>
__global__ void copyRowsKernel(U *dst, const U *src, I n, I len,
                               int64_t dstStride, int64_t dstOffset,
                               int64_t srcStride, int64_t srcOffset) {
  for (I i = blockIdx.x * I(blockDim.x) + threadIdx.x; i < n;
       i += I(gridDim.x) * blockDim.x) {
    const I r = i / len, j = i - r * len;
    dst[int64_t(r) * dstStride + dstOffset + j] =
        src[int64_t(r) * srcStride + srcOffset + j];
  }
}

// permute_view: out's rows of `units` units (the trailing dims perm keeps)
// at dstStride per outer dim, each read from in at srcStride per outer dim
// (both in units, plus offsets): a permute between strided views.
struct ViewPermuteShape {
  int rank;                    // outer dims
  int64_t outShape[kMaxRank];  // out's outer extents
  int64_t srcStride[kMaxRank]; // in's stride (units) of out's dim d
  int64_t dstStride[kMaxRank]; // out's stride (units) of out's dim d
  int64_t srcOffset, dstOffset;
};

template <typename U, typename I>
__global__ void permuteViewKernel(U *out, const U *in, I n, I units,
                                  ViewPermuteShape shape) {
  for (I o = blockIdx.x * I(blockDim.x) + threadIdx.x; o < n;
       o += I(gridDim.x) * blockDim.x) {
    I rest = o / units;
    const I j = o - rest * units;
    int64_t src = shape.srcOffset + j, dst = shape.dstOffset + j;
    for (int d = shape.rank - 1; d >= 0; --d) {
      const I extent = I(shape.outShape[d]);
      const I q = rest / extent;
      const int64_t idx = int64_t(rest - q * extent);
      src += idx * shape.srcStride[d];
      dst += idx * shape.dstStride[d];
      rest = q;
    }
    out[dst] = in[src];
  }
}

// reduce_leading pass 1 with 16-byte loads: block (x, chunk) of 32 x 8
// threads; thread (tx, ty) owns the kWidth columns of vector
// blockIdx.x * 32 + tx and sums rows ty, ty + 8, ... of the chunk; the 8 row
// lanes are then added in order ty = 0..7 (fixed order).
constexpr int kLeadRowLanes = 8;
template <typename T>
__global__ void leadingPartialsVecKernel(float *partial, const T *in,
                                         ColumnPlan plan) {
  using V = Vec16<T>;
  constexpr int W = V::kWidth;
  __shared__ float lanes[kLeadRowLanes][32 * W + 1];
  const int tx = threadIdx.x % 32, ty = threadIdx.x / 32;
  const int64_t vec = blockIdx.x * int64_t(32) + tx;
  const int64_t nvec = plan.cols / W;
  float acc[W];
#pragma unroll
  for (int i = 0; i < W; ++i)
    acc[i] = 0.f;
  const int64_t r0 = blockIdx.y * plan.rowsPerChunk;
  const int64_t r1 = min(plan.rows, r0 + plan.rowsPerChunk);
  if (vec < nvec) {
    const T *p = in + vec * W;
#pragma unroll 4
    for (int64_t r = r0 + ty; r < r1; r += kLeadRowLanes) {
      float v[W];
      V::load(p + r * plan.cols, v);
#pragma unroll
      for (int i = 0; i < W; ++i)
        acc[i] += v[i];
    }
  }
#pragma unroll
  for (int i = 0; i < W; ++i)
    lanes[ty][tx * W + i] = acc[i];
  __syncthreads();
  // Each thread now finishes columns threadIdx.x, threadIdx.x + 256, ...
  for (int c = threadIdx.x; c < 32 * W; c += 32 * kLeadRowLanes) {
    const int64_t col = blockIdx.x * int64_t(32 * W) + c;
    if (col >= plan.cols)
      break;
    float s = 0.f;
#pragma unroll
    for (int k = 0; k < kLeadRowLanes; ++k)
      s += lanes[k][c];
    partial[blockIdx.y * plan.cols + col] = s;
  }
}

template <typename T, typename U>
__global__ void fillVecKernel(U *buffer, int64_t units, T *tail, int64_t tailN,
                              double value) {
  const T v = FromDouble<T>::get(value);
  U u;
  T *e = reinterpret_cast<T *>(&u);
#pragma unroll
  for (int i = 0; i < int(sizeof(U) / sizeof(T)); ++i)
    e[i] = v;
  const int64_t tid = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  for (int64_t i = tid; i < units; i += int64_t(gridDim.x) * blockDim.x)
    buffer[i] = u;
  if (tid < tailN)
    tail[tid] = v;
}

// convert, 8 elements a thread through 16-byte loads and stores; the tail
// (n % 8) by element.
template <typename To, typename From>
__global__ void convertVecKernel(To *dst, const From *src, int64_t n) {
  constexpr int E = 8, WF = Vec16<From>::kWidth, WT = Vec16<To>::kWidth;
  const int64_t vecs = n / E;
  const int64_t tid = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  for (int64_t i = tid; i < vecs; i += int64_t(gridDim.x) * blockDim.x) {
    float v[E];
#pragma unroll
    for (int h = 0; h < E / WF; ++h)
      Vec16<From>::load(src + i * E + h * WF,
                        *reinterpret_cast<float(*)[WF]>(v + h * WF));
#pragma unroll
    for (int h = 0; h < E / WT; ++h)
      Vec16<To>::store(dst + i * E + h * WT,
                       *reinterpret_cast<const float(*)[WT]>(v + h * WT));
  }
  const int64_t t = vecs * E + tid;
  if (t < n)
    dst[t] = fromFloat<To>(toFloat(src[t]));
}

template <typename T>
__global__ void axpyKernel(T *y, const T *x, double alpha, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    y[i] = fromDouble<T>(toDouble(y[i]) + alpha * toDouble(x[i]));
}

template <typename T> struct LeadingSum {
  const T *in;
  int64_t inner;
  __device__ void operator()(int64_t r, int64_t c, float (&acc)[1]) const {
    acc[0] += toFloat(in[r * inner + c]);
  }
};

} // namespace

template <typename T> void fill(T *buffer, int64_t n, double value) {
  PTC_CUDA_REQUIRE(n >= 0 && (n == 0 || buffer), "fill: n = %lld",
                   (long long)n);
  if (n == 0)
    return;
  if (reinterpret_cast<uintptr_t>(buffer) % 16 == 0 && sizeof(T) <= 16) {
    constexpr int64_t W = 16 / sizeof(T);
    const int64_t units = n / W;
    fillVecKernel<T, uint4>
        <<<blocksFor(units > 0 ? units : 1, kThreads), kThreads, 0, stream()>>>(
            reinterpret_cast<uint4 *>(buffer), units, buffer + units * W,
            n - units * W, value);
  } else {
    fillKernel<<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(buffer, n,
                                                                  value);
  }
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T> void copy(T *dst, const T *src, int64_t n) {
  PTC_CUDA_REQUIRE(n >= 0, "copy: n = %lld < 0", (long long)n);
  if (n == 0 || dst == src)
    return;
  PTC_CUDA_CHECK(cudaMemcpyAsync(dst, src, size_t(n) * sizeof(T),
                                 cudaMemcpyDeviceToDevice, stream()));
}

template <typename To, typename From>
void convert(To *dst, const From *src, int64_t n) {
  PTC_CUDA_REQUIRE(n >= 0, "convert: n = %lld < 0", (long long)n);
  if (n == 0)
    return;
  if (reinterpret_cast<uintptr_t>(dst) % 16 == 0 &&
      reinterpret_cast<uintptr_t>(src) % 16 == 0) {
    const int64_t vecs = n / 8;
    convertVecKernel<<<blocksFor(vecs > 0 ? vecs : 1, kThreads), kThreads, 0,
                       stream()>>>(dst, src, n);
  } else {
    convertKernel<<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(dst, src,
                                                                     n);
  }
  PTC_CUDA_CHECK_LAUNCH();
}

/// Launches permuteRowsKernel in units U: ps holds out's extents and in's
/// strides (elements) of all `rank` dims; the first `outer` are permuted.
template <typename U, typename T>
void permuteRows(T *out, const T *in, int64_t n, int64_t inner, int outer,
                 const PermuteShape &ps) {
  constexpr int64_t per = sizeof(U) / sizeof(T) > 0 ? sizeof(U) / sizeof(T) : 1;
  RowPermuteShape rs{outer, {}, {}};
  for (int d = 0; d < outer; ++d) {
    rs.outShape[d] = ps.outShape[d];
    rs.srcStride[d] = ps.srcStride[d] / per;
  }
  const int64_t units = inner / per, total = n / per;
  U *o = reinterpret_cast<U *>(out);
  const U *i = reinterpret_cast<const U *>(in);
  if (outer >= 2) {
    const int64_t P = rs.outShape[outer - 2], Q = rs.outShape[outer - 1];
    const int64_t tilesP = (P + kTile - 1) / kTile,
                  tilesQ = (Q + kTile - 1) / kTile;
    const int64_t blocks = total / (P * Q * units) * tilesP * tilesQ;
    if (units * kTile * kTile < (int64_t(1) << 31) &&
        blocks < (int64_t(1) << 31)) {
      permuteTiledKernel<U><<<unsigned(blocks), kThreads, 0, stream()>>>(
          o, i, uint32_t(units), rs, tilesP, tilesQ);
      PTC_CUDA_CHECK_LAUNCH();
      return;
    }
  }
  if (total < (int64_t(1) << 31))
    permuteRowsKernel<U, uint32_t>
        <<<blocksFor(total, kThreads), kThreads, 0, stream()>>>(
            o, i, uint32_t(total), uint32_t(units), rs);
  else
    permuteRowsKernel<U, uint64_t>
        <<<blocksFor(total, kThreads), kThreads, 0, stream()>>>(
            o, i, uint64_t(total), uint64_t(units), rs);
  PTC_CUDA_CHECK_LAUNCH();
}

/// copy_rows in units U (every size, stride and offset a multiple of U).
template <typename U, typename T>
void copyRowsIn(T *dst, const T *src, int64_t rows, int64_t len,
                int64_t dstStride, int64_t dstOffset, int64_t srcStride,
                int64_t srcOffset) {
  constexpr int64_t per = sizeof(U) / sizeof(T) > 0 ? sizeof(U) / sizeof(T) : 1;
  const int64_t n = rows * (len / per);
  U *d = reinterpret_cast<U *>(dst);
  const U *s = reinterpret_cast<const U *>(src);
  if (n < (int64_t(1) << 31))
    copyRowsKernel<U, uint32_t>
        <<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(
            d, s, uint32_t(n), uint32_t(len / per), dstStride / per,
            dstOffset / per, srcStride / per, srcOffset / per);
  else
    copyRowsKernel<U, uint64_t>
        <<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(
            d, s, uint64_t(n), uint64_t(len / per), dstStride / per,
            dstOffset / per, srcStride / per, srcOffset / per);
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void permute(T *out, const T *in, int64_t rank, int64_t s0, int64_t s1,
             int64_t s2, int64_t s3, int64_t s4, int64_t s5, int64_t p0,
             int64_t p1, int64_t p2, int64_t p3, int64_t p4, int64_t p5) {
  PTC_CUDA_REQUIRE(rank >= 1 && rank <= kMaxRank,
                   "permute: rank %lld outside [1, %d]", (long long)rank,
                   kMaxRank);
  const int64_t shape[] = {s0, s1, s2, s3, s4, s5};
  const int64_t perm[] = {p0, p1, p2, p3, p4, p5};
  int64_t inStride[kMaxRank];
  int64_t n = 1;
  for (int d = int(rank) - 1; d >= 0; --d) {
    PTC_CUDA_REQUIRE(shape[d] >= 0, "permute: shape[%d] = %lld < 0", d,
                     (long long)shape[d]);
    inStride[d] = n;
    n *= shape[d];
  }
  PermuteShape ps{int(rank), {}, {}};
  bool seen[kMaxRank] = {};
  for (int d = 0; d < rank; ++d) {
    PTC_CUDA_REQUIRE(perm[d] >= 0 && perm[d] < rank && !seen[perm[d]],
                     "permute: perm is not a permutation of [0, %lld)",
                     (long long)rank);
    seen[perm[d]] = true;
    ps.outShape[d] = shape[perm[d]];
    ps.srcStride[d] = inStride[perm[d]];
  }
  if (n == 0)
    return;
  // Trailing dims that perm keeps in place travel as contiguous rows.
  int outer = int(rank);
  int64_t inner = 1;
  while (outer > 0 && perm[outer - 1] == outer - 1) {
    --outer;
    inner *= shape[outer];
  }
  if (outer == 0) { // the identity
    copy(out, in, n);
    return;
  }
  if (inner > 1) {
    const uintptr_t a =
        reinterpret_cast<uintptr_t>(out) | reinterpret_cast<uintptr_t>(in);
    const int64_t bytes = inner * int64_t(sizeof(T));
    if (a % 16 == 0 && bytes % 16 == 0)
      return permuteRows<uint4>(out, in, n, inner, outer, ps);
    if (a % 8 == 0 && bytes % 8 == 0)
      return permuteRows<uint2>(out, in, n, inner, outer, ps);
    if (sizeof(T) <= 4 && a % 4 == 0 && bytes % 4 == 0)
      return permuteRows<uint32_t>(out, in, n, inner, outer, ps);
    return permuteRows<T>(out, in, n, inner, outer, ps);
  }
  permuteKernel<<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(out, in, n,
                                                                   ps);
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void copy_rows(T *dst, const T *src, int64_t rows, int64_t len,
               int64_t dstStride, int64_t dstOffset, int64_t srcStride,
               int64_t srcOffset) {
  PTC_CUDA_REQUIRE(rows >= 0 && len >= 0 && dstOffset >= 0 && srcOffset >= 0,
                   "copy_rows: rows = %lld, len = %lld, offsets %lld, %lld",
                   (long long)rows, (long long)len, (long long)dstOffset,
                   (long long)srcOffset);
  if (rows == 0 || len == 0)
    return;
  // The widest unit that every address divides: 16, 8, 4 bytes or T.
  const uintptr_t a =
      reinterpret_cast<uintptr_t>(dst) | reinterpret_cast<uintptr_t>(src);
  const int64_t b = int64_t(sizeof(T));
  const int64_t sizes = (len * b) | (dstStride * b) | (dstOffset * b) |
                        (srcStride * b) | (srcOffset * b);
  const uint64_t all = uint64_t(a) | uint64_t(sizes);
  if (all % 16 == 0)
    copyRowsIn<uint4>(dst, src, rows, len, dstStride, dstOffset, srcStride,
                      srcOffset);
  else if (all % 8 == 0)
    copyRowsIn<uint2>(dst, src, rows, len, dstStride, dstOffset, srcStride,
                      srcOffset);
  else if (all % 4 == 0 && sizeof(T) <= 4)
    copyRowsIn<uint32_t>(dst, src, rows, len, dstStride, dstOffset, srcStride,
                         srcOffset);
  else
    copyRowsIn<T>(dst, src, rows, len, dstStride, dstOffset, srcStride,
                  srcOffset);
}

namespace {

/// Strides of a logical contiguous tensor of `shape` stored as rows of
/// rowLen elements rowStride apart: rowLen must be a product of trailing
/// dims (0 when it is not).
bool viewStrides(int rank, const int64_t *shape, int64_t rowLen,
                 int64_t rowStride, int64_t *strides) {
  int64_t contiguous = 1;
  bool matched = rowLen == 1;
  for (int d = rank - 1; d >= 0; --d) {
    if (contiguous == rowLen)
      matched = true;
    strides[d] = contiguous >= rowLen && rowLen > 0
                     ? contiguous / rowLen * rowStride
                     : contiguous;
    contiguous *= shape[d];
  }
  return matched || contiguous == rowLen;
}

template <typename U, typename T>
void permuteViewIn(T *out, const T *in, int64_t n, int64_t inner, int outer,
                   const int64_t *outShape, const int64_t *srcStride,
                   const int64_t *dstStride, int64_t srcOffset,
                   int64_t dstOffset) {
  constexpr int64_t per = sizeof(U) / sizeof(T) > 0 ? sizeof(U) / sizeof(T) : 1;
  ViewPermuteShape vs{outer, {}, {}, {}, srcOffset / per, dstOffset / per};
  for (int d = 0; d < outer; ++d) {
    vs.outShape[d] = outShape[d];
    vs.srcStride[d] = srcStride[d] / per;
    vs.dstStride[d] = dstStride[d] / per;
  }
  const int64_t units = inner / per, total = n / per;
  U *o = reinterpret_cast<U *>(out);
  const U *i = reinterpret_cast<const U *>(in);
  if (total < (int64_t(1) << 31))
    permuteViewKernel<U, uint32_t>
        <<<blocksFor(total, kThreads, 65536), kThreads, 0, stream()>>>(
            o, i, uint32_t(total), uint32_t(units), vs);
  else
    permuteViewKernel<U, uint64_t>
        <<<blocksFor(total, kThreads, 65536), kThreads, 0, stream()>>>(
            o, i, uint64_t(total), uint64_t(units), vs);
  PTC_CUDA_CHECK_LAUNCH();
}

} // namespace

template <typename T>
void permute_view(T *out, const T *in, int64_t rank, int64_t s0, int64_t s1,
                  int64_t s2, int64_t s3, int64_t s4, int64_t s5, int64_t p0,
                  int64_t p1, int64_t p2, int64_t p3, int64_t p4, int64_t p5,
                  int64_t inRowLen, int64_t inRowStride, int64_t inOffset,
                  int64_t outRowLen, int64_t outRowStride, int64_t outOffset) {
  PTC_CUDA_REQUIRE(rank >= 1 && rank <= kMaxRank,
                   "permute_view: rank %lld outside [1, %d]", (long long)rank,
                   kMaxRank);
  const int64_t shape[] = {s0, s1, s2, s3, s4, s5};
  const int64_t perm[] = {p0, p1, p2, p3, p4, p5};
  const int r = int(rank);
  int64_t n = 1, outShape[kMaxRank];
  bool seen[kMaxRank] = {};
  for (int d = 0; d < r; ++d) {
    PTC_CUDA_REQUIRE(perm[d] >= 0 && perm[d] < rank && !seen[perm[d]] &&
                         shape[d] >= 0,
                     "permute_view: bad shape or permutation");
    seen[perm[d]] = true;
    outShape[d] = shape[perm[d]];
    n *= shape[d];
  }
  if (n == 0)
    return;
  int64_t inStrides[kMaxRank], outStrides[kMaxRank];
  const bool ok = viewStrides(r, shape, inRowLen, inRowStride, inStrides) &&
                  viewStrides(r, outShape, outRowLen, outRowStride, outStrides);
  PTC_CUDA_REQUIRE(ok && inOffset >= 0 && outOffset >= 0 &&
                       inRowStride >= inRowLen && outRowStride >= outRowLen,
                   "permute_view: rows of %lld (in) / %lld (out) elements must "
                   "be whole trailing dims, within their strides",
                   (long long)inRowLen, (long long)outRowLen);
  int64_t srcStride[kMaxRank];
  for (int d = 0; d < r; ++d)
    srcStride[d] = inStrides[perm[d]];
  // The trailing dims perm keeps travel as units, when they lie inside one
  // row on both sides.
  int outer = r;
  int64_t inner = 1;
  while (outer > 0 && perm[outer - 1] == outer - 1 &&
         inner * shape[outer - 1] <= inRowLen &&
         inner * shape[outer - 1] <= outRowLen) {
    --outer;
    inner *= shape[outer];
  }
  if (outer == 0) { // the whole tensor inside one row: one unit of everything
    outer = 1;
    inner /= shape[0];
  }
  const int64_t b = int64_t(sizeof(T));
  uint64_t all = uint64_t(reinterpret_cast<uintptr_t>(out)) |
                 uint64_t(reinterpret_cast<uintptr_t>(in)) |
                 uint64_t(inner * b) | uint64_t(inOffset * b) |
                 uint64_t(outOffset * b);
  for (int d = 0; d < outer; ++d)
    all |= uint64_t(srcStride[d] * b) | uint64_t(outStrides[d] * b);
  if (all % 16 == 0)
    return permuteViewIn<uint4>(out, in, n, inner, outer, outShape, srcStride,
                                outStrides, inOffset, outOffset);
  if (all % 8 == 0)
    return permuteViewIn<uint2>(out, in, n, inner, outer, outShape, srcStride,
                                outStrides, inOffset, outOffset);
  if (all % 4 == 0 && sizeof(T) <= 4)
    return permuteViewIn<uint32_t>(out, in, n, inner, outer, outShape,
                                   srcStride, outStrides, inOffset, outOffset);
  permuteViewIn<T>(out, in, n, inner, outer, outShape, srcStride, outStrides,
                   inOffset, outOffset);
}

template <typename T>
void reduce_leading(T *out, const T *in, int64_t outer, int64_t inner) {
  PTC_CUDA_REQUIRE(outer >= 0 && inner >= 0,
                   "reduce_leading: outer = %lld, inner = %lld",
                   (long long)outer, (long long)inner);
  if (inner == 0)
    return;
  constexpr int W = Vec16<T>::kWidth;
  if (rowsAligned16(in, inner) && outer > 0) {
    const int64_t colBlocks = (inner / W + 31) / 32;
    const ColumnPlan plan = planChunks(outer, inner, colBlocks, 64);
    float *partial =
        static_cast<float *>(scratch(plan.partialFloats(1) * sizeof(float)));
    leadingPartialsVecKernel<T>
        <<<dim3(unsigned(colBlocks), unsigned(plan.chunks)), 32 * kLeadRowLanes,
           0, stream()>>>(partial, in, plan);
    PTC_CUDA_CHECK_LAUNCH();
    columnFinalize(out, partial, plan, /*accumulate=*/false, stream());
    return;
  }
  T *const outs[1] = {out};
  columnSums<1>(outs, outer, inner, /*accumulate=*/false,
                LeadingSum<T>{in, inner});
}

template <typename T> void axpy(T *y, const T *x, double alpha, int64_t n) {
  PTC_CUDA_REQUIRE(n >= 0, "axpy: n = %lld < 0", (long long)n);
  if (n == 0)
    return;
  axpyKernel<<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(y, x, alpha, n);
  PTC_CUDA_CHECK_LAUNCH();
}

#define PTC_INSTANTIATE_MOVE(T)                                                \
  template void fill<T>(T *, int64_t, double);                                 \
  template void copy<T>(T *, const T *, int64_t);                              \
  template void permute<T>(T *, const T *, int64_t, int64_t, int64_t, int64_t, \
                           int64_t, int64_t, int64_t, int64_t, int64_t,        \
                           int64_t, int64_t, int64_t, int64_t);                \
  template void copy_rows<T>(T *, const T *, int64_t, int64_t, int64_t,        \
                             int64_t, int64_t, int64_t);                       \
  template void permute_view<T>(                                               \
      T *, const T *, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,    \
      int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,  \
      int64_t, int64_t, int64_t, int64_t, int64_t);
PTC_CUDA_FOR_ALL_TYPES(PTC_INSTANTIATE_MOVE)
#undef PTC_INSTANTIATE_MOVE

#define PTC_INSTANTIATE_MATH(T)                                                \
  template void reduce_leading<T>(T *, const T *, int64_t, int64_t);           \
  template void axpy<T>(T *, const T *, double, int64_t);
PTC_CUDA_FOR_FLOAT_TYPES(PTC_INSTANTIATE_MATH)
#undef PTC_INSTANTIATE_MATH

template void convert<float, __nv_bfloat16>(float *, const __nv_bfloat16 *,
                                            int64_t);
template void convert<__nv_bfloat16, float>(__nv_bfloat16 *, const float *,
                                            int64_t);
template void convert<float, float>(float *, const float *, int64_t);
template void convert<__nv_bfloat16, __nv_bfloat16>(__nv_bfloat16 *,
                                                    const __nv_bfloat16 *,
                                                    int64_t);

} // namespace ptc::kernels
