// RUN: ptc-opt %s -split-input-file -exec-plan-memory -verify-diagnostics | FileCheck %s
// RUN: ptc-opt %s -split-input-file -exec-plan-memory -exec-plan-memory -verify-diagnostics | FileCheck %s
// RUN: ptc-opt %s -split-input-file -exec-plan-memory=alignment=1024 -verify-diagnostics | FileCheck %s --check-prefix=ALIGN

// Tests that globals are packed per arena in declaration order, each aligned
// to max(pass alignment, arena alignment), and that arenas are sized.

// CHECK: exec.arena @parameters parameters size 1280 align 256
// CHECK: exec.arena @io io size 512 align 64
// CHECK: exec.global @w1 in @parameters [offset 0] : memref<4xf32>
// CHECK: exec.global @w2 in @parameters [offset 256] : memref<100xf32>
// CHECK: exec.global @tokens in @io [offset 0] : memref<8xi32>
// CHECK: exec.global @w3 in @parameters [offset 768] : memref<2x3xbf16>
// CHECK: exec.global @loss in @io [offset 256] : memref<f32>
// CHECK: exec.global @w4 in @parameters [offset 1024] : memref<1xf64>
// ALIGN: exec.arena @parameters parameters size 4096 align 256
// ALIGN: exec.global @w1 in @parameters [offset 0]
// ALIGN: exec.global @w2 in @parameters [offset 1024]
// ALIGN: exec.global @w3 in @parameters [offset 2048]
exec.arena @parameters parameters size 0 align 256
exec.arena @io io size 0 align 64
exec.global @w1 in @parameters : memref<4xf32>
exec.global @w2 in @parameters : memref<100xf32>
exec.global @tokens in @io [offset 4096] : memref<8xi32> {io = "tokens"}
exec.global @w3 in @parameters : memref<2x3xbf16>
exec.global @loss in @io : memref<f32> {io = "loss"}
exec.global @w4 in @parameters : memref<1xf64>

// -----

// Tests that two allocs with disjoint lifetimes share an offset.

// CHECK: exec.arena @activations activations size 256 align 256
// CHECK-LABEL: func.func @disjoint
// CHECK: exec.alloc in @activations [offset 0] : memref<64xf32>
// CHECK: exec.alloc in @activations [offset 0] : memref<64xf32>
exec.arena @activations activations size 0 align 256
func.func @disjoint() attributes {exec.entry = "micro_step"} {
  %a = exec.alloc : memref<64xf32>
  %b = exec.alloc : memref<64xf32>
  exec.launch "k"(%a) access [write] : memref<64xf32>
  exec.launch "k"(%a) access [read] : memref<64xf32>
  exec.launch "k"(%b) access [write] : memref<64xf32>
  exec.launch "k"(%b) access [read] : memref<64xf32>
  return
}

// -----

// Tests that allocs whose lifetimes overlap get disjoint memory, largest
// first, and that an unused alloc still gets an offset.

// CHECK: exec.arena @activations activations size 768 align 256
// CHECK-LABEL: func.func @overlapping
// CHECK: %[[A:.*]] = exec.alloc in @activations [offset 0] : memref<64xf32>
// CHECK: %[[B:.*]] = exec.alloc in @activations [offset 512] : memref<64xf32>
// CHECK: %[[C:.*]] = exec.alloc in @activations [offset 0] : memref<128xf32>
// CHECK: exec.alloc in @activations [offset 0] : memref<16xf32>
exec.arena @activations activations size 0 align 256
func.func @overlapping() {
  %a = exec.alloc : memref<64xf32>
  %b = exec.alloc : memref<64xf32>
  %c = exec.alloc : memref<128xf32>
  %unused = exec.alloc : memref<16xf32>
  exec.launch "k"(%a) access [write] : memref<64xf32>
  exec.launch "k"(%b, %a) access [write, read] : memref<64xf32>, memref<64xf32>
  exec.launch "k"(%c, %b) access [write, read] : memref<128xf32>, memref<64xf32>
  exec.launch "k"(%c) access [read] : memref<128xf32>
  return
}

// -----

