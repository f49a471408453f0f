// RUN: ptc-opt %s -exec-coalesce -split-input-file | FileCheck %s

// Tests that fills and sums of squares of globals packed back to back merge
// into one launch over an exec.global_span, in address order whatever the
// program order (the refs the merged ops used are dropped), and that a gap
// between globals (@c starts 64 bytes after @b ends) ends a chain.

// CHECK-LABEL: module @fills
// CHECK: func.func @optimizer_step
// CHECK-NEXT: %[[ACC:.*]] = exec.alloc
// CHECK-NEXT: %[[C:.*]] = exec.global_ref @c : memref<16xf32>
// CHECK-NEXT: exec.launch "sum_squares_add"(%[[ACC]], %[[C]]) access [readwrite, read] args [16]
// CHECK-NEXT: %[[AB:.*]] = exec.global_span @a to @b : memref<48xf32>
// CHECK-NEXT: exec.launch "sum_squares_add"(%[[ACC]], %[[AB]]) access [readwrite, read] args [48]
// CHECK-NEXT: %[[FILL:.*]] = exec.global_span @a to @b : memref<48xf32>
// CHECK-NEXT: exec.fill %[[FILL]], 0.000000e+00 : memref<48xf32>
// CHECK-NEXT: %[[C2:.*]] = exec.global_ref @c : memref<16xf32>
// CHECK-NEXT: exec.fill %[[C2]], 0.000000e+00 : memref<16xf32>
// CHECK-NEXT: return
module @fills {
  exec.arena @gradients gradients size 512 align 64
  exec.arena @activations activations size 256 align 64
  exec.global @a in @gradients [offset 0] : memref<32xf32>
  exec.global @b in @gradients [offset 128] : memref<16xf32>
  exec.global @c in @gradients [offset 256] : memref<16xf32>
  func.func @optimizer_step() attributes {exec.entry = "optimizer_step"} {
    %acc = exec.alloc in @activations [offset 0] : memref<f64>
    %b = exec.global_ref @b : memref<16xf32>
    exec.launch "sum_squares_add"(%acc, %b) access [readwrite, read] args [16] : memref<f64>, memref<16xf32>
    %c = exec.global_ref @c : memref<16xf32>
    exec.launch "sum_squares_add"(%acc, %c) access [readwrite, read] args [16] : memref<f64>, memref<16xf32>
    %a = exec.global_ref @a : memref<32xf32>
    exec.launch "sum_squares_add"(%acc, %a) access [readwrite, read] args [32] : memref<f64>, memref<32xf32>
    %a2 = exec.global_ref @a : memref<32xf32>
    exec.fill %a2, 0.0 : memref<32xf32>
    %b2 = exec.global_ref @b : memref<16xf32>
    exec.fill %b2, 0.0 : memref<16xf32>
    %c2 = exec.global_ref @c : memref<16xf32>
    exec.fill %c2, 0.0 : memref<16xf32>
    return
  }
}

// -----

// Tests AdamW: the updates of @w (weight decay 0.1), @s and @t (none) merge
// into adamw_update_segments over spans of the parameters, moments and
// gradients, with one row per run of equal weight decay (@s and @t are one
// row of 8); @u, with another eps, stays apart; a launch of another kernel
// ends the window, so @x and @y (equal decay) merge into a plain
// adamw_update over 8 elements.

