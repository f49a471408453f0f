// RUN: ptc-opt %s -split-input-file -exec-fuse | FileCheck %s

// Tests that a zeroed gradient whose source dies at the kernel is computed
// in place: the fill and the buffer go, the kernel writes over its source.

// CHECK-LABEL: func.func @in_place
// CHECK: %[[L:.*]] = exec.alloc : memref<4x16xbf16>
// CHECK-NOT: exec.fill
// CHECK: exec.launch "cross_entropy_backward"(%[[L]], %[[L]],
// CHECK: exec.launch "produce"(%{{.*}}, %[[DY:.*]]) access
// CHECK-NOT: exec.fill
// CHECK: exec.launch "gelu_backward"(%[[DY]], %{{.*}}, %[[DY]])
// CHECK: exec.launch "use"(%[[DY]])
module {
  func.func @in_place() attributes {exec.entry = "micro_step"} {
    %t = exec.alloc : memref<4xi32>
    %lse = exec.alloc : memref<4xf32>
    %dloss = exec.alloc : memref<f32>
    %l = exec.alloc : memref<4x16xbf16>
    exec.launch "produce"(%l) access [write] : memref<4x16xbf16>
    %dl = exec.alloc : memref<4x16xbf16>
    exec.fill %dl, 0.0 : memref<4x16xbf16>
    exec.launch "cross_entropy_backward"(%dl, %l, %lse, %t, %dloss) access [readwrite, read, read, read, read] args [4, 15, 16] : memref<4x16xbf16>, memref<4x16xbf16>, memref<4xf32>, memref<4xi32>, memref<f32>
    exec.launch "use"(%dl) access [read] : memref<4x16xbf16>
    %x = exec.alloc : memref<32xbf16>
    %dy = exec.alloc : memref<32xbf16>
    exec.launch "produce"(%x, %dy) access [write, write] : memref<32xbf16>, memref<32xbf16>
    %dx = exec.alloc : memref<32xbf16>
    exec.fill %dx, 0.0 : memref<32xbf16>
    exec.launch "gelu_backward"(%dx, %x, %dy) access [readwrite, read, read] args [32, 1] : memref<32xbf16>, memref<32xbf16>, memref<32xbf16>
    exec.launch "use"(%dx) access [read] : memref<32xbf16>
    return
  }
}

// -----

// Tests that a source still read after the kernel is not overwritten.

// CHECK-LABEL: func.func @negative_source_live
// CHECK: exec.fill
// CHECK: exec.launch "gelu_backward"(%[[DX:.*]], %{{.*}}, %[[DY:.*]]) access
module {
  func.func @negative_source_live() attributes {exec.entry = "micro_step"} {
    %x = exec.alloc : memref<32xbf16>
    %dy = exec.alloc : memref<32xbf16>
    exec.launch "produce"(%x, %dy) access [write, write] : memref<32xbf16>, memref<32xbf16>
    %dx = exec.alloc : memref<32xbf16>
    exec.fill %dx, 0.0 : memref<32xbf16>
    exec.launch "gelu_backward"(%dx, %x, %dy) access [readwrite, read, read] args [32, 1] : memref<32xbf16>, memref<32xbf16>, memref<32xbf16>
    exec.launch "use"(%dx, %dy) access [read, read] : memref<32xbf16>, memref<32xbf16>
    return
  }
}

// -----

// Tests that kernels adding into a zeroed buffer that an add then sums with
// a dying residual gradient add into that gradient directly.

