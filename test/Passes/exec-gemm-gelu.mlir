// RUN: ptc-opt %s -split-input-file -exec-gemm-gelu | FileCheck %s

// Tests that the forward GEMM and the tanh GELU after it become one
// gemm_bias_gelu_aux at the GEMM when GELU's input is read later: the GELU
// output's alloc moves before the launch, the input stays.

// CHECK-LABEL: func.func @forward_aux
// CHECK: %[[H:.*]] = exec.alloc : memref<64x256xbf16>
// CHECK: %[[G:.*]] = exec.alloc : memref<64x256xbf16>
// CHECK-NEXT: exec.launch "gemm_bias_gelu_aux"(%[[G]], %[[H]], %[[X:[^,]*]], %[[W:[^,]*]], %[[B:[^)]*]]) access [write, write, read, read, read] args [64, 256, 32, 0, 1]
// CHECK-NOT: exec.gemm
// CHECK-NOT: gelu_forward
// CHECK: exec.launch "use"(%[[G]], %[[H]])
module {
  func.func @forward_aux() attributes {exec.entry = "micro_step"} {
    %x = exec.alloc : memref<64x32xbf16>
    %w = exec.alloc : memref<256x32xbf16>
    %b = exec.alloc : memref<256xbf16>
    exec.launch "produce"(%x, %w, %b) access [write, write, write] : memref<64x32xbf16>, memref<256x32xbf16>, memref<256xbf16>
    %h = exec.alloc : memref<64x256xbf16>
    exec.gemm %h, %x, %w, %b m 64 n 256 k 32 epilogue bias transpose_b : memref<64x256xbf16>, memref<64x32xbf16>, memref<256x32xbf16>, memref<256xbf16>
    %g = exec.alloc : memref<64x256xbf16>
    exec.launch "gelu_forward"(%g, %h) access [write, read] args [16384, 1] : memref<64x256xbf16>, memref<64x256xbf16>
    exec.launch "use"(%g, %h) access [read, read] : memref<64x256xbf16>, memref<64x256xbf16>
    return
  }
}

// -----

// Tests that when nothing else reads GELU's input the fused launch does not
// keep it (gemm_bias_gelu) and its buffer goes.

// CHECK-LABEL: func.func @forward_no_aux
// CHECK-NOT: memref<16x8x24xf32>
// CHECK: exec.launch "gemm_bias_gelu"(%{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^)]*}}) access [write, read, read, read] args [128, 24, 16, 0, 1]
// CHECK-NOT: gelu_forward
module {
  func.func @forward_no_aux() attributes {exec.entry = "eval_step"} {
    %x = exec.alloc : memref<128x16xf32>
    %w = exec.alloc : memref<24x16xf32>
    %b = exec.alloc : memref<24xf32>
    exec.launch "produce"(%x, %w, %b) access [write, write, write] : memref<128x16xf32>, memref<24x16xf32>, memref<24xf32>
    %h = exec.alloc : memref<16x8x24xf32>
    exec.gemm %h, %x, %w, %b m 128 n 24 k 16 epilogue bias transpose_b : memref<16x8x24xf32>, memref<128x16xf32>, memref<24x16xf32>, memref<24xf32>
    %g = exec.alloc : memref<128x24xf32>
    exec.launch "gelu_forward"(%g, %h) access [write, read] args [3072, 1] : memref<128x24xf32>, memref<16x8x24xf32>
    exec.launch "use"(%g) access [read] : memref<128x24xf32>
    return
  }
}

// -----

// Tests that the backward GEMM, the in-place GELU gradient and the column
// sums after the weight gradient's GEMMs become one gemm_dgelu_bgrad at the
// GEMM, with the bias gradient's alloc moved before it; ops between that
// only read the gradient or GELU's input stay.

