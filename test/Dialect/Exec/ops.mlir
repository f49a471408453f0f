// RUN: ptc-opt %s | ptc-opt | FileCheck %s
// RUN: ptc-opt %s --mlir-print-op-generic | ptc-opt | FileCheck %s

// Tests that every exec op round-trips, before and after memory placement.

// CHECK: exec.arena @parameters parameters size 0 align 256
exec.arena @parameters parameters size 0 align 256
// CHECK: exec.arena @io io size 1024 align 64
exec.arena @io io size 1024 align 64
// CHECK: exec.arena @activations activations size 4096 align 256
exec.arena @activations activations size 4096 align 256
// CHECK: exec.arena @workspace workspace size 0 align 256
exec.arena @workspace workspace size 0 align 256
// CHECK: exec.stream @comm
exec.stream @comm
// CHECK: exec.event @ready
exec.event @ready

// CHECK: exec.global @wte.weight in @parameters : memref<16x8xf32>
exec.global @wte.weight in @parameters : memref<16x8xf32>
// CHECK: exec.global @bias in @parameters : memref<8xf32>
exec.global @bias in @parameters : memref<8xf32>
// CHECK: exec.global @tokens in @io [offset 0] : memref<2x4xi32> {io = "tokens"}
exec.global @tokens in @io [offset 0] : memref<2x4xi32> {io = "tokens"}
// CHECK: exec.global @loss in @io [offset 64] : memref<f32> {io = "loss"}
exec.global @loss in @io [offset 64] : memref<f32> {io = "loss"}

// CHECK-LABEL: func.func @micro_step
// CHECK-SAME: attributes {exec.entry = "micro_step"}
func.func @micro_step() attributes {exec.entry = "micro_step"} {
  // CHECK: %[[W:.*]] = exec.global_ref @wte.weight : memref<16x8xf32>
  %w = exec.global_ref @wte.weight : memref<16x8xf32>
  %bias = exec.global_ref @bias : memref<8xf32>
  // CHECK: %[[A:.*]] = exec.alloc : memref<4x8xf32>
  %a = exec.alloc : memref<4x8xf32>
  // CHECK: %[[WS:.*]] = exec.alloc workspace : memref<64xbf16>
  %ws = exec.alloc workspace : memref<64xbf16>
  // CHECK: %[[C:.*]] = exec.alloc in @activations [offset 256] : memref<4x8xf32>
  %c = exec.alloc in @activations [offset 256] : memref<4x8xf32>
  // CHECK: exec.alloc workspace in @workspace [offset 0] : memref<2x8xbf16>
  %d = exec.alloc workspace in @workspace [offset 0] : memref<2x8xbf16>
  // CHECK: exec.launch "ptc_layernorm_forward"(%[[A]], %[[W]]) access [write, read] args [256, 64 : i32, 1.000000e-05, true] : memref<4x8xf32>, memref<16x8xf32>
  exec.launch "ptc_layernorm_forward"(%a, %w) access [write, read] args [256, 64 : i32, 1.0e-05, true] : memref<4x8xf32>, memref<16x8xf32>
  // CHECK: exec.launch "ptc_scale"(%[[A]]) access [readwrite] : memref<4x8xf32>
  exec.launch "ptc_scale"(%a) access [readwrite] : memref<4x8xf32>
  // CHECK: exec.launch "ptc_barrier"() access [] on @comm{{$}}
  exec.launch "ptc_barrier"() access [] on @comm
  // CHECK: exec.gemm %[[A]], %[[C]], %[[W]] m 4 n 8 k 8 transpose_b : memref<4x8xf32>, memref<4x8xf32>, memref<16x8xf32>
  exec.gemm %a, %c, %w m 4 n 8 k 8 transpose_b : memref<4x8xf32>, memref<4x8xf32>, memref<16x8xf32>
  // CHECK: exec.gemm %[[A]], %[[C]], %[[W]], %{{.*}} m 2 n 8 k 4 batch 2 epilogue bias_gelu transpose_a accumulate on @comm {alpha = 5.000000e-01 : f64, stride_a = 8 : i64}
  exec.gemm %a, %c, %w, %bias m 2 n 8 k 4 batch 2 epilogue bias_gelu transpose_a accumulate on @comm {alpha = 0.5 : f64, stride_a = 8 : i64} : memref<4x8xf32>, memref<4x8xf32>, memref<16x8xf32>, memref<8xf32>
  // CHECK: exec.fill %[[A]], 0.000000e+00 : memref<4x8xf32>
  exec.fill %a, 0.0 : memref<4x8xf32>
  // CHECK: exec.copy %[[C]], %[[A]] : memref<4x8xf32>, memref<4x8xf32>
  exec.copy %c, %a : memref<4x8xf32>, memref<4x8xf32>
  // CHECK: exec.copy %{{.*}}, %[[WS]] : memref<8x8xbf16>, memref<64xbf16>
  %e = exec.alloc workspace : memref<8x8xbf16>
  exec.copy %e, %ws : memref<8x8xbf16>, memref<64xbf16>
  // CHECK: exec.event_record @ready{{$}}
  exec.event_record @ready
  // CHECK: exec.event_record @ready on @comm
  exec.event_record @ready on @comm
  // CHECK: exec.stream_wait @comm for @ready
  exec.stream_wait @comm for @ready
  // CHECK: exec.stream_wait for @ready
  exec.stream_wait for @ready
  return
}

// CHECK-LABEL: func.func @spans
// CHECK: exec.global_span @wte.weight to @bias : memref<136xf32>
func.func @spans() {
  %0 = exec.global_span @wte.weight to @bias : memref<136xf32>
  return
}
