// RUN: ptc-opt %s -split-input-file -exec-persist-weight-copies | FileCheck %s
// RUN: ptc-opt %s -split-input-file -exec-persist-weight-copies=force=true | FileCheck %s --check-prefix=FORCE

// Tests that with keep_bf16_weights the conversions of a weight in the
// micro-step (forward and recomputed backward) become reads of one bf16
// global @w.compute, marked exec.copy_of, and that init_params,
// optimizer_step and the new refresh_weight_copies convert @w into it once,
// at their end. A conversion of a weight into a buffer of another shape
// and one of a value that is not a parameter stay.

// CHECK-LABEL: module @keep
// CHECK: exec.global @w.compute in @parameters : memref<4x8xbf16> {exec.copy_of = @w}
// CHECK: func.func @init_params()
// CHECK: exec.launch "init_normal"
// CHECK-NEXT: %[[C0:.*]] = exec.global_ref @w.compute : memref<4x8xbf16>
// CHECK-NEXT: %[[W0:.*]] = exec.global_ref @w : memref<4x8xf32>
// CHECK-NEXT: exec.launch "convert"(%[[C0]], %[[W0]]) access [write, read] args [32]
// CHECK-NEXT: return
// CHECK: func.func @micro_step()
// CHECK-NOT: "convert"(%{{.*}}, %{{.*}}) access [write, read] args [32] : memref<4x8xbf16>
// CHECK: %[[C1:.*]] = exec.global_ref @w.compute : memref<4x8xbf16>
// CHECK-NEXT: exec.launch "use"(%[[C1]])
// CHECK: %[[C2:.*]] = exec.global_ref @w.compute : memref<4x8xbf16>
// CHECK-NEXT: exec.launch "use"(%[[C2]])
// CHECK: exec.launch "convert"(%{{.*}}, %{{.*}}) access [write, read] args [32] : memref<32xbf16>, memref<4x8xf32>
// CHECK: exec.launch "convert"(%{{.*}}, %{{.*}}) access [write, read] args [8] : memref<8xbf16>, memref<8xf32>
// CHECK: func.func @optimizer_step()
// CHECK: exec.launch "adamw"
// CHECK-NEXT: %[[C3:.*]] = exec.global_ref @w.compute
// CHECK-NEXT: %[[W3:.*]] = exec.global_ref @w
// CHECK-NEXT: exec.launch "convert"(%[[C3]], %[[W3]])
// CHECK-NEXT: return
// CHECK: func.func @refresh_weight_copies() attributes {exec.entry = "refresh_weight_copies"}
// CHECK-NEXT: exec.global_ref @w.compute
// CHECK-NEXT: exec.global_ref @w
// CHECK-NEXT: exec.launch "convert"
// CHECK-NEXT: return
module @keep attributes {ptc.training = #graph.training<decay_steps = 1, global_batch_size = 1, micro_batch_size = 1, steps = 1, keep_bf16_weights = true>} {
  exec.arena @parameters parameters size 0 align 256
  exec.arena @activations activations size 0 align 256
  exec.global @w in @parameters : memref<4x8xf32>
  exec.global @x in @activations : memref<8xf32>
  func.func @init_params() attributes {exec.entry = "init_params"} {
    %w = exec.global_ref @w : memref<4x8xf32>
    exec.launch "init_normal"(%w) access [write] args [32] : memref<4x8xf32>
    return
  }
  func.func @micro_step() attributes {exec.entry = "micro_step"} {
    %w = exec.global_ref @w : memref<4x8xf32>
    %a = exec.alloc : memref<4x8xbf16>
    exec.launch "convert"(%a, %w) access [write, read] args [32] : memref<4x8xbf16>, memref<4x8xf32>
    exec.launch "use"(%a) access [read] : memref<4x8xbf16>
    %b = exec.alloc : memref<4x8xbf16>
    exec.launch "convert"(%b, %w) access [write, read] args [32] : memref<4x8xbf16>, memref<4x8xf32>
    exec.launch "use"(%b) access [read] : memref<4x8xbf16>
    %flat = exec.alloc : memref<32xbf16>
    exec.launch "convert"(%flat, %w) access [write, read] args [32] : memref<32xbf16>, memref<4x8xf32>
    %x = exec.global_ref @x : memref<8xf32>
    %xb = exec.alloc : memref<8xbf16>
    exec.launch "convert"(%xb, %x) access [write, read] args [8] : memref<8xbf16>, memref<8xf32>
    return
  }
  func.func @optimizer_step() attributes {exec.entry = "optimizer_step"} {
    %w = exec.global_ref @w : memref<4x8xf32>
    exec.launch "adamw"(%w) access [readwrite] : memref<4x8xf32>
    return
  }
}

// -----

// Tests that without keep_bf16_weights nothing changes, unless forced.

// CHECK-LABEL: module @default
// CHECK-NOT: .compute
// CHECK-NOT: refresh_weight_copies
// FORCE-LABEL: module @default
// FORCE: exec.global @w.compute
// FORCE: func.func @refresh_weight_copies
module @default {
  exec.arena @parameters parameters size 0 align 256
  exec.global @w in @parameters : memref<4x8xf32>
  func.func @micro_step() attributes {exec.entry = "micro_step"} {
    %w = exec.global_ref @w : memref<4x8xf32>
    %a = exec.alloc : memref<4x8xbf16>
    exec.launch "convert"(%a, %w) access [write, read] args [32] : memref<4x8xbf16>, memref<4x8xf32>
    exec.launch "use"(%a) access [read] : memref<4x8xbf16>
    return
  }
}