// CHECK-LABEL: func.func @backward
// CHECK: exec.launch "produce"(%[[DY:[^,]*]], %[[W:[^,]*]], %[[H:[^,]*]],
// CHECK-NEXT: %[[DH:.*]] = exec.alloc : memref<64x256xbf16>
// CHECK-NEXT: %[[DB:.*]] = exec.alloc : memref<256xbf16>
// CHECK-NEXT: exec.launch "gemm_dgelu_bgrad"(%[[DH]], %[[DB]], %[[DY]], %[[W]], %[[H]]) access [write, write, read, read, read] args [64, 256, 32, 0, 0]
// CHECK-NEXT: exec.launch "peek"(%[[H]])
// CHECK-NOT: gelu_backward
// CHECK: exec.gemm %{{.*}}, %[[DH]], %{{.*}} m 64 n 32 k 256 transpose_b
// CHECK: exec.gemm %{{.*}}, %[[DH]], %{{.*}} m 256 n 32 k 64 transpose_a accumulate
// CHECK-NOT: reduce_leading
// CHECK: exec.launch "convert"(%{{.*}}, %[[DB]])
module {
  exec.arena @gradients gradients size 0 align 256
  exec.global @dw in @gradients : memref<256x32xf32>
  func.func @backward() attributes {exec.entry = "micro_step"} {
    %dy = exec.alloc : memref<64x32xbf16>
    %w = exec.alloc : memref<32x256xbf16>
    %h = exec.alloc : memref<64x256xbf16>
    %x = exec.alloc : memref<64x32xbf16>
    %wfc = exec.alloc : memref<256x32xbf16>
    exec.launch "produce"(%dy, %w, %h, %x, %wfc) access [write, write, write, write, write] : memref<64x32xbf16>, memref<32x256xbf16>, memref<64x256xbf16>, memref<64x32xbf16>, memref<256x32xbf16>
    %dh = exec.alloc : memref<64x256xbf16>
    exec.gemm %dh, %dy, %w m 64 n 256 k 32 : memref<64x256xbf16>, memref<64x32xbf16>, memref<32x256xbf16>
    exec.launch "peek"(%h) access [read] : memref<64x256xbf16>
    exec.launch "gelu_backward"(%dh, %h, %dh) access [readwrite, read, read] args [16384, 1] : memref<64x256xbf16>, memref<64x256xbf16>, memref<64x256xbf16>
    %dx = exec.alloc : memref<64x32xbf16>
    exec.gemm %dx, %dh, %wfc m 64 n 32 k 256 transpose_b : memref<64x32xbf16>, memref<64x256xbf16>, memref<256x32xbf16>
    %dw = exec.global_ref @dw : memref<256x32xf32>
    exec.gemm %dw, %dh, %x m 256 n 32 k 64 transpose_a accumulate : memref<256x32xf32>, memref<64x256xbf16>, memref<64x32xbf16>
    %db = exec.alloc : memref<256xbf16>
    exec.launch "reduce_leading"(%db, %dh) access [write, read] args [64, 256] : memref<256xbf16>, memref<64x256xbf16>
    %dbf = exec.alloc : memref<256xf32>
    exec.launch "convert"(%dbf, %db) access [write, read] args [256] : memref<256xf32>, memref<256xbf16>
    exec.launch "use"(%dx, %dbf) access [read, read] : memref<64x32xbf16>, memref<256xf32>
    return
  }
}

// -----

// Tests that the exact (erf) GELU is left alone: cuBLASLt's is the tanh one.

// CHECK-LABEL: func.func @negative_erf
// CHECK: exec.gemm
// CHECK: exec.launch "gelu_forward"
// CHECK: exec.gemm
// CHECK: exec.launch "gelu_backward"
// CHECK: exec.launch "reduce_leading"
// CHECK-NOT: gemm_
module {
  func.func @negative_erf() attributes {exec.entry = "micro_step"} {
    %x = exec.alloc : memref<64x32xf32>
    %w = exec.alloc : memref<256x32xf32>
    %b = exec.alloc : memref<256xf32>
    %w2 = exec.alloc : memref<32x256xf32>
    exec.launch "produce"(%x, %w, %b, %w2) access [write, write, write, write] : memref<64x32xf32>, memref<256x32xf32>, memref<256xf32>, memref<32x256xf32>
    %h = exec.alloc : memref<64x256xf32>
    exec.gemm %h, %x, %w, %b m 64 n 256 k 32 epilogue bias transpose_b : memref<64x256xf32>, memref<64x32xf32>, memref<256x32xf32>, memref<256xf32>
    %g = exec.alloc : memref<64x256xf32>
    exec.launch "gelu_forward"(%g, %h) access [write, read] args [16384, 0] : memref<64x256xf32>, memref<64x256xf32>
    %dh = exec.alloc : memref<64x256xf32>
    exec.gemm %dh, %x, %w2 m 64 n 256 k 32 : memref<64x256xf32>, memref<64x32xf32>, memref<32x256xf32>
    exec.launch "gelu_backward"(%dh, %h, %dh) access [readwrite, read, read] args [16384, 0] : memref<64x256xf32>, memref<64x256xf32>, memref<64x256xf32>
    %db = exec.alloc : memref<256xf32>
    exec.launch "reduce_leading"(%db, %dh) access [write, read] args [64, 256] : memref<256xf32>, memref<64x256xf32>
    exec.launch "use"(%g, %db) access [read, read] : memref<64x256xf32>, memref<256xf32>
    return
  }
}

// -----