// CHECK-LABEL: func.func @accumulate_into_addend
// CHECK: %[[G:.*]] = exec.alloc : memref<8x4xf32>
// CHECK-NOT: exec.fill
// CHECK: exec.launch "layernorm_backward"(%[[G]],
// CHECK-NOT: add_forward
// CHECK: exec.launch "use"(%[[G]])
module {
  func.func @accumulate_into_addend() attributes {exec.entry = "micro_step"} {
    %g = exec.alloc : memref<8x4xf32>
    exec.launch "produce"(%g) access [write] : memref<8x4xf32>
    exec.launch "read"(%g) access [read] : memref<8x4xf32>
    %dy = exec.alloc : memref<8x4xf32>
    %x = exec.alloc : memref<8x4xf32>
    %s = exec.alloc : memref<8xf32>
    %w = exec.alloc : memref<4xf32>
    %dw = exec.alloc : memref<4xf32>
    %db = exec.alloc : memref<4xf32>
    %dx = exec.alloc : memref<8x4xf32>
    exec.fill %dx, 0.0 : memref<8x4xf32>
    exec.launch "layernorm_backward"(%dx, %dw, %db, %dy, %x, %w, %s, %s) access [readwrite, readwrite, readwrite, read, read, read, read, read] args [8, 4] : memref<8x4xf32>, memref<4xf32>, memref<4xf32>, memref<8x4xf32>, memref<8x4xf32>, memref<4xf32>, memref<8xf32>, memref<8xf32>
    %sum = exec.alloc : memref<8x4xf32>
    exec.launch "add_forward"(%sum, %g, %dx) access [write, read, read] args [32, 32] : memref<8x4xf32>, memref<8x4xf32>, memref<8x4xf32>
    exec.launch "use"(%sum) access [read] : memref<8x4xf32>
    return
  }
}

// -----

// Tests that an addend read between the kernel and the add is left alone.

// CHECK-LABEL: func.func @negative_addend_read_between
// CHECK: exec.fill
// CHECK: exec.launch "add_forward"
module {
  func.func @negative_addend_read_between() attributes {exec.entry = "micro_step"} {
    %g = exec.alloc : memref<32xf32>
    %x = exec.alloc : memref<32xf32>
    exec.launch "produce"(%g, %x) access [write, write] : memref<32xf32>, memref<32xf32>
    %dx = exec.alloc : memref<32xf32>
    exec.fill %dx, 0.0 : memref<32xf32>
    exec.launch "gelu_backward"(%dx, %x, %x) access [readwrite, read, read] args [32, 1] : memref<32xf32>, memref<32xf32>, memref<32xf32>
    exec.launch "read"(%g) access [read] : memref<32xf32>
    %sum = exec.alloc : memref<32xf32>
    exec.launch "add_forward"(%sum, %g, %dx) access [write, read, read] args [32, 32] : memref<32xf32>, memref<32xf32>, memref<32xf32>
    exec.launch "use"(%sum) access [read] : memref<32xf32>
    return
  }
}

// -----

// Tests that gradient products go straight into their accumulators: a bf16
// product through a conversion becomes a mixed GEMM with f32 output
// accumulating into the global, a sum of two contributions is split, and a
// zeroed buffer that a backward kernel fills is replaced by the global.

// CHECK-LABEL: func.func @into_accumulator
// CHECK: %[[W:.*]] = exec.global_ref @w.grad : memref<8x4xf32>
// CHECK-NEXT: exec.gemm %[[W]], %{{.*}}, %{{.*}} m 8 n 4 k 16 transpose_a accumulate : memref<8x4xf32>, memref<16x8xbf16>, memref<16x4xbf16>
// CHECK-NOT: convert
// CHECK: %[[E:.*]] = exec.global_ref @w.grad
// CHECK-NEXT: exec.launch "embedding_backward"(%[[E]],
// CHECK-NOT: axpy
// CHECK-NOT: add_forward
// CHECK: return
module {
  exec.arena @gradients gradients size 0 align 256
  exec.global @w.grad in @gradients : memref<8x4xf32>
  func.func @into_accumulator() attributes {exec.entry = "micro_step"} {
    %a = exec.alloc : memref<16x8xbf16>
    %b = exec.alloc : memref<16x4xbf16>
    %i = exec.alloc : memref<16xi32>
    exec.launch "produce"(%a, %b, %i) access [write, write, write] : memref<16x8xbf16>, memref<16x4xbf16>, memref<16xi32>
    %p = exec.alloc : memref<8x4xbf16>
    exec.gemm %p, %a, %b m 8 n 4 k 16 transpose_a : memref<8x4xbf16>, memref<16x8xbf16>, memref<16x4xbf16>
    %f = exec.alloc : memref<8x4xf32>
    exec.launch "convert"(%f, %p) access [write, read] args [32] : memref<8x4xf32>, memref<8x4xbf16>
    %e = exec.alloc : memref<8x4xf32>
    exec.fill %e, 0.0 : memref<8x4xf32>
    exec.launch "embedding_backward"(%e, %i, %a) access [readwrite, read, read] args [16, 8, 4] : memref<8x4xf32>, memref<16xi32>, memref<16x8xbf16>
    %s = exec.alloc : memref<8x4xf32>
    exec.launch "add_forward"(%s, %f, %e) access [write, read, read] args [32, 32] : memref<8x4xf32>, memref<8x4xf32>, memref<8x4xf32>
    %g = exec.global_ref @w.grad : memref<8x4xf32>
    exec.launch "axpy"(%g, %s) access [readwrite, read] args [1.0, 32] : memref<8x4xf32>, memref<8x4xf32>
    return
  }
}

