// RUN: ptc-opt %s -exec-persist-weight-copies | FileCheck %s
// RUN: ptc-opt %s -exec-persist-weight-copies=same-type=true | FileCheck %s --check-prefix=SAME

// Tests that under ZeRO-1 (without keep_bf16_weights) the copies are made
// for the parameters whose masters exec-shard-master-weights can shard: @w,
// read only through conversions, gets @w.compute; @e, converted for one
// product but also read in f32, gets none (its master stays whole). With
// same-type, @e's direct read goes through a whole f32 copy @e.whole
// (refreshed by copy) and its conversion through @e.compute.

// CHECK: exec.global @w.compute in @parameters : memref<4x8xbf16> {exec.copy_of = @w}
// CHECK-NOT: @e.compute
// CHECK-NOT: @e.whole
// CHECK-LABEL: func.func @micro_step()
// CHECK: %[[C:.*]] = exec.global_ref @w.compute
// CHECK-NEXT: exec.launch "use"(%[[C]])
// CHECK: %[[E:.*]] = exec.global_ref @e : memref<8xf32>
// CHECK: exec.launch "convert"(%{{.*}}, %[[E]])
// CHECK: exec.launch "use"(%[[E]])
// CHECK-LABEL: func.func @optimizer_step()
// CHECK: exec.launch "convert"
// CHECK-NEXT: return

// SAME: exec.global @w.compute in @parameters : memref<4x8xbf16> {exec.copy_of = @w}
// SAME: exec.global @e.compute in @parameters : memref<8xbf16> {exec.copy_of = @e}
// SAME: exec.global @e.whole in @parameters : memref<8xf32> {exec.copy_of = @e}
// SAME-LABEL: func.func @micro_step()
// SAME: %[[E:.*]] = exec.global_ref @e.whole : memref<8xf32>
// SAME: %[[EC:.*]] = exec.global_ref @e.compute : memref<8xbf16>
// SAME-NEXT: exec.launch "use"(%[[EC]])
// SAME: exec.launch "use"(%[[E]])
// SAME-LABEL: func.func @optimizer_step()
// SAME: exec.launch "convert"
// SAME: exec.launch "convert"
// SAME: %[[EW:.*]] = exec.global_ref @e.whole
// SAME-NEXT: %[[EP:.*]] = exec.global_ref @e :
// SAME-NEXT: exec.launch "copy"(%[[EW]], %[[EP]]) access [write, read] args [8]
// SAME-NEXT: return
module @zero attributes {ptc.parallel = #dist.parallel<dp = 2, zero_stage = 1>} {
  exec.arena @parameters parameters size 0 align 256
  exec.global @w in @parameters : memref<4x8xf32> {dist.zero_chunk = 16 : i64}
  exec.global @e in @parameters : memref<8xf32> {dist.zero_chunk = 4 : i64}
  func.func @micro_step() attributes {exec.entry = "micro_step"} {
    %w = exec.global_ref @w : memref<4x8xf32>
    %a = exec.alloc : memref<4x8xbf16>
    exec.launch "convert"(%a, %w) access [write, read] args [32] : memref<4x8xbf16>, memref<4x8xf32>
    exec.launch "use"(%a) access [read] : memref<4x8xbf16>
    %e = exec.global_ref @e : memref<8xf32>
    %b = exec.alloc : memref<8xbf16>
    exec.launch "convert"(%b, %e) access [write, read] args [8] : memref<8xbf16>, memref<8xf32>
    exec.launch "use"(%b) access [read] : memref<8xbf16>
    exec.launch "use"(%e) access [read] : memref<8xf32>
    return
  }
  func.func @optimizer_step() attributes {exec.entry = "optimizer_step"} {
    %w = exec.global_ref @w : memref<4x8xf32>
    exec.launch "adamw"(%w) access [readwrite] : memref<4x8xf32>
    return
  }
}