// Tests that the forward is left alone when GELU is not the product's next
// user, when GELU's output is used between the two (it would be written too
// early), and when the GEMM has no bias, is batched or runs on a stream.

// CHECK-LABEL: func.func @negative_forward
// CHECK-NOT: gemm_bias_gelu
// CHECK-COUNT-5: exec.launch "gelu_forward"
// CHECK-NOT: gemm_bias_gelu
module {
  exec.stream @s
  func.func @negative_forward() attributes {exec.entry = "micro_step"} {
    %x = exec.alloc : memref<64x32xf32>
    %w = exec.alloc : memref<256x32xf32>
    %b = exec.alloc : memref<256xf32>
    exec.launch "produce"(%x, %w, %b) access [write, write, write] : memref<64x32xf32>, memref<256x32xf32>, memref<256xf32>
    // GELU is not the product's next user.
    %h1 = exec.alloc : memref<64x256xf32>
    exec.gemm %h1, %x, %w, %b m 64 n 256 k 32 epilogue bias transpose_b : memref<64x256xf32>, memref<64x32xf32>, memref<256x32xf32>, memref<256xf32>
    exec.launch "use"(%h1) access [read] : memref<64x256xf32>
    %g1 = exec.alloc : memref<64x256xf32>
    exec.launch "gelu_forward"(%g1, %h1) access [write, read] args [16384, 1] : memref<64x256xf32>, memref<64x256xf32>
    // GELU's output is read between (its old contents).
    %g2 = exec.alloc : memref<64x256xf32>
    exec.launch "produce"(%g2) access [write] : memref<64x256xf32>
    %h2 = exec.alloc : memref<64x256xf32>
    exec.gemm %h2, %x, %w, %b m 64 n 256 k 32 epilogue bias transpose_b : memref<64x256xf32>, memref<64x32xf32>, memref<256x32xf32>, memref<256xf32>
    exec.launch "use"(%g2) access [read] : memref<64x256xf32>
    exec.launch "gelu_forward"(%g2, %h2) access [write, read] args [16384, 1] : memref<64x256xf32>, memref<64x256xf32>
    // No bias.
    %h3 = exec.alloc : memref<64x256xf32>
    exec.gemm %h3, %x, %w m 64 n 256 k 32 transpose_b : memref<64x256xf32>, memref<64x32xf32>, memref<256x32xf32>
    %g3 = exec.alloc : memref<64x256xf32>
    exec.launch "gelu_forward"(%g3, %h3) access [write, read] args [16384, 1] : memref<64x256xf32>, memref<64x256xf32>
    // Batched.
    %h4 = exec.alloc : memref<64x256xf32>
    exec.gemm %h4, %x, %w, %b m 32 n 256 k 16 batch 2 epilogue bias transpose_b {stride_a = 512 : i64, stride_b = 0 : i64, stride_out = 8192 : i64} : memref<64x256xf32>, memref<64x32xf32>, memref<256x32xf32>, memref<256xf32>
    %g4 = exec.alloc : memref<64x256xf32>
    exec.launch "gelu_forward"(%g4, %h4) access [write, read] args [16384, 1] : memref<64x256xf32>, memref<64x256xf32>
    // On a stream.
    %h5 = exec.alloc : memref<64x256xf32>
    exec.gemm %h5, %x, %w, %b m 64 n 256 k 32 epilogue bias transpose_b on @s : memref<64x256xf32>, memref<64x32xf32>, memref<256x32xf32>, memref<256xf32>
    %g5 = exec.alloc : memref<64x256xf32>
    exec.launch "gelu_forward"(%g5, %h5) access [write, read] args [16384, 1] : memref<64x256xf32>, memref<64x256xf32>
    exec.launch "use"(%g1, %g2, %g3, %g4, %g5) access [read, read, read, read, read] : memref<64x256xf32>, memref<64x256xf32>, memref<64x256xf32>, memref<64x256xf32>, memref<64x256xf32>
    return
  }
}

// -----

// Tests that the backward is left alone when GELU's input is written
// between the GEMM and the gradient, when the gradient is written between
// the gradient and the column sums, when the bias gradient is used before
// the column sums, and when there are no column sums.