// -----

// Tests that a product whose accumulator is read before the axpy stays.

// CHECK-LABEL: func.func @negative_accumulator_read
// CHECK: exec.gemm %{{.*}} m 8 n 4 k 16 transpose_a : memref<8x4xf32>
// CHECK: exec.launch "axpy"
module {
  exec.arena @gradients gradients size 0 align 256
  exec.global @w.grad in @gradients : memref<8x4xf32>
  func.func @negative_accumulator_read() attributes {exec.entry = "micro_step"} {
    %a = exec.alloc : memref<16x8xf32>
    %b = exec.alloc : memref<16x4xf32>
    exec.launch "produce"(%a, %b) access [write, write] : memref<16x8xf32>, memref<16x4xf32>
    %f = exec.alloc : memref<8x4xf32>
    exec.gemm %f, %a, %b m 8 n 4 k 16 transpose_a : memref<8x4xf32>, memref<16x8xf32>, memref<16x4xf32>
    %r = exec.global_ref @w.grad : memref<8x4xf32>
    exec.launch "read"(%r) access [read] : memref<8x4xf32>
    %g = exec.global_ref @w.grad : memref<8x4xf32>
    exec.launch "axpy"(%g, %f) access [readwrite, read] args [1.0, 32] : memref<8x4xf32>, memref<8x4xf32>
    return
  }
}

// -----

// Tests that a layer norm whose f32 output only feeds a conversion to bf16
// writes the bf16 buffer itself.

// CHECK-LABEL: func.func @norm_cast
// CHECK: %[[B:.*]] = exec.alloc : memref<8x4xbf16>
// CHECK-NEXT: exec.launch "layernorm_forward"(%[[B]],
// CHECK-NOT: convert
// CHECK: exec.launch "use"(%[[B]],
module {
  func.func @norm_cast() attributes {exec.entry = "micro_step"} {
    %x = exec.alloc : memref<8x4xf32>
    %w = exec.alloc : memref<4xf32>
    %m = exec.alloc : memref<8xf32>
    %r = exec.alloc : memref<8xf32>
    exec.launch "produce"(%x, %w) access [write, write] : memref<8x4xf32>, memref<4xf32>
    %o = exec.alloc : memref<8x4xf32>
    exec.launch "layernorm_forward"(%o, %m, %r, %x, %w, %w) access [write, write, write, read, read, read] args [8, 4, 1.0e-05] : memref<8x4xf32>, memref<8xf32>, memref<8xf32>, memref<8x4xf32>, memref<4xf32>, memref<4xf32>
    %b = exec.alloc : memref<8x4xbf16>
    exec.launch "convert"(%b, %o) access [write, read] args [32] : memref<8x4xbf16>, memref<8x4xf32>
    exec.launch "use"(%b, %m, %r) access [read, read, read] : memref<8x4xbf16>, memref<8xf32>, memref<8xf32>
    return
  }
}

// -----

// Tests that a residual connection (bf16 GEMM with bias, conversion to f32,
// add) becomes one gemm_bias_add that reads the bias from its f32 parameter,
// and that the bias's bf16 copy goes with it.