// Tests that functions never coexist: each is planned from offset 0 and the
// arena is as large as the largest function needs.

// CHECK: exec.arena @activations activations size 4096 align 256
// CHECK-LABEL: func.func @small
// CHECK: exec.alloc in @activations [offset 0] : memref<64xf32>
// CHECK-LABEL: func.func @large
// CHECK: exec.alloc in @activations [offset 0] : memref<1024xf32>
// CHECK-LABEL: func.func @medium
// CHECK: exec.alloc in @activations [offset 0] : memref<64xf32>
// CHECK: exec.alloc in @activations [offset 256] : memref<64xf32>
exec.arena @activations activations size 0 align 256
func.func @small() {
  %a = exec.alloc : memref<64xf32>
  exec.fill %a, 0.0 : memref<64xf32>
  return
}
func.func @large() {
  %a = exec.alloc : memref<1024xf32>
  exec.fill %a, 0.0 : memref<1024xf32>
  return
}
func.func @medium() {
  %a = exec.alloc : memref<64xf32>
  %b = exec.alloc : memref<64xf32>
  exec.copy %a, %b : memref<64xf32>, memref<64xf32>
  return
}

// -----

// Tests that workspace allocs are planned in the workspace arena, apart from
// the activations.

// CHECK: exec.arena @activations activations size 512 align 256
// CHECK: exec.arena @workspace workspace size 1024 align 256
// CHECK-LABEL: func.func @workspace_allocs
// CHECK: exec.alloc in @activations [offset 0] : memref<128xf32>
// CHECK: exec.alloc workspace in @workspace [offset 0] : memref<512xbf16>
// CHECK: exec.alloc workspace in @workspace [offset 0] : memref<256xf16>
exec.arena @activations activations size 0 align 256
exec.arena @workspace workspace size 0 align 256
func.func @workspace_allocs() {
  %x = exec.alloc : memref<128xf32>
  %w1 = exec.alloc workspace : memref<512xbf16>
  %w2 = exec.alloc workspace : memref<256xf16>
  exec.launch "k"(%x, %w1) access [write, readwrite] : memref<128xf32>, memref<512xbf16>
  exec.launch "k"(%x, %w2) access [readwrite, readwrite] : memref<128xf32>, memref<256xf16>
  return
}

// -----

// Tests that missing activations and workspace arenas are created after the
// existing ones, named after their kind (renamed when the name is taken).

// CHECK: exec.arena @parameters parameters size 256 align 256
// CHECK-NEXT: exec.arena @activations activations size 256 align 256
// CHECK-NEXT: exec.arena @[[WS:workspace.+]] workspace size 512 align 256
// CHECK: exec.global @workspace in @parameters [offset 0]
// CHECK-LABEL: func.func @missing
// CHECK: exec.alloc in @activations [offset 0] : memref<8xf32>
// CHECK: exec.alloc workspace in @[[WS]] [offset 0] : memref<100xf32>
// ALIGN: exec.arena @activations activations size 1024 align 1024
exec.arena @parameters parameters size 0 align 256
exec.global @workspace in @parameters : memref<8xf32>
func.func @missing() {
  %x = exec.alloc : memref<8xf32>
  %w = exec.alloc workspace : memref<100xf32>
  exec.launch "k"(%x, %w) access [write, write] : memref<8xf32>, memref<100xf32>
  return
}

// -----

// Tests that a function with a region op cannot be planned.

func.func @negative_region_op() {
  %x = exec.alloc : memref<8xf32>
  exec.fill %x, 0.0 : memref<8xf32>
  // expected-error @+1 {{'graph.layer' op has regions; exec-plan-memory plans straight-line functions only (in @negative_region_op)}}
  graph.layer block 0 () -> () {
    graph.yield
  }
  return
}

// -----

// Tests that a function with several blocks cannot be planned.

// expected-error @+1 {{'func.func' op has 2 blocks; exec-plan-memory plans straight-line functions only (one block, no region ops)}}
func.func @negative_two_blocks() {
  %x = exec.alloc : memref<8xf32>
  exec.fill %x, 0.0 : memref<8xf32>
  return
^bb1:
  return
}
