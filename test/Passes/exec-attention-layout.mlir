// RUN: ptc-opt %s -split-input-file -exec-attention-layout | FileCheck %s

// Tests that a layer of multi-head attention on the fused QKV product runs
// without head permutes: the forward reads q, k, v at column offsets 0, 8
// and 16 of rows of 24 (batch stride 72, head stride 4) and writes its
// output as [B, T, H*Dh] rows where the merge wrote; the backward reads
// dout where its split read, overwrites (accumulate 0, no zero fills) and
// writes dq, dk, dv into their column blocks of the fused gradient; the
// recomputed merge of the output (%z) is that same buffer.

// CHECK-LABEL: func.func @mha
// CHECK: %[[QKV:[0-9]+]] = exec.alloc : memref<2x3x24xf32>
// CHECK-NOT: permute
// CHECK: %[[LSE:[0-9]+]] = exec.alloc : memref<2x2x3xf32>
// CHECK: %[[Y:[0-9]+]] = exec.alloc : memref<2x3x2x4xf32>
// CHECK: exec.launch "attention_forward_strided"(%[[Y]], %[[LSE]], %[[QKV]], %[[QKV]], %[[QKV]]) access [write, write, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01, 0, 72, 4, 24, 8, 72, 4, 24, 16, 72, 4, 24, 0, 24, 4, 8]
// CHECK: exec.launch "use"(%[[Y]])
// CHECK: %[[DY:[0-9]+]] = exec.alloc : memref<6x8xf32>
// CHECK: exec.launch "use"(%[[Y]], %[[DY]])
// CHECK-NOT: exec.fill
// CHECK: %[[G:[0-9]+]] = exec.alloc : memref<2x3x24xf32>
// CHECK: exec.launch "attention_backward_strided"(%[[G]], %[[G]], %[[G]], %[[DY]], %[[QKV]], %[[QKV]], %[[QKV]], %[[Y]], %[[LSE]]) access [write, readwrite, readwrite, read, read, read, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01, 0, 0, 72, 4, 24, 8, 72, 4, 24, 16, 72, 4, 24, 0, 24, 4, 8, 0, 72, 4, 24, 8, 72, 4, 24, 16, 72, 4, 24, 0, 24, 4, 8]
// CHECK-NOT: permute
// CHECK: exec.launch "use"(%[[G]])
// CHECK-NOT: exec.alloc
module {
  func.func @mha() attributes {exec.entry = "micro_step"} {
    %qkv = exec.alloc : memref<2x3x24xf32>
    exec.launch "produce"(%qkv) access [write] : memref<2x3x24xf32>
    %q = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%q, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 0, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %k = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%k, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 8, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %v = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%v, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 16, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %o = exec.alloc : memref<2x2x3x4xf32>
    %lse = exec.alloc : memref<2x2x3xf32>
    exec.launch "attention_forward"(%o, %lse, %q, %k, %v) access [write, write, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01] : memref<2x2x3x4xf32>, memref<2x2x3xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>
    %y = exec.alloc : memref<2x3x2x4xf32>
    exec.launch "permute"(%y, %o) access [write, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x3x2x4xf32>, memref<2x2x3x4xf32>
    exec.launch "use"(%y) access [read] : memref<2x3x2x4xf32>
    %dy = exec.alloc : memref<6x8xf32>
    exec.launch "produce"(%dy) access [write] : memref<6x8xf32>
    %z = exec.alloc : memref<2x3x2x4xf32>
    exec.launch "permute"(%z, %o) access [write, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x3x2x4xf32>, memref<2x2x3x4xf32>
    exec.launch "use"(%z, %dy) access [read, read] : memref<2x3x2x4xf32>, memref<6x8xf32>
    %do = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute"(%do, %dy) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x2x3x4xf32>, memref<6x8xf32>
    %dq = exec.alloc : memref<2x2x3x4xf32>
    exec.fill %dq, 0.0 : memref<2x2x3x4xf32>
    %dk = exec.alloc : memref<2x2x3x4xf32>
    exec.fill %dk, 0.0 : memref<2x2x3x4xf32>
    %dv = exec.alloc : memref<2x2x3x4xf32>
    exec.fill %dv, 0.0 : memref<2x2x3x4xf32>
    exec.launch "attention_backward"(%dq, %dk, %dv, %do, %q, %k, %v, %o, %lse) access [readwrite, readwrite, readwrite, read, read, read, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01] : memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3xf32>
    %g = exec.alloc : memref<2x3x24xf32>
    exec.launch "permute_view"(%g, %dq) access [write, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5, 48, 48, 0, 8, 24, 0] : memref<2x3x24xf32>, memref<2x2x3x4xf32>
    exec.launch "permute_view"(%g, %dk) access [readwrite, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5, 48, 48, 0, 8, 24, 8] : memref<2x3x24xf32>, memref<2x2x3x4xf32>
    exec.launch "permute_view"(%g, %dv) access [readwrite, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5, 48, 48, 0, 8, 24, 16] : memref<2x3x24xf32>, memref<2x2x3x4xf32>
    exec.launch "use"(%g) access [read] : memref<2x3x24xf32>
    return
  }
}

// -----

// Tests grouped-query attention (4 query heads, 2 key/value heads) with
// RoPE between the split and attention: q and k stay [B, H, T, Dh] (RoPE
// reads them), v is read from its projection (rows of 8) and the output is
// written as rows of 16; the backward reads dout in place, overwrites dq
// and dk (their fills go: RoPE's backward reads them) and writes dv into
// its merge's target. RoPE's own zeroed gradients are left alone.

// CHECK-LABEL: func.func @gqa_rope
// CHECK: exec.alloc : memref<2x3x16xf32>
// CHECK: exec.alloc : memref<2x3x8xf32>
// CHECK: %[[XV:[0-9]+]] = exec.alloc : memref<2x3x8xf32>
// CHECK: exec.launch "permute"(%[[Q:[0-9]+]], %{{.*}}) access
// CHECK: exec.launch "permute"(%[[K:[0-9]+]], %{{.*}}) access
// CHECK-NOT: permute
// CHECK: exec.launch "rope_forward"(%[[QR:[0-9]+]], %[[Q]])
// CHECK: exec.launch "rope_forward"(%[[KR:[0-9]+]], %[[K]])
// CHECK: exec.launch "attention_forward_strided"(%[[Y:[0-9]+]], %[[LSE:[0-9]+]], %[[QR]], %[[KR]], %[[XV]]) access [write, write, read, read, read] args [2, 4, 2, 3, 4, 5.000000e-01, 0, 48, 12, 4, 0, 24, 12, 4, 0, 24, 4, 8, 0, 48, 4, 16]
// CHECK-NOT: permute
// CHECK: %[[DQ:[0-9]+]] = exec.alloc : memref<2x4x3x4xf32>
// CHECK-NEXT: %[[DK:[0-9]+]] = exec.alloc : memref<2x2x3x4xf32>
// CHECK-NEXT: %[[GV:[0-9]+]] = exec.alloc : memref<2x3x2x4xf32>
// CHECK-NEXT: exec.launch "attention_backward_strided"(%[[DQ]], %[[DK]], %[[GV]], %[[DY:[0-9]+]], %[[QR]], %[[KR]], %[[XV]], %[[Y]], %[[LSE]]) access [write, write, write, read, read, read, read, read, read] args [2, 4, 2, 3, 4, 5.000000e-01, 0, 0, 48, 12, 4, 0, 24, 12, 4, 0, 24, 4, 8, 0, 48, 4, 16, 0, 48, 12, 4, 0, 24, 12, 4, 0, 24, 4, 8, 0, 48, 4, 16]
// CHECK: exec.fill
// CHECK: "rope_backward"(%{{.*}}, %[[DK]])
// CHECK: exec.fill
// CHECK: "rope_backward"(%{{.*}}, %[[DQ]])
// CHECK-NOT: permute
module {
  func.func @gqa_rope() attributes {exec.entry = "micro_step"} {
    %xq = exec.alloc : memref<2x3x16xf32>
    %xk = exec.alloc : memref<2x3x8xf32>
    %xv = exec.alloc : memref<2x3x8xf32>
    exec.launch "produce"(%xq, %xk, %xv) access [write, write, write] : memref<2x3x16xf32>, memref<2x3x8xf32>, memref<2x3x8xf32>
    %q = exec.alloc : memref<2x4x3x4xf32>
    exec.launch "permute"(%q, %xq) access [write, read] args [4, 2, 3, 4, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x4x3x4xf32>, memref<2x3x16xf32>
    %k = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute"(%k, %xk) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x2x3x4xf32>, memref<2x3x8xf32>
    %v = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute"(%v, %xv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x2x3x4xf32>, memref<2x3x8xf32>
    %qr = exec.alloc : memref<2x4x3x4xf32>
    exec.launch "rope_forward"(%qr, %q) access [write, read] args [2, 4, 3, 4, 1.000000e+04] : memref<2x4x3x4xf32>, memref<2x4x3x4xf32>
    %kr = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "rope_forward"(%kr, %k) access [write, read] args [2, 2, 3, 4, 1.000000e+04] : memref<2x2x3x4xf32>, memref<2x2x3x4xf32>
    %o = exec.alloc : memref<2x4x3x4xf32>
    %lse = exec.alloc : memref<2x4x3xf32>
    exec.launch "attention_forward"(%o, %lse, %qr, %kr, %v) access [write, write, read, read, read] args [2, 4, 2, 3, 4, 5.000000e-01] : memref<2x4x3x4xf32>, memref<2x4x3xf32>, memref<2x4x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>
    %y = exec.alloc : memref<2x3x4x4xf32>
    exec.launch "permute"(%y, %o) access [write, read] args [4, 2, 4, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x3x4x4xf32>, memref<2x4x3x4xf32>
    exec.launch "use"(%y) access [read] : memref<2x3x4x4xf32>
    %dy = exec.alloc : memref<6x16xf32>
    exec.launch "produce"(%dy) access [write] : memref<6x16xf32>
    %do = exec.alloc : memref<2x4x3x4xf32>
    exec.launch "permute"(%do, %dy) access [write, read] args [4, 2, 3, 4, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x4x3x4xf32>, memref<6x16xf32>
    %dq = exec.alloc : memref<2x4x3x4xf32>
    exec.fill %dq, 0.0 : memref<2x4x3x4xf32>
    %dk = exec.alloc : memref<2x2x3x4xf32>
    exec.fill %dk, 0.0 : memref<2x2x3x4xf32>
    %dv = exec.alloc : memref<2x2x3x4xf32>
    exec.fill %dv, 0.0 : memref<2x2x3x4xf32>
    exec.launch "attention_backward"(%dq, %dk, %dv, %do, %qr, %kr, %v, %o, %lse) access [readwrite, readwrite, readwrite, read, read, read, read, read, read] args [2, 4, 2, 3, 4, 5.000000e-01] : memref<2x4x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x4x3x4xf32>, memref<2x4x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x4x3x4xf32>, memref<2x4x3xf32>
    %dkr = exec.alloc : memref<2x2x3x4xf32>
    exec.fill %dkr, 0.0 : memref<2x2x3x4xf32>
    exec.launch "rope_backward"(%dkr, %dk) access [readwrite, read] args [2, 2, 3, 4, 1.000000e+04] : memref<2x2x3x4xf32>, memref<2x2x3x4xf32>
    %dqr = exec.alloc : memref<2x4x3x4xf32>
    exec.fill %dqr, 0.0 : memref<2x4x3x4xf32>
    exec.launch "rope_backward"(%dqr, %dq) access [readwrite, read] args [2, 4, 3, 4, 1.000000e+04] : memref<2x4x3x4xf32>, memref<2x4x3x4xf32>
    %gv = exec.alloc : memref<2x3x2x4xf32>
    exec.launch "permute"(%gv, %dv) access [write, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x3x2x4xf32>, memref<2x2x3x4xf32>
    exec.launch "use"(%dqr, %dkr, %gv) access [read, read, read] : memref<2x4x3x4xf32>, memref<2x2x3x4xf32>, memref<2x3x2x4xf32>
    return
  }
}

// -----

// Tests that a split whose buffer something else reads too (here q) stays;
// k and v are still read in place.

// CHECK-LABEL: func.func @negative_split_read_elsewhere
// CHECK: exec.launch "permute_view"(%[[Q:[0-9]+]], %[[QKV:[0-9]+]]) access
// CHECK-NOT: permute
// CHECK: exec.launch "attention_forward_strided"(%{{.*}}, %{{.*}}, %[[Q]], %[[QKV]], %[[QKV]]) access [write, write, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01, 0, 24, 12, 4, 8, 72, 4, 24, 16, 72, 4, 24, 0, 24, 4, 8]
// CHECK: exec.launch "use"(%[[Q]])
module {
  func.func @negative_split_read_elsewhere() attributes {exec.entry = "eval_step"} {
    %qkv = exec.alloc : memref<2x3x24xf32>
    exec.launch "produce"(%qkv) access [write] : memref<2x3x24xf32>
    %q = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%q, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 0, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %k = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%k, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 8, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %v = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%v, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 16, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %o = exec.alloc : memref<2x2x3x4xf32>
    %lse = exec.alloc : memref<2x2x3xf32>
    exec.launch "attention_forward"(%o, %lse, %q, %k, %v) access [write, write, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01] : memref<2x2x3x4xf32>, memref<2x2x3xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>
    %y = exec.alloc : memref<2x3x2x4xf32>
    exec.launch "permute"(%y, %o) access [write, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x3x2x4xf32>, memref<2x2x3x4xf32>
    exec.launch "use"(%y) access [read] : memref<2x3x2x4xf32>
    exec.launch "use"(%q) access [read] : memref<2x2x3x4xf32>
    return
  }
}

// -----

// Tests that a split whose source is written before attention reads it
// (here after the k split) stays: q is read in place, k and v are not.

// CHECK-LABEL: func.func @negative_source_written
// CHECK: exec.launch "permute_view"(%[[K:[0-9]+]], %[[QKV:[0-9]+]]) access
// CHECK: exec.launch "permute_view"(%[[V:[0-9]+]], %[[QKV]]) access
// CHECK: exec.launch "scale"(%[[QKV]])
// CHECK: exec.launch "attention_forward_strided"(%{{.*}}, %{{.*}}, %[[QKV]], %[[K]], %[[V]]) access [write, write, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01, 0, 72, 4, 24, 0, 24, 12, 4, 0, 24, 12, 4, 0, 24, 4, 8]
module {
  func.func @negative_source_written() attributes {exec.entry = "eval_step"} {
    %qkv = exec.alloc : memref<2x3x24xf32>
    exec.launch "produce"(%qkv) access [write] : memref<2x3x24xf32>
    %k = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%k, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 8, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %v = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%v, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 16, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    exec.launch "scale"(%qkv) access [readwrite] : memref<2x3x24xf32>
    %q = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%q, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 0, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %o = exec.alloc : memref<2x2x3x4xf32>
    %lse = exec.alloc : memref<2x2x3xf32>
    exec.launch "attention_forward"(%o, %lse, %q, %k, %v) access [write, write, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01] : memref<2x2x3x4xf32>, memref<2x2x3xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>
    %y = exec.alloc : memref<2x3x2x4xf32>
    exec.launch "permute"(%y, %o) access [write, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x3x2x4xf32>, memref<2x2x3x4xf32>
    exec.launch "use"(%y) access [read] : memref<2x3x2x4xf32>
    return
  }
}

// -----

// Tests that an output read by something other than merges and the
// backward stays contiguous (and its merge stays); the inputs are read in
// place.

// CHECK-LABEL: func.func @negative_out_read_elsewhere
// CHECK: exec.launch "attention_forward_strided"(%[[O:[0-9]+]], %{{.*}}, %[[QKV:[0-9]+]], %[[QKV]], %[[QKV]]) access [write, write, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01, 0, 72, 4, 24, 8, 72, 4, 24, 16, 72, 4, 24, 0, 24, 12, 4]
// CHECK: exec.launch "permute"(%{{.*}}, %[[O]])
// CHECK: exec.launch "use"(%[[O]])
module {
  func.func @negative_out_read_elsewhere() attributes {exec.entry = "eval_step"} {
    %qkv = exec.alloc : memref<2x3x24xf32>
    exec.launch "produce"(%qkv) access [write] : memref<2x3x24xf32>
    %q = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%q, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 0, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %k = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%k, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 8, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %v = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%v, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 16, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %o = exec.alloc : memref<2x2x3x4xf32>
    %lse = exec.alloc : memref<2x2x3xf32>
    exec.launch "attention_forward"(%o, %lse, %q, %k, %v) access [write, write, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01] : memref<2x2x3x4xf32>, memref<2x2x3xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>
    %y = exec.alloc : memref<2x3x2x4xf32>
    exec.launch "permute"(%y, %o) access [write, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x3x2x4xf32>, memref<2x2x3x4xf32>
    exec.launch "use"(%y) access [read] : memref<2x3x2x4xf32>
    exec.launch "use"(%o) access [read] : memref<2x2x3x4xf32>
    return
  }
}

// -----

// Tests that a merge target that is used before the merge (the forward
// would overwrite what that use sees) does not receive the output, and
// that a recomputed copy that is written afterwards is not taken for the
// merge either.

// CHECK-LABEL: func.func @negative_out_target_busy
// CHECK: exec.launch "attention_forward_strided"(%[[O:[0-9]+]], %{{.*}}, %[[QKV:[0-9]+]], %[[QKV]], %[[QKV]])
// CHECK: exec.launch "permute"(%[[Y:[0-9]+]], %[[O]])
// CHECK: exec.launch "attention_forward_strided"(%[[O2:[0-9]+]], %{{.*}}, %[[QKV]], %[[QKV]], %[[QKV]])
// CHECK: exec.launch "permute"(%{{.*}}, %[[O2]])
// CHECK: exec.launch "permute"(%{{.*}}, %[[O2]])
module {
  func.func @negative_out_target_busy() attributes {exec.entry = "eval_step"} {
    %qkv = exec.alloc : memref<2x3x24xf32>
    exec.launch "produce"(%qkv) access [write] : memref<2x3x24xf32>
    %q = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%q, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 0, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %k = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%k, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 8, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %v = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%v, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 16, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %o = exec.alloc : memref<2x2x3x4xf32>
    %lse = exec.alloc : memref<2x2x3xf32>
    %y = exec.alloc : memref<2x3x2x4xf32>
    exec.launch "produce"(%y) access [write] : memref<2x3x2x4xf32>
    exec.launch "attention_forward"(%o, %lse, %q, %k, %v) access [write, write, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01] : memref<2x2x3x4xf32>, memref<2x2x3xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>
    exec.launch "permute"(%y, %o) access [write, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x3x2x4xf32>, memref<2x2x3x4xf32>
    exec.launch "use"(%y) access [read] : memref<2x3x2x4xf32>
    %o2 = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "attention_forward"(%o2, %lse, %q, %k, %v) access [write, write, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01] : memref<2x2x3x4xf32>, memref<2x2x3xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>
    %y2 = exec.alloc : memref<2x3x2x4xf32>
    exec.launch "permute"(%y2, %o2) access [write, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x3x2x4xf32>, memref<2x2x3x4xf32>
    exec.launch "use"(%y2) access [read] : memref<2x3x2x4xf32>
    %z = exec.alloc : memref<2x3x2x4xf32>
    exec.launch "permute"(%z, %o2) access [write, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x3x2x4xf32>, memref<2x2x3x4xf32>
    exec.launch "scale"(%z) access [readwrite] : memref<2x3x2x4xf32>
    return
  }
}

// -----

// Tests that gradients the backward adds to (dq was written before: not a
// zero fill alone) keep accumulate 1, their fills and their merges; the
// inputs are still read in place.

// CHECK-LABEL: func.func @negative_accumulating
// CHECK: exec.fill
// CHECK: exec.fill
// CHECK: exec.launch "attention_backward_strided"(%[[DQ:[0-9]+]], %[[DK:[0-9]+]], %[[DV:[0-9]+]], %{{.*}}) access [readwrite, readwrite, readwrite, read, read, read, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01, 1, 0, 24, 12, 4, 0, 24, 12, 4, 0, 24, 12, 4, 0, 24, 4, 8, 0, 72, 4, 24,
// CHECK: exec.launch "permute_view"(%[[G:[0-9]+]], %[[DQ]])
// CHECK: exec.launch "permute_view"(%[[G]], %[[DK]])
// CHECK: exec.launch "permute_view"(%[[G]], %[[DV]])
module {
  func.func @negative_accumulating() attributes {exec.entry = "micro_step"} {
    %qkv = exec.alloc : memref<2x3x24xf32>
    exec.launch "produce"(%qkv) access [write] : memref<2x3x24xf32>
    %q = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%q, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 0, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %k = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%k, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 8, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %v = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%v, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 16, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %o = exec.alloc : memref<2x2x3x4xf32>
    %lse = exec.alloc : memref<2x2x3xf32>
    exec.launch "attention_forward"(%o, %lse, %q, %k, %v) access [write, write, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01] : memref<2x2x3x4xf32>, memref<2x2x3xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>
    %y = exec.alloc : memref<2x3x2x4xf32>
    exec.launch "permute"(%y, %o) access [write, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x3x2x4xf32>, memref<2x2x3x4xf32>
    exec.launch "use"(%y) access [read] : memref<2x3x2x4xf32>
    %dy = exec.alloc : memref<6x8xf32>
    exec.launch "produce"(%dy) access [write] : memref<6x8xf32>
    %do = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute"(%do, %dy) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x2x3x4xf32>, memref<6x8xf32>
    %dq = exec.alloc : memref<2x2x3x4xf32>
    %dk = exec.alloc : memref<2x2x3x4xf32>
    exec.fill %dk, 0.0 : memref<2x2x3x4xf32>
    %dv = exec.alloc : memref<2x2x3x4xf32>
    exec.fill %dv, 0.0 : memref<2x2x3x4xf32>
    exec.launch "produce"(%dq) access [write] : memref<2x2x3x4xf32>
    exec.launch "attention_backward"(%dq, %dk, %dv, %do, %q, %k, %v, %o, %lse) access [readwrite, readwrite, readwrite, read, read, read, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01] : memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3xf32>
    %g = exec.alloc : memref<2x3x24xf32>
    exec.launch "permute_view"(%g, %dq) access [write, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5, 48, 48, 0, 8, 24, 0] : memref<2x3x24xf32>, memref<2x2x3x4xf32>
    exec.launch "permute_view"(%g, %dk) access [readwrite, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5, 48, 48, 0, 8, 24, 8] : memref<2x3x24xf32>, memref<2x2x3x4xf32>
    exec.launch "permute_view"(%g, %dv) access [readwrite, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5, 48, 48, 0, 8, 24, 16] : memref<2x3x24xf32>, memref<2x2x3x4xf32>
    exec.launch "use"(%g) access [read] : memref<2x3x24xf32>
    return
  }
}

// -----

// Tests that the gradients are not written into a target that something
// reads between the backward and the merges; they are still overwritten
// (their fills go).

// CHECK-LABEL: func.func @negative_target_read_between
// CHECK-NOT: exec.fill
// CHECK: exec.launch "attention_backward_strided"(%[[DQ:[0-9]+]], %[[DK:[0-9]+]], %[[DV:[0-9]+]], %{{.*}}) access [write, write, write, read, read, read, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01, 0, 0, 24, 12, 4,
// CHECK: exec.launch "use"(%[[G:[0-9]+]])
// CHECK: exec.launch "permute_view"(%[[G]], %[[DQ]])
module {
  func.func @negative_target_read_between() attributes {exec.entry = "micro_step"} {
    %qkv = exec.alloc : memref<2x3x24xf32>
    exec.launch "produce"(%qkv) access [write] : memref<2x3x24xf32>
    %q = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%q, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 0, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %k = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%k, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 8, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %v = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%v, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 16, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %o = exec.alloc : memref<2x2x3x4xf32>
    %lse = exec.alloc : memref<2x2x3xf32>
    exec.launch "attention_forward"(%o, %lse, %q, %k, %v) access [write, write, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01] : memref<2x2x3x4xf32>, memref<2x2x3xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>
    %y = exec.alloc : memref<2x3x2x4xf32>
    exec.launch "permute"(%y, %o) access [write, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x3x2x4xf32>, memref<2x2x3x4xf32>
    exec.launch "use"(%y) access [read] : memref<2x3x2x4xf32>
    %dy = exec.alloc : memref<6x8xf32>
    exec.launch "produce"(%dy) access [write] : memref<6x8xf32>
    %do = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute"(%do, %dy) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x2x3x4xf32>, memref<6x8xf32>
    %dq = exec.alloc : memref<2x2x3x4xf32>
    exec.fill %dq, 0.0 : memref<2x2x3x4xf32>
    %dk = exec.alloc : memref<2x2x3x4xf32>
    exec.fill %dk, 0.0 : memref<2x2x3x4xf32>
    %dv = exec.alloc : memref<2x2x3x4xf32>
    exec.fill %dv, 0.0 : memref<2x2x3x4xf32>
    exec.launch "attention_backward"(%dq, %dk, %dv, %do, %q, %k, %v, %o, %lse) access [readwrite, readwrite, readwrite, read, read, read, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01] : memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3xf32>
    %g = exec.alloc : memref<2x3x24xf32>
    exec.launch "produce"(%g) access [write] : memref<2x3x24xf32>
    exec.launch "use"(%g) access [read] : memref<2x3x24xf32>
    exec.launch "permute_view"(%g, %dq) access [readwrite, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5, 48, 48, 0, 8, 24, 0] : memref<2x3x24xf32>, memref<2x2x3x4xf32>
    exec.launch "permute_view"(%g, %dk) access [readwrite, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5, 48, 48, 0, 8, 24, 8] : memref<2x3x24xf32>, memref<2x2x3x4xf32>
    exec.launch "permute_view"(%g, %dv) access [readwrite, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5, 48, 48, 0, 8, 24, 16] : memref<2x3x24xf32>, memref<2x2x3x4xf32>
    exec.launch "use"(%g) access [read] : memref<2x3x24xf32>
    return
  }
}

// -----

// Tests that merges into overlapping elements of one target (dk and dv
// into the same columns: the later one wins) are kept.

// CHECK-LABEL: func.func @negative_overlapping_merges
// CHECK: exec.launch "attention_backward_strided"(%[[DQ:[0-9]+]], %[[DK:[0-9]+]], %[[DV:[0-9]+]], %{{.*}}) access [write, write, write,
// CHECK: exec.launch "permute_view"(%[[G:[0-9]+]], %[[DQ]])
// CHECK: exec.launch "permute_view"(%[[G]], %[[DK]])
// CHECK: exec.launch "permute_view"(%[[G]], %[[DV]])
module {
  func.func @negative_overlapping_merges() attributes {exec.entry = "micro_step"} {
    %qkv = exec.alloc : memref<2x3x24xf32>
    exec.launch "produce"(%qkv) access [write] : memref<2x3x24xf32>
    %q = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%q, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 0, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %k = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%k, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 8, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %v = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%v, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 16, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %o = exec.alloc : memref<2x2x3x4xf32>
    %lse = exec.alloc : memref<2x2x3xf32>
    exec.launch "attention_forward"(%o, %lse, %q, %k, %v) access [write, write, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01] : memref<2x2x3x4xf32>, memref<2x2x3xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>
    %y = exec.alloc : memref<2x3x2x4xf32>
    exec.launch "permute"(%y, %o) access [write, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x3x2x4xf32>, memref<2x2x3x4xf32>
    exec.launch "use"(%y) access [read] : memref<2x3x2x4xf32>
    %dy = exec.alloc : memref<6x8xf32>
    exec.launch "produce"(%dy) access [write] : memref<6x8xf32>
    %do = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute"(%do, %dy) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x2x3x4xf32>, memref<6x8xf32>
    %dq = exec.alloc : memref<2x2x3x4xf32>
    exec.fill %dq, 0.0 : memref<2x2x3x4xf32>
    %dk = exec.alloc : memref<2x2x3x4xf32>
    exec.fill %dk, 0.0 : memref<2x2x3x4xf32>
    %dv = exec.alloc : memref<2x2x3x4xf32>
    exec.fill %dv, 0.0 : memref<2x2x3x4xf32>
    exec.launch "attention_backward"(%dq, %dk, %dv, %do, %q, %k, %v, %o, %lse) access [readwrite, readwrite, readwrite, read, read, read, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01] : memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3xf32>
    %g = exec.alloc : memref<2x3x24xf32>
    exec.launch "permute_view"(%g, %dq) access [write, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5, 48, 48, 0, 8, 24, 0] : memref<2x3x24xf32>, memref<2x2x3x4xf32>
    exec.launch "permute_view"(%g, %dk) access [readwrite, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5, 48, 48, 0, 8, 24, 8] : memref<2x3x24xf32>, memref<2x2x3x4xf32>
    exec.launch "permute_view"(%g, %dv) access [readwrite, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5, 48, 48, 0, 8, 24, 12] : memref<2x3x24xf32>, memref<2x2x3x4xf32>
    exec.launch "use"(%g) access [read] : memref<2x3x24xf32>
    return
  }
}

// -----

// Tests that attention between buffers that are not head splits (another
// permutation, a global source) or on a stream is left as it is.

// CHECK-LABEL: func.func @negative_untouched
// CHECK-NOT: strided
// CHECK-COUNT-3: exec.launch "permute"
// CHECK: exec.launch "attention_forward"
// CHECK: exec.launch "permute"
// CHECK: exec.launch "attention_forward"({{.*}}) access [write, write, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01] on @s
// CHECK-NOT: strided
module {
  exec.arena @parameters parameters size 0 align 256
  exec.global @w in @parameters : memref<2x3x2x4xf32>
  exec.stream @s
  func.func @negative_untouched() attributes {exec.entry = "eval_step"} {
    %x = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "produce"(%x) access [write] : memref<2x2x3x4xf32>
    %q = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute"(%q, %x) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 1, 2, 3, 4, 5] : memref<2x2x3x4xf32>, memref<2x2x3x4xf32>
    %w = exec.global_ref @w : memref<2x3x2x4xf32>
    %k = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute"(%k, %w) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x2x3x4xf32>, memref<2x3x2x4xf32>
    %v = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute"(%v, %w) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x2x3x4xf32>, memref<2x3x2x4xf32>
    %o = exec.alloc : memref<2x2x3x4xf32>
    %lse = exec.alloc : memref<2x2x3xf32>
    exec.launch "attention_forward"(%o, %lse, %q, %k, %v) access [write, write, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01] : memref<2x2x3x4xf32>, memref<2x2x3xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>
    exec.launch "use"(%o) access [read] : memref<2x2x3x4xf32>
    %y = exec.alloc : memref<2x3x2x4xf32>
    exec.launch "permute"(%y, %o) access [write, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x3x2x4xf32>, memref<2x2x3x4xf32>
    exec.launch "use"(%y) access [read] : memref<2x3x2x4xf32>
    %o2 = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "attention_forward"(%o2, %lse, %k, %k, %v) access [write, write, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01] on @s : memref<2x2x3x4xf32>, memref<2x2x3xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>
    exec.launch "use"(%o2) access [read] : memref<2x2x3x4xf32>
    return
  }
}

// -----

// Tests that the merged output that a second attention reads as its
// [B, H, T, Dh] q (the merge is then also a split) is written through the
// merge's view once and read as it is: the split of an output that goes is
// not taken for another view.

// CHECK-LABEL: func.func @negative_resplit_output
// CHECK: %[[Y:[0-9]+]] = exec.alloc : memref<2x2x3x4xf32>
// CHECK: exec.launch "attention_forward_strided"(%[[Y]], %{{.*}}) access [write, write, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01, 0, 72, 4, 24, 8, 72, 4, 24, 16, 72, 4, 24, 0, 24, 4, 8]
// CHECK-NOT: permute
// CHECK: exec.launch "attention_forward_strided"(%{{.*}}, %{{.*}}, %[[Y]], %{{.*}}) access [write, write, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01, 0, 24, 12, 4, 8, 72, 4, 24,
module {
  func.func @negative_resplit_output() attributes {exec.entry = "eval_step"} {
    %qkv = exec.alloc : memref<2x3x24xf32>
    exec.launch "produce"(%qkv) access [write] : memref<2x3x24xf32>
    %q = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%q, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 0, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %k = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%k, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 8, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %v = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute_view"(%v, %qkv) access [write, read] args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 16, 48, 48, 0] : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    %o = exec.alloc : memref<2x2x3x4xf32>
    %lse = exec.alloc : memref<2x2x3xf32>
    exec.launch "attention_forward"(%o, %lse, %q, %k, %v) access [write, write, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01] : memref<2x2x3x4xf32>, memref<2x2x3xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>
    %y = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "permute"(%y, %o) access [write, read] args [4, 2, 2, 3, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x2x3x4xf32>, memref<2x2x3x4xf32>
    %o2 = exec.alloc : memref<2x2x3x4xf32>
    exec.launch "attention_forward"(%o2, %lse, %y, %k, %v) access [write, write, read, read, read] args [2, 2, 2, 3, 4, 5.000000e-01] : memref<2x2x3x4xf32>, memref<2x2x3xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>, memref<2x2x3x4xf32>
    exec.launch "use"(%o2) access [read] : memref<2x2x3x4xf32>
    return
  }
}