// CHECK-LABEL: func.func @residual_gemm
// CHECK: %[[BIAS:.*]] = exec.global_ref @b : memref<4xf32>
// CHECK-NOT: convert
// CHECK: %[[Z:.*]] = exec.alloc : memref<8x4xf32>
// CHECK: exec.launch "gemm_bias_add"(%[[Z]], %{{[^,]*}}, %{{[^,]*}}, %[[BIAS]], %{{[^)]*}}) access [write, read, read, read, read] args [8, 4, 16, 0, 1]
// CHECK-NOT: exec.gemm
// CHECK-NOT: add_forward
// CHECK: exec.launch "use"(%[[Z]],
module {
  exec.arena @parameters parameters size 0 align 256
  exec.global @b in @parameters : memref<4xf32>
  func.func @residual_gemm() attributes {exec.entry = "micro_step"} {
    %x = exec.alloc : memref<8x4xf32>
    %a = exec.alloc : memref<8x16xbf16>
    %w = exec.alloc : memref<4x16xbf16>
    exec.launch "produce"(%x, %a, %w) access [write, write, write] : memref<8x4xf32>, memref<8x16xbf16>, memref<4x16xbf16>
    %bias = exec.global_ref @b : memref<4xf32>
    %bb = exec.alloc : memref<4xbf16>
    exec.launch "convert"(%bb, %bias) access [write, read] args [4] : memref<4xbf16>, memref<4xf32>
    %t = exec.alloc : memref<8x4xbf16>
    exec.gemm %t, %a, %w, %bb m 8 n 4 k 16 epilogue bias transpose_b : memref<8x4xbf16>, memref<8x16xbf16>, memref<4x16xbf16>, memref<4xbf16>
    %f = exec.alloc : memref<8x4xf32>
    exec.launch "convert"(%f, %t) access [write, read] args [32] : memref<8x4xf32>, memref<8x4xbf16>
    %z = exec.alloc : memref<8x4xf32>
    exec.launch "add_forward"(%z, %x, %f) access [write, read, read] args [32, 32] : memref<8x4xf32>, memref<8x4xf32>, memref<8x4xf32>
    exec.launch "use"(%z, %x) access [read, read] : memref<8x4xf32>, memref<8x4xf32>
    return
  }
}

// -----

// Tests that a bf16 output gradient converted to f32 only for a layer norm's
// backward is read by the kernel as it is.

// CHECK-LABEL: func.func @norm_backward_cast
// CHECK: exec.gemm %[[T:[^,]*]],
// CHECK-NOT: convert
// CHECK: exec.launch "layernorm_backward"(%{{.*}}, %{{.*}}, %{{.*}}, %[[T]], %{{.*}}) access
module {
  func.func @norm_backward_cast() attributes {exec.entry = "micro_step"} {
    %a = exec.alloc : memref<8x16xbf16>
    %w = exec.alloc : memref<16x4xbf16>
    %x = exec.alloc : memref<8x4xf32>
    %g = exec.alloc : memref<4xf32>
    %s = exec.alloc : memref<8xf32>
    exec.launch "produce"(%a, %w, %x, %g, %s) access [write, write, write, write, write] : memref<8x16xbf16>, memref<16x4xbf16>, memref<8x4xf32>, memref<4xf32>, memref<8xf32>
    %t = exec.alloc : memref<8x4xbf16>
    exec.gemm %t, %a, %w m 8 n 4 k 16 : memref<8x4xbf16>, memref<8x16xbf16>, memref<16x4xbf16>
    %f = exec.alloc : memref<8x4xf32>
    exec.launch "convert"(%f, %t) access [write, read] args [32] : memref<8x4xf32>, memref<8x4xbf16>
    %dx = exec.alloc : memref<8x4xf32>
    %dg = exec.alloc : memref<4xf32>
    %db = exec.alloc : memref<4xf32>
    exec.launch "produce"(%dx, %dg, %db) access [write, write, write] : memref<8x4xf32>, memref<4xf32>, memref<4xf32>
    exec.launch "layernorm_backward"(%dx, %dg, %db, %f, %x, %g, %s, %s) access [readwrite, readwrite, readwrite, read, read, read, read, read] args [8, 4] : memref<8x4xf32>, memref<4xf32>, memref<4xf32>, memref<8x4xf32>, memref<8x4xf32>, memref<4xf32>, memref<8xf32>, memref<8xf32>
    exec.launch "use"(%dx, %dg, %db) access [read, read, read] : memref<8x4xf32>, memref<4xf32>, memref<4xf32>
    return
  }
}