// CHECK-LABEL: func.func @negative_backward
// CHECK-NOT: gemm_dgelu_bgrad
// CHECK-COUNT-4: exec.launch "gelu_backward"
// CHECK-NOT: gemm_dgelu_bgrad
module {
  func.func @negative_backward() attributes {exec.entry = "micro_step"} {
    %dy = exec.alloc : memref<64x32xf32>
    %w = exec.alloc : memref<32x256xf32>
    %h = exec.alloc : memref<64x256xf32>
    exec.launch "produce"(%dy, %w, %h) access [write, write, write] : memref<64x32xf32>, memref<32x256xf32>, memref<64x256xf32>
    // GELU's input written between.
    %dh1 = exec.alloc : memref<64x256xf32>
    exec.gemm %dh1, %dy, %w m 64 n 256 k 32 : memref<64x256xf32>, memref<64x32xf32>, memref<32x256xf32>
    exec.launch "produce"(%h) access [readwrite] : memref<64x256xf32>
    exec.launch "gelu_backward"(%dh1, %h, %dh1) access [readwrite, read, read] args [16384, 1] : memref<64x256xf32>, memref<64x256xf32>, memref<64x256xf32>
    %db1 = exec.alloc : memref<256xf32>
    exec.launch "reduce_leading"(%db1, %dh1) access [write, read] args [64, 256] : memref<256xf32>, memref<64x256xf32>
    // The gradient written before its column sums.
    %dh2 = exec.alloc : memref<64x256xf32>
    exec.gemm %dh2, %dy, %w m 64 n 256 k 32 : memref<64x256xf32>, memref<64x32xf32>, memref<32x256xf32>
    exec.launch "gelu_backward"(%dh2, %h, %dh2) access [readwrite, read, read] args [16384, 1] : memref<64x256xf32>, memref<64x256xf32>, memref<64x256xf32>
    exec.launch "scale"(%dh2) access [readwrite] : memref<64x256xf32>
    %db2 = exec.alloc : memref<256xf32>
    exec.launch "reduce_leading"(%db2, %dh2) access [write, read] args [64, 256] : memref<256xf32>, memref<64x256xf32>
    // The bias gradient's buffer used between.
    %db3 = exec.alloc : memref<256xf32>
    exec.launch "produce"(%db3) access [write] : memref<256xf32>
    %dh3 = exec.alloc : memref<64x256xf32>
    exec.gemm %dh3, %dy, %w m 64 n 256 k 32 : memref<64x256xf32>, memref<64x32xf32>, memref<32x256xf32>
    exec.launch "gelu_backward"(%dh3, %h, %dh3) access [readwrite, read, read] args [16384, 1] : memref<64x256xf32>, memref<64x256xf32>, memref<64x256xf32>
    exec.launch "use"(%db3) access [read] : memref<256xf32>
    exec.launch "reduce_leading"(%db3, %dh3) access [write, read] args [64, 256] : memref<256xf32>, memref<64x256xf32>
    // No column sums.
    %dh4 = exec.alloc : memref<64x256xf32>
    exec.gemm %dh4, %dy, %w m 64 n 256 k 32 : memref<64x256xf32>, memref<64x32xf32>, memref<32x256xf32>
    exec.launch "gelu_backward"(%dh4, %h, %dh4) access [readwrite, read, read] args [16384, 1] : memref<64x256xf32>, memref<64x256xf32>, memref<64x256xf32>
    exec.launch "use"(%db1, %db2, %db3, %dh4) access [read, read, read, read] : memref<256xf32>, memref<256xf32>, memref<256xf32>, memref<64x256xf32>
    return
  }
}

// -----

// Tests that an accumulating (not in-place) GELU gradient is left alone.

// CHECK-LABEL: func.func @negative_not_in_place
// CHECK: exec.gemm
// CHECK: exec.launch "gelu_backward"
// CHECK-NOT: gemm_dgelu_bgrad
module {
  func.func @negative_not_in_place() attributes {exec.entry = "micro_step"} {
    %dy = exec.alloc : memref<64x32xf32>
    %w = exec.alloc : memref<32x256xf32>
    %h = exec.alloc : memref<64x256xf32>
    exec.launch "produce"(%dy, %w, %h) access [write, write, write] : memref<64x32xf32>, memref<32x256xf32>, memref<64x256xf32>
    %dh = exec.alloc : memref<64x256xf32>
    exec.gemm %dh, %dy, %w m 64 n 256 k 32 : memref<64x256xf32>, memref<64x32xf32>, memref<32x256xf32>
    %d = exec.alloc : memref<64x256xf32>
    exec.fill %d, 0.0 : memref<64x256xf32>
    exec.launch "gelu_backward"(%d, %h, %dh) access [readwrite, read, read] args [16384, 1] : memref<64x256xf32>, memref<64x256xf32>, memref<64x256xf32>
    %db = exec.alloc : memref<256xf32>
    exec.launch "reduce_leading"(%db, %d) access [write, read] args [64, 256] : memref<256xf32>, memref<64x256xf32>
    exec.launch "use"(%db) access [read] : memref<256xf32>
    return
  }
}