// CHECK-LABEL: module @adamw
// CHECK: %[[P:.*]] = exec.global_span @w to @t : memref<24xf32>
// CHECK-NEXT: %[[M:.*]] = exec.global_span @w.m to @t.m : memref<24xf32>
// CHECK-NEXT: %[[V:.*]] = exec.global_span @w.v to @t.v : memref<24xf32>
// CHECK-NEXT: %[[G:.*]] = exec.global_span @w.g to @t.g : memref<24xf32>
// CHECK-NEXT: exec.launch "adamw_update_segments"(%[[P]], %[[M]], %[[V]], %[[G]], %[[LR:.*]], %[[CLIP:.*]], %[[STEP:.*]]) access [readwrite, readwrite, readwrite, read, read, read, read] args [24, 9.000000e-01, 0.94999999999999996, 1.000000e-08, {{\[\[}}16, 1.000000e-01], [8, 0.000000e+00]]]
// CHECK: exec.launch "adamw_update"({{.*}}) access {{.*}} args [4, 9.000000e-01, 0.94999999999999996, 9.9999999999999995E-7, 0.000000e+00]
// CHECK: exec.launch "sqrt_to"
// CHECK: %[[XY:.*]] = exec.global_span @x to @y : memref<8xf32>
// CHECK: exec.launch "adamw_update"(%[[XY]], {{.*}} args [8, 9.000000e-01, 0.94999999999999996, 1.000000e-08, 1.000000e-01]
module @adamw {
  exec.arena @parameters parameters size 1024 align 16
  exec.arena @optimizer_state optimizer_state size 1024 align 16
  exec.arena @gradients gradients size 1024 align 16
  exec.arena @activations activations size 256 align 16
  exec.global @w in @parameters [offset 0] : memref<16xf32>
  exec.global @s in @parameters [offset 64] : memref<4xf32>
  exec.global @t in @parameters [offset 80] : memref<4xf32>
  exec.global @u in @parameters [offset 96] : memref<4xf32>
  exec.global @x in @parameters [offset 112] : memref<4xf32>
  exec.global @y in @parameters [offset 128] : memref<4xf32>
  exec.global @w.m in @optimizer_state [offset 0] : memref<16xf32>
  exec.global @s.m in @optimizer_state [offset 64] : memref<4xf32>
  exec.global @t.m in @optimizer_state [offset 80] : memref<4xf32>
  exec.global @u.m in @optimizer_state [offset 96] : memref<4xf32>
  exec.global @x.m in @optimizer_state [offset 112] : memref<4xf32>
  exec.global @y.m in @optimizer_state [offset 128] : memref<4xf32>
  exec.global @w.v in @optimizer_state [offset 256] : memref<16xf32>
  exec.global @s.v in @optimizer_state [offset 320] : memref<4xf32>
  exec.global @t.v in @optimizer_state [offset 336] : memref<4xf32>
  exec.global @u.v in @optimizer_state [offset 352] : memref<4xf32>
  exec.global @x.v in @optimizer_state [offset 368] : memref<4xf32>
  exec.global @y.v in @optimizer_state [offset 384] : memref<4xf32>
  exec.global @w.g in @gradients [offset 0] : memref<16xf32>
  exec.global @s.g in @gradients [offset 64] : memref<4xf32>
  exec.global @t.g in @gradients [offset 80] : memref<4xf32>
  exec.global @u.g in @gradients [offset 96] : memref<4xf32>
  exec.global @x.g in @gradients [offset 112] : memref<4xf32>
  exec.global @y.g in @gradients [offset 128] : memref<4xf32>
  func.func @optimizer_step() attributes {exec.entry = "optimizer_step"} {
    %lr = exec.alloc in @activations [offset 0] : memref<f32>
    %clip = exec.alloc in @activations [offset 16] : memref<f32>
    %step = exec.alloc in @activations [offset 32] : memref<i64>
    %norm = exec.alloc in @activations [offset 48] : memref<f32>
    %ss = exec.alloc in @activations [offset 64] : memref<f64>
    %w = exec.global_ref @w : memref<16xf32>
    %wm = exec.global_ref @w.m : memref<16xf32>
    %wv = exec.global_ref @w.v : memref<16xf32>
    %wg = exec.global_ref @w.g : memref<16xf32>
    exec.launch "adamw_update"(%w, %wm, %wv, %wg, %lr, %clip, %step) access [readwrite, readwrite, readwrite, read, read, read, read] args [16, 0.9, 0.95, 1.0e-8, 0.1] : memref<16xf32>, memref<16xf32>, memref<16xf32>, memref<16xf32>, memref<f32>, memref<f32>, memref<i64>
    %s = exec.global_ref @s : memref<4xf32>
    %sm = exec.global_ref @s.m : memref<4xf32>
    %sv = exec.global_ref @s.v : memref<4xf32>
    %sg = exec.global_ref @s.g : memref<4xf32>
    exec.launch "adamw_update"(%s, %sm, %sv, %sg, %lr, %clip, %step) access [readwrite, readwrite, readwrite, read, read, read, read] args [4, 0.9, 0.95, 1.0e-8, 0.0] : memref<4xf32>, memref<4xf32>, memref<4xf32>, memref<4xf32>, memref<f32>, memref<f32>, memref<i64>
    %t = exec.global_ref @t : memref<4xf32>
    %tm = exec.global_ref @t.m : memref<4xf32>
    %tv = exec.global_ref @t.v : memref<4xf32>
    %tg = exec.global_ref @t.g : memref<4xf32>
    exec.launch "adamw_update"(%t, %tm, %tv, %tg, %lr, %clip, %step) access [readwrite, readwrite, readwrite, read, read, read, read] args [4, 0.9, 0.95, 1.0e-8, 0.0] : memref<4xf32>, memref<4xf32>, memref<4xf32>, memref<4xf32>, memref<f32>, memref<f32>, memref<i64>
    %u = exec.global_ref @u : memref<4xf32>
    %um = exec.global_ref @u.m : memref<4xf32>
    %uv = exec.global_ref @u.v : memref<4xf32>
    %ug = exec.global_ref @u.g : memref<4xf32>
    exec.launch "adamw_update"(%u, %um, %uv, %ug, %lr, %clip, %step) access [readwrite, readwrite, readwrite, read, read, read, read] args [4, 0.9, 0.95, 1.0e-6, 0.0] : memref<4xf32>, memref<4xf32>, memref<4xf32>, memref<4xf32>, memref<f32>, memref<f32>, memref<i64>
    exec.launch "sqrt_to"(%norm, %ss) access [write, read] : memref<f32>, memref<f64>
    %x = exec.global_ref @x : memref<4xf32>
    %xm = exec.global_ref @x.m : memref<4xf32>
    %xv = exec.global_ref @x.v : memref<4xf32>
    %xg = exec.global_ref @x.g : memref<4xf32>
    exec.launch "adamw_update"(%x, %xm, %xv, %xg, %lr, %clip, %step) access [readwrite, readwrite, readwrite, read, read, read, read] args [4, 0.9, 0.95, 1.0e-8, 0.1] : memref<4xf32>, memref<4xf32>, memref<4xf32>, memref<4xf32>, memref<f32>, memref<f32>, memref<i64>
    %y = exec.global_ref @y : memref<4xf32>
    %ym = exec.global_ref @y.m : memref<4xf32>
    %yv = exec.global_ref @y.v : memref<4xf32>
    %yg = exec.global_ref @y.g : memref<4xf32>
    exec.launch "adamw_update"(%y, %ym, %yv, %yg, %lr, %clip, %step) access [readwrite, readwrite, readwrite, read, read, read, read] args [4, 0.9, 0.95, 1.0e-8, 0.1] : memref<4xf32>, memref<4xf32>, memref<4xf32>, memref<4xf32>, memref<f32>, memref<f32>, memref<i64>
    return
  }
}