// -----

// Tests that a head split out of a fused product (copy_rows then permute)
// and a head gradient put into its slice (permute then copy_rows) each
// become one permute_view that carries the row lengths, strides and offsets.

// CHECK-LABEL: func.func @permute_rows
// CHECK: exec.launch "permute_view"(%[[Q:.*]], %[[QKV:.*]]) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 8, 48, 48, 0]
// CHECK: exec.launch "permute_view"(%[[D:.*]], %[[Q]]) access [readwrite, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5, 48, 48, 0, 8, 24, 16]
// CHECK-NOT: copy_rows
// CHECK-NOT: "permute"
module {
  func.func @permute_rows() attributes {exec.entry = "micro_step"} {
    %qkv = exec.alloc : memref<2x3x24xf32>
    exec.launch "produce"(%qkv) access [write] : memref<2x3x24xf32>
    %k = exec.alloc : memref<2x3x2x4xf32>
    exec.launch "copy_rows"(%k, %qkv) access [write, read] args [6, 8, 8, 0, 24, 8] : memref<2x3x2x4xf32>, memref<2x3x24xf32>
    %kp = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute"(%kp, %k) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x2x3x4xf32>, memref<2x3x2x4xf32>
    %d = exec.alloc : memref<2x3x24xf32>
    exec.launch "produce"(%d) access [write] : memref<2x3x24xf32>
    %g = exec.alloc : memref<2x3x2x4xf32>
    exec.launch "permute"(%g, %kp) access [write, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x3x2x4xf32>, memref<2x2x3x4xf32>
    exec.launch "copy_rows"(%d, %g) access [readwrite, read] args [6, 8, 24, 16, 8, 0] : memref<2x3x24xf32>, memref<2x3x2x4xf32>
    exec.launch "use"(%d) access [read] : memref<2x3x24xf32>
    return
  }
}

// -----

// Tests that the bf16 copy of a gradient that a layer norm's backward just
// updated is written by that backward (layernorm_backward_copy).

// CHECK-LABEL: func.func @norm_backward_copy
// CHECK: exec.launch "produce"
// CHECK: %[[B:.*]] = exec.alloc : memref<8x4xbf16>
// CHECK-NEXT: exec.launch "layernorm_backward_copy"(%[[D:[^,]*]], %[[B]], {{.*}} access [readwrite, write, readwrite, readwrite, read, read, read, read, read] args [8, 4]
// CHECK-NOT: convert
// CHECK: exec.launch "use"(%[[B]], %[[D]],
module {
  func.func @norm_backward_copy() attributes {exec.entry = "micro_step"} {
    %d = exec.alloc : memref<8x4xf32>
    %t = exec.alloc : memref<8x4xbf16>
    %x = exec.alloc : memref<8x4xf32>
    %g = exec.alloc : memref<4xf32>
    %s = exec.alloc : memref<8xf32>
    exec.launch "produce"(%d, %t, %x, %g, %s) access [write, write, write, write, write] : memref<8x4xf32>, memref<8x4xbf16>, memref<8x4xf32>, memref<4xf32>, memref<8xf32>
    %dg = exec.alloc : memref<4xf32>
    %db = exec.alloc : memref<4xf32>
    exec.launch "layernorm_backward"(%d, %dg, %db, %t, %x, %g, %s, %s) access [readwrite, readwrite, readwrite, read, read, read, read, read] args [8, 4] : memref<8x4xf32>, memref<4xf32>, memref<4xf32>, memref<8x4xbf16>, memref<8x4xf32>, memref<4xf32>, memref<8xf32>, memref<8xf32>
    exec.launch "read"(%d) access [read] : memref<8x4xf32>
    %b = exec.alloc : memref<8x4xbf16>
    exec.launch "convert"(%b, %d) access [write, read] args [32] : memref<8x4xbf16>, memref<8x4xf32>
    exec.launch "use"(%b, %d, %dg, %db) access [read, read, read, read] : memref<8x4xbf16>, memref<8x4xf32>, memref<4xf32>, memref<4xf32>
    return
  }
}
