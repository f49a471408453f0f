// RUN: ptc-opt %s -split-input-file -exec-shard-master-weights | FileCheck %s

// Tests ZeRO-1's sharded masters: @w (15 elements, chunks of 8 over dp = 2)
// is read by the micro-step only through its bf16 copy, so its global
// becomes the chunk; init_params fills a whole transient tensor, keeps the
// chunk and refreshes the copy from it right after the fill; the optimizer
// step updates the whole chunk with adamw_update, drops the f32 all-gather
// and refreshes the copy by converting the chunk and all-gathering bf16;
// refresh_weight_copies gathers the same way. The all-gathers of an entry
// point form one NCCL group after every conversion; @u (8 elements, chunks
// of 4) is gathered straight into its copy, @w (padded to 16) through a
// buffer whose first 15 elements are copied after the group. @n, read in
// f32 by the micro-step, and @v, whose copy eval_step bypasses, stay whole;
// @v's updated chunk is gathered back in place (dp divides its 4 elements).

// CHECK-LABEL: module @zero
// CHECK: exec.global @w in @parameters : memref<8xf32> {dist.zero_chunk = 8 : i64, exec.zero_master = memref<3x5xf32>}
// CHECK: exec.global @n in @parameters : memref<5xf32> {dist.zero_chunk = 3 : i64}
// CHECK: exec.global @v in @parameters : memref<4xf32> {dist.zero_chunk = 2 : i64}

// CHECK-LABEL: func.func @init_params()
// CHECK: %[[WHOLE:.*]] = exec.alloc : memref<3x5xf32>
// CHECK: exec.launch "init_normal"(%[[WHOLE]], %{{.*}}) access [write, read] args [15, 0, 2.000000e-02]
// CHECK-NEXT: %[[MASTER:.*]] = exec.global_ref @w : memref<8xf32>
// CHECK-NEXT: exec.launch "copy_chunk"(%[[MASTER]], %[[WHOLE]]) access [write, read] args [15, 8, 1]
// CHECK-NEXT: %[[COPY:.*]] = exec.global_ref @w.compute : memref<3x5xbf16>
// CHECK-NEXT: exec.launch "convert"(%[[COPY]], %[[WHOLE]]) access [write, read] args [15]
// CHECK-NEXT: exec.global_ref @n : memref<5xf32>
// CHECK-NOT: @w :
// CHECK: return

// CHECK-LABEL: func.func @optimizer_step()
// CHECK: %[[W:.*]] = exec.global_ref @w : memref<8xf32>
// CHECK: exec.launch "adamw_update"(%[[W]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) access [readwrite, readwrite, readwrite, read, read, read, read] args [8, 9.000000e-01, 0.94999999999999996, 1.000000e-08, 1.000000e-01]
// CHECK-NOT: "copy_chunk"
// CHECK: exec.launch "adamw_update_chunk"
// CHECK-NOT: "copy_chunk"
// CHECK-NOT: exec.global_ref @v :
// CHECK: exec.launch "group_start"
// CHECK-NEXT: %[[V:.*]] = exec.global_ref @v : memref<4xf32>
// CHECK-NEXT: exec.launch "all_gather_inplace"(%[[V]]) access [readwrite] args [2, 0] : memref<4xf32>
// CHECK-NEXT: exec.launch "group_end"
// CHECK: %[[C:.*]] = exec.global_ref @w.compute : memref<3x5xbf16>
// CHECK-NEXT: %[[M:.*]] = exec.global_ref @w : memref<8xf32>
// CHECK: %[[CU:.*]] = exec.global_ref @u.compute : memref<2x4xbf16>
// CHECK-NEXT: %[[MU:.*]] = exec.global_ref @u : memref<4xf32>
// CHECK-NEXT: %[[B:.*]] = exec.alloc : memref<8xbf16>
// CHECK-NEXT: exec.launch "convert"(%[[B]], %[[M]]) access [write, read] args [8]
// CHECK-NEXT: %[[BU:.*]] = exec.alloc : memref<4xbf16>
// CHECK-NEXT: exec.launch "convert"(%[[BU]], %[[MU]]) access [write, read] args [4]
// CHECK-NEXT: exec.launch "group_start"() access []
// CHECK-NEXT: %[[ALL:.*]] = exec.alloc : memref<16xbf16>
// CHECK-NEXT: exec.launch "all_gather"(%[[ALL]], %[[B]]) access [write, read] args [8, 0]
// CHECK-NEXT: exec.launch "all_gather"(%[[CU]], %[[BU]]) access [write, read] args [4, 0] : memref<2x4xbf16>, memref<4xbf16>
// CHECK-NEXT: exec.launch "group_end"() access []
// CHECK-NEXT: exec.launch "copy"(%[[C]], %[[ALL]]) access [write, read] args [15] : memref<3x5xbf16>, memref<16xbf16>
// CHECK-NEXT: return

// CHECK-LABEL: func.func @refresh_weight_copies()
// CHECK: exec.launch "convert"(%{{.*}}, %{{.*}}) access [write, read] args [8] : memref<8xbf16>, memref<8xf32>
// CHECK: exec.launch "convert"(%{{.*}}, %{{.*}}) access [write, read] args [4] : memref<4xbf16>, memref<4xf32>
// CHECK-NEXT: exec.launch "group_start"
// CHECK-NEXT: exec.alloc : memref<16xbf16>
// CHECK-NEXT: exec.launch "all_gather"
// CHECK-NEXT: exec.launch "all_gather"
// CHECK-NEXT: exec.launch "group_end"
// CHECK-NEXT: exec.launch "copy"
// CHECK: exec.launch "convert"(%{{.*}}, %{{.*}}) access [write, read] args [4] : memref<4xbf16>, memref<4xf32>
// CHECK-NEXT: return
module @zero attributes {ptc.comms = [["dp"]], ptc.parallel = #dist.parallel<dp = 2, tp = 1, pp = 1, zero_stage = 1>} {
  exec.arena @parameters parameters size 0 align 256
  exec.arena @optimizer_state optimizer_state size 0 align 256
  exec.arena @io io size 0 align 256
  exec.global @w in @parameters : memref<3x5xf32> {dist.zero_chunk = 8 : i64}
  exec.global @n in @parameters : memref<5xf32> {dist.zero_chunk = 3 : i64}
  exec.global @v in @parameters : memref<4xf32> {dist.zero_chunk = 2 : i64}
  exec.global @u in @parameters : memref<2x4xf32> {dist.zero_chunk = 4 : i64}
  exec.global @u.m in @optimizer_state : memref<4xf32>
  exec.global @u.v in @optimizer_state : memref<4xf32>
  exec.global @w.m in @optimizer_state : memref<8xf32>
  exec.global @w.v in @optimizer_state : memref<8xf32>
  exec.global @v.m in @optimizer_state : memref<2xf32>
  exec.global @v.v in @optimizer_state : memref<2xf32>
  exec.global @io.seed in @io : memref<i64> {io = "seed"}
  exec.global @w.compute in @parameters : memref<3x5xbf16> {exec.copy_of = @w}
  exec.global @v.compute in @parameters : memref<4xbf16> {exec.copy_of = @v}
  exec.global @u.compute in @parameters : memref<2x4xbf16> {exec.copy_of = @u}
  dist.mesh @mesh axes [pp = 1, dp = 2, tp = 1]
  func.func @init_params() attributes {exec.entry = "init_params"} {
    %w = exec.global_ref @w : memref<3x5xf32>
    %seed = exec.global_ref @io.seed : memref<i64>
    exec.launch "init_normal"(%w, %seed) access [write, read] args [15, 0, 2.000000e-02] : memref<3x5xf32>, memref<i64>
    %n = exec.global_ref @n : memref<5xf32>
    exec.fill %n, 1.000000e+00 : memref<5xf32>
    %v = exec.global_ref @v : memref<4xf32>
    exec.fill %v, 0.000000e+00 : memref<4xf32>
    %c = exec.global_ref @w.compute : memref<3x5xbf16>
    %w2 = exec.global_ref @w : memref<3x5xf32>
    exec.launch "convert"(%c, %w2) access [write, read] args [15] : memref<3x5xbf16>, memref<3x5xf32>
    %cv = exec.global_ref @v.compute : memref<4xbf16>
    %v2 = exec.global_ref @v : memref<4xf32>
    exec.launch "convert"(%cv, %v2) access [write, read] args [4] : memref<4xbf16>, memref<4xf32>
    return
  }
  func.func @micro_step() attributes {exec.entry = "micro_step"} {
    %c = exec.global_ref @w.compute : memref<3x5xbf16>
    exec.launch "use"(%c) access [read] : memref<3x5xbf16>
    %n = exec.global_ref @n : memref<5xf32>
    exec.launch "use"(%n) access [read] : memref<5xf32>
    %unused = exec.global_ref @w : memref<3x5xf32>
    %cu = exec.global_ref @u.compute : memref<2x4xbf16>
    exec.launch "use"(%cu) access [read] : memref<2x4xbf16>
    return
  }
  func.func @eval_step() attributes {exec.entry = "eval_step"} {
    %v = exec.global_ref @v : memref<4xf32>
    exec.launch "use"(%v) access [read] : memref<4xf32>
    return
  }
  func.func @optimizer_step() attributes {exec.entry = "optimizer_step"} {
    %lr = exec.alloc : memref<f32>
    %clip = exec.alloc : memref<f32>
    %step = exec.alloc : memref<i64>
    %g = exec.alloc : memref<8xf32>
    %w = exec.global_ref @w : memref<3x5xf32>
    %m = exec.global_ref @w.m : memref<8xf32>
    %s = exec.global_ref @w.v : memref<8xf32>
    exec.launch "adamw_update_chunk"(%w, %m, %s, %g, %lr, %clip, %step) access [readwrite, readwrite, readwrite, read, read, read, read] args [15, 8, 1, 9.000000e-01, 9.500000e-01, 1.000000e-08, 1.000000e-01] : memref<3x5xf32>, memref<8xf32>, memref<8xf32>, memref<8xf32>, memref<f32>, memref<f32>, memref<i64>
    %mine = exec.alloc : memref<8xf32>
    %w2 = exec.global_ref @w : memref<3x5xf32>
    exec.launch "copy_chunk"(%mine, %w2) access [write, read] args [15, 8, 1] : memref<8xf32>, memref<3x5xf32>
    %all = exec.alloc : memref<16xf32>
    exec.launch "all_gather"(%all, %mine) access [write, read] args [8, 0] : memref<16xf32>, memref<8xf32>
    %w3 = exec.global_ref @w : memref<3x5xf32>
    exec.launch "copy"(%w3, %all) access [write, read] args [15] : memref<3x5xf32>, memref<16xf32>
    %gv = exec.alloc : memref<2xf32>
    %v = exec.global_ref @v : memref<4xf32>
    %vm = exec.global_ref @v.m : memref<2xf32>
    %vs = exec.global_ref @v.v : memref<2xf32>
    exec.launch "adamw_update_chunk"(%v, %vm, %vs, %gv, %lr, %clip, %step) access [readwrite, readwrite, readwrite, read, read, read, read] args [4, 2, 1, 9.000000e-01, 9.500000e-01, 1.000000e-08, 0.000000e+00] : memref<4xf32>, memref<2xf32>, memref<2xf32>, memref<2xf32>, memref<f32>, memref<f32>, memref<i64>
    %vmine = exec.alloc : memref<2xf32>
    %v2 = exec.global_ref @v : memref<4xf32>
    exec.launch "copy_chunk"(%vmine, %v2) access [write, read] args [4, 2, 1] : memref<2xf32>, memref<4xf32>
    %vall = exec.alloc : memref<4xf32>
    exec.launch "all_gather"(%vall, %vmine) access [write, read] args [2, 0] : memref<4xf32>, memref<2xf32>
    %v3 = exec.global_ref @v : memref<4xf32>
    exec.launch "copy"(%v3, %vall) access [write, read] args [4] : memref<4xf32>, memref<4xf32>
    %gu = exec.alloc : memref<4xf32>
    %u = exec.global_ref @u : memref<2x4xf32>
    %um = exec.global_ref @u.m : memref<4xf32>
    %us = exec.global_ref @u.v : memref<4xf32>
    exec.launch "adamw_update_chunk"(%u, %um, %us, %gu, %lr, %clip, %step) access [readwrite, readwrite, readwrite, read, read, read, read] args [8, 4, 1, 9.000000e-01, 9.500000e-01, 1.000000e-08, 1.000000e-01] : memref<2x4xf32>, memref<4xf32>, memref<4xf32>, memref<4xf32>, memref<f32>, memref<f32>, memref<i64>
    %c = exec.global_ref @w.compute : memref<3x5xbf16>
    %w4 = exec.global_ref @w : memref<3x5xf32>
    exec.launch "convert"(%c, %w4) access [write, read] args [15] : memref<3x5xbf16>, memref<3x5xf32>
    %cu = exec.global_ref @u.compute : memref<2x4xbf16>
    %u4 = exec.global_ref @u : memref<2x4xf32>
    exec.launch "convert"(%cu, %u4) access [write, read] args [8] : memref<2x4xbf16>, memref<2x4xf32>
    return
  }
  func.func @refresh_weight_copies() attributes {exec.entry = "refresh_weight_copies"} {
    %c = exec.global_ref @w.compute : memref<3x5xbf16>
    %w = exec.global_ref @w : memref<3x5xf32>
    exec.launch "convert"(%c, %w) access [write, read] args [15] : memref<3x5xbf16>, memref<3x5xf32>
    %cu = exec.global_ref @u.compute : memref<2x4xbf16>
    %u = exec.global_ref @u : memref<2x4xf32>
    exec.launch "convert"(%cu, %u) access [write, read] args [8] : memref<2x4xbf16>, memref<2x4xf32>
    %cv = exec.global_ref @v.compute : memref<4xbf16>
    %v = exec.global_ref @v : memref<4xf32>
    exec.launch "convert"(%cv, %v) access [write, read] args [4] : memref<4xbf16>, memref<4xf32>
    return
  }
}

// -----

// Tests that without ZeRO-1 (zero_stage 0) nothing changes.

// CHECK-LABEL: module @no_zero
// CHECK: exec.global @w in @parameters : memref<3x5xf32> {dist.zero_chunk = 8 : i64}
// CHECK: exec.launch "convert"(%{{.*}}, %{{.*}}) access [write, read] args [15] : memref<3x5xbf16>, memref<3x5xf32>
module @no_zero attributes {ptc.comms = [["dp"]], ptc.parallel = #dist.parallel<dp = 2, zero_stage = 0>} {
  exec.arena @parameters parameters size 0 align 256
  exec.global @w in @parameters : memref<3x5xf32> {dist.zero_chunk = 8 : i64}
  exec.global @w.compute in @parameters : memref<3x5xbf16> {exec.copy_of = @w}
  dist.mesh @mesh axes [pp = 1, dp = 2, tp = 1]
  func.func @refresh_weight_copies() attributes {exec.entry = "refresh_weight_copies"} {
    %c = exec.global_ref @w.compute : memref<3x5xbf16>
    %w = exec.global_ref @w : memref<3x5xf32>
    exec.launch "convert"(%c, %w) access [write, read] args [15] : memref<3x5xbf16>, memref<3x5xf32>
    return
  }
}
