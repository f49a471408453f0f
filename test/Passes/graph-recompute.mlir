// RUN: %ptc-opt %s -split-input-file -graph-autodiff -graph-recompute=policy=none | FileCheck %s --check-prefix=NONE
// RUN: %ptc-opt %s -split-input-file -graph-autodiff -graph-recompute=policy=selective | FileCheck %s --check-prefix=SEL
// RUN: %ptc-opt %s -split-input-file -graph-autodiff -graph-recompute=policy=full | FileCheck %s --check-prefix=FULL
// RUN: %ptc-opt %s -split-input-file -graph-autodiff -graph-recompute | FileCheck %s --check-prefix=SPEC

// Each producer is cloned once per backward unit: CSE finds nothing to merge.
// RUN: %ptc-opt %s -split-input-file -graph-autodiff -graph-recompute=policy=full > %t.full
// RUN: %ptc-opt %t.full -split-input-file > %t.full.a
// RUN: %ptc-opt %t.full -split-input-file -cse > %t.full.b
// RUN: diff %t.full.a %t.full.b
// RUN: %ptc-opt %s -split-input-file -graph-autodiff -graph-recompute=policy=selective > %t.sel
// RUN: %ptc-opt %t.sel -split-input-file > %t.sel.a
// RUN: %ptc-opt %t.sel -split-input-file -cse > %t.sel.b
// RUN: diff %t.sel.a %t.sel.b

// Tests each policy on one transformer block:
// - none: the forward unit yields its output and eight saved values: gelu's
//   output and the reshaped attention output are recomputed (the attention
//   output itself becomes saved), nothing else is;
// - selective: the outputs of the norms and of the matrix products stay
//   saved (the qkv and attention-projection outputs become saved), the
//   attention core, dropout, the residual add and gelu are recomputed;
// - full: the forward unit yields only its output, the backward unit takes
//   only the output gradient and the unit's input and recomputes from it
//   everything its VJPs read (not the last linear, which no VJP reads).

// NONE-LABEL: module @block
// SEL-LABEL: module @block
// FULL-LABEL: module @block
module @block {
  graph.param @ln1.w : tensor<8xf32> norm_scale init #graph.init<ones>
  graph.param @ln1.b : tensor<8xf32> norm_bias init #graph.init<zeros>
  graph.param @qkv.w : tensor<24x8xf32> weight init #graph.init<normal, std = 0.02>
  graph.param @proj.w : tensor<8x8xf32> weight init #graph.init<normal, std = 0.02>
  graph.param @ln2.w : tensor<8xf32> norm_scale init #graph.init<ones>
  graph.param @fc.w : tensor<32x8xf32> weight init #graph.init<normal, std = 0.02>
  graph.param @out.w : tensor<8x32xf32> weight init #graph.init<normal, std = 0.02>
  func.func @forward(%x: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
    %y = graph.layer block 0 (%h = %x : tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
      %w1 = graph.param_ref @ln1.w : tensor<8xf32>
      %b1 = graph.param_ref @ln1.b : tensor<8xf32>
      %n = graph.layer_norm %h, %w1, %b1 : tensor<1x4x8xf32>, tensor<8xf32>, tensor<8xf32>
      %wqkv = graph.param_ref @qkv.w : tensor<24x8xf32>
      %qkv = graph.linear %n, %wqkv : (tensor<1x4x8xf32>, tensor<24x8xf32>) -> tensor<1x4x24xf32>
      %q, %k, %v = graph.split %qkv {axis = 2 : i64} : tensor<1x4x24xf32> -> tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>
      %q4 = graph.reshape %q : tensor<1x4x8xf32> to tensor<1x2x4x4xf32>
      %k4 = graph.reshape %k : tensor<1x4x8xf32> to tensor<1x2x4x4xf32>
      %v4 = graph.reshape %v : tensor<1x4x8xf32> to tensor<1x2x4x4xf32>
      %o = graph.attention %q4, %k4, %v4 {causal} : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
      %o3 = graph.reshape %o : tensor<1x2x4x4xf32> to tensor<1x4x8xf32>
      %wp = graph.param_ref @proj.w : tensor<8x8xf32>
      %a = graph.linear %o3, %wp : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
      %d = graph.dropout %a {p = 0.1 : f64, stream = 7 : i64} : tensor<1x4x8xf32>
      %r = graph.add %h, %d : tensor<1x4x8xf32>, tensor<1x4x8xf32>
      %w2 = graph.param_ref @ln2.w : tensor<8xf32>
      %n2 = graph.rms_norm %r, %w2 : tensor<1x4x8xf32>, tensor<8xf32>
      %wfc = graph.param_ref @fc.w : tensor<32x8xf32>
      %f = graph.linear %n2, %wfc : (tensor<1x4x8xf32>, tensor<32x8xf32>) -> tensor<1x4x32xf32>
      %g = graph.gelu %f tanh : tensor<1x4x32xf32>
      %wo = graph.param_ref @out.w : tensor<8x32xf32>
      %m = graph.linear %g, %wo : (tensor<1x4x32xf32>, tensor<8x32xf32>) -> tensor<1x4x8xf32>
      %out = graph.add %r, %m : tensor<1x4x8xf32>, tensor<1x4x8xf32>
      graph.yield %out : tensor<1x4x8xf32>
    }
    return %y : tensor<1x4x8xf32>
  }

  // NONE-LABEL: func.func @train_step
  // NONE-SAME: (%[[X:[^:]*]]: tensor<1x4x8xf32>, %[[DY:[^:]*]]: tensor<1x4x8xf32> {ptc.cotangent = 0 : i64})
  // NONE: %[[F:.*]]:9 = graph.layer block 0
  // NONE: %[[FC:.*]] = graph.linear %{{.*}}, %{{.*}} : (tensor<1x4x8xf32>, tensor<32x8xf32>)
  // NONE: graph.gelu %[[FC]] tanh :
  // NONE: graph.yield %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[FC]], %{{.*}} :
  // NONE: graph.layer block_backward 0 (%{{.*}} = %[[DY]] : {{.*}}, %{{.*}} = %[[X]] : {{.*}}, %{{.*}} = %[[F]]#1 : {{.*}}, %{{.*}} = %[[F]]#2 : {{.*}}, %{{.*}} = %[[F]]#3 : {{.*}}, %{{.*}} = %[[F]]#4 : {{.*}}, %{{.*}} = %[[F]]#5 : {{.*}}, %{{.*}} = %[[F]]#6 : {{.*}}, %{{.*}} = %[[F]]#7 : {{.*}}, %{{.*}} = %[[F]]#8 : {{.*}})
  // NONE: graph.reshape %{{.*}} {ptc.recompute}
  // NONE: graph.gelu %{{.*}} tanh {ptc.recompute}
  // NONE-NOT: ptc.recompute

  // SEL-LABEL: func.func @train_step
  // SEL-SAME: (%[[X:[^:]*]]: tensor<1x4x8xf32>, %[[DY:[^:]*]]: tensor<1x4x8xf32> {ptc.cotangent = 0 : i64})
  // SEL: %[[F:.*]]:6 = graph.layer block 0
  // SEL: %[[N1:.*]] = graph.layer_norm
  // SEL: %[[QKV:.*]] = graph.linear %[[N1]]
  // SEL: %[[PROJ:.*]] = graph.linear
  // SEL: %[[N2:.*]] = graph.rms_norm
  // SEL: %[[FC:.*]] = graph.linear %[[N2]]
  // SEL: %[[OUT:.*]] = graph.add
  // SEL: graph.yield %[[OUT]], %[[N1]], %[[N2]], %[[FC]], %[[PROJ]], %[[QKV]] :
  // SEL: graph.layer block_backward 0 (%[[BDY:[^ ]*]] = %[[DY]] : {{.*}}, %[[BX:[^ ]*]] = %[[X]] : {{.*}}, %[[BN1:[^ ]*]] = %[[F]]#1 : {{.*}}, %[[BN2:[^ ]*]] = %[[F]]#2 : {{.*}}, %[[BFC:[^ ]*]] = %[[F]]#3 : {{.*}}, %[[BPROJ:[^ ]*]] = %[[F]]#4 : {{.*}}, %[[BQKV:[^ ]*]] = %[[F]]#5 : {{.*}})
  // SEL-NEXT: %[[S:.*]]:3 = graph.split %[[BQKV]] {axis = 2 : i64, ptc.recompute}
  // SEL-NEXT: %[[Q:.*]] = graph.reshape %[[S]]#0 {ptc.recompute}
  // SEL-NEXT: %[[K:.*]] = graph.reshape %[[S]]#1 {ptc.recompute}
  // SEL-NEXT: %[[V:.*]] = graph.reshape %[[S]]#2 {ptc.recompute}
  // SEL-NEXT: %[[O:.*]] = graph.attention %[[Q]], %[[K]], %[[V]] {causal, ptc.recompute}
  // SEL-NEXT: %[[O3:.*]] = graph.reshape %[[O]] {ptc.recompute}
  // SEL-NEXT: %[[D:.*]] = graph.dropout %[[BPROJ]] {p = 1.000000e-01 : f64, ptc.recompute, stream = 7 : i64}
  // SEL-NEXT: %[[R:.*]] = graph.add %[[BX]], %[[D]] {ptc.recompute}
  // SEL-NEXT: %[[G:.*]] = graph.gelu %[[BFC]] tanh {ptc.recompute}
  // SEL-NEXT: graph.param_ref @ln1.w
  // SEL-NOT: ptc.recompute
  // SEL-NOT: graph.linear
  // SEL: graph.reshape %[[G]]
  // SEL: graph.rms_norm_grad %{{.*}}, %[[R]],
  // SEL: graph.reshape %[[O3]]
  // SEL: graph.attention_grad %{{.*}}, %[[Q]], %[[K]], %[[V]]
  // SEL: graph.reshape %[[BN1]]
  // SEL: graph.layer_norm_grad %{{.*}}, %[[BX]],

  // FULL-LABEL: func.func @train_step
  // FULL-SAME: (%[[X:[^:]*]]: tensor<1x4x8xf32>, %[[DY:[^:]*]]: tensor<1x4x8xf32> {ptc.cotangent = 0 : i64})
  // FULL: %[[F:.*]] = graph.layer block 0 (%{{.*}} = %[[X]] : tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  // FULL: graph.yield %{{.*}} : tensor<1x4x8xf32>
  // FULL-NEXT: }
  // FULL-NEXT: %[[B:.*]]:8 = graph.layer block_backward 0 (%[[BDY:[^ ]*]] = %[[DY]] : tensor<1x4x8xf32>, %[[BX:[^ ]*]] = %[[X]] : tensor<1x4x8xf32>) -> (
  // FULL-NEXT: %[[W1:.*]] = graph.param_ref @ln1.w
  // FULL-NEXT: %[[B1:.*]] = graph.param_ref @ln1.b
  // FULL-NEXT: %[[N1:.*]] = graph.layer_norm %[[BX]], %[[W1]], %[[B1]] {ptc.recompute}
  // FULL-NEXT: %[[WQKV:.*]] = graph.param_ref @qkv.w
  // FULL-NEXT: %[[QKV:.*]] = graph.linear %[[N1]], %[[WQKV]] {ptc.recompute}
  // FULL-NEXT: graph.split %[[QKV]] {axis = 2 : i64, ptc.recompute}
  // FULL-NEXT: graph.reshape {{.*}} {ptc.recompute}
  // FULL-NEXT: graph.reshape {{.*}} {ptc.recompute}
  // FULL-NEXT: graph.reshape {{.*}} {ptc.recompute}
  // FULL-NEXT: graph.attention {{.*}} {causal, ptc.recompute}
  // FULL-NEXT: graph.reshape {{.*}} {ptc.recompute}
  // FULL-NEXT: graph.param_ref @proj.w
  // FULL-NEXT: graph.linear {{.*}} {ptc.recompute}
  // FULL-NEXT: graph.dropout {{.*}} ptc.recompute, stream = 7 : i64}
  // FULL-NEXT: %[[R:.*]] = graph.add %[[BX]], %{{.*}} {ptc.recompute}
  // FULL-NEXT: %[[W2:.*]] = graph.param_ref @ln2.w
  // FULL-NEXT: %[[N2:.*]] = graph.rms_norm %[[R]], %[[W2]] {ptc.recompute}
  // FULL-NEXT: graph.param_ref @fc.w
  // FULL-NEXT: %[[FC:.*]] = graph.linear %[[N2]], %{{.*}} {ptc.recompute}
  // FULL-NEXT: graph.gelu %[[FC]] tanh {ptc.recompute}
  // FULL-NEXT: graph.param_ref @out.w
  // FULL-NOT: ptc.recompute
  // FULL-NOT: graph.param_ref
  // FULL: graph.rms_norm_grad %{{.*}}, %[[R]], %[[W2]]
  // FULL: graph.layer_norm_grad %{{.*}}, %[[BX]], %[[W1]]
  // FULL: return %[[F]], %[[B]]#0
}

// -----

// Tests that without the option the policy comes from the module's
// ptc.parallel.recompute (here selective), and that the embedding and head
// units, whose saved values are all norm and matmul outputs, keep them.

// SPEC-LABEL: module @spec_default
module @spec_default attributes {ptc.parallel = #dist.parallel<recompute = selective, tp = 1>} {
  graph.param @wte : tensor<11x8xf32> token_embedding init #graph.init<normal, std = 0.02>
  graph.param @w : tensor<32x8xf32> weight init #graph.init<normal, std = 0.02>
  graph.param @g : tensor<8xf32> norm_scale init #graph.init<ones>
  func.func @forward(%ids: tensor<1x4xi32>, %targets: tensor<1x4xi32>) -> tensor<f32> {
    %x = graph.layer embedding 0 (%i = %ids : tensor<1x4xi32>) -> tensor<1x4x8xf32> {
      %wte = graph.param_ref @wte : tensor<11x8xf32>
      %e = graph.embedding %wte[%i] : (tensor<11x8xf32>, tensor<1x4xi32>) -> tensor<1x4x8xf32>
      graph.yield %e : tensor<1x4x8xf32>
    }
    %y = graph.layer block 0 (%h = %x : tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
      %w = graph.param_ref @w : tensor<32x8xf32>
      %f = graph.linear %h, %w : (tensor<1x4x8xf32>, tensor<32x8xf32>) -> tensor<1x4x32xf32>
      %a = graph.silu %f : tensor<1x4x32xf32>
      %s:2 = graph.split %a {axis = 2 : i64} : tensor<1x4x32xf32> -> tensor<1x4x8xf32>, tensor<1x4x24xf32>
      %m = graph.mul %s#0, %h : tensor<1x4x8xf32>, tensor<1x4x8xf32>
      graph.yield %m : tensor<1x4x8xf32>
    }
    %l = graph.layer head 0 (%h = %y : tensor<1x4x8xf32>, %t = %targets : tensor<1x4xi32>) -> tensor<f32> {
      %g = graph.param_ref @g : tensor<8xf32>
      %n = graph.rms_norm %h, %g : tensor<1x4x8xf32>, tensor<8xf32>
      %wte = graph.param_ref @wte : tensor<11x8xf32>
      %logits = graph.linear %n, %wte : (tensor<1x4x8xf32>, tensor<11x8xf32>) -> tensor<1x4x11xf32>
      %loss = graph.cross_entropy %logits, %t {num_classes = 11 : i64} : (tensor<1x4x11xf32>, tensor<1x4xi32>) -> tensor<f32>
      graph.yield %loss : tensor<f32>
    }
    return %l : tensor<f32>
  }
  // SPEC-LABEL: func.func @train_step
  // SPEC: graph.layer embedding 0 {{.*}} -> tensor<1x4x8xf32>
  // SPEC: %[[F:.*]]:2 = graph.layer block 0 {{.*}} -> (tensor<1x4x8xf32>, tensor<1x4x32xf32>)
  // SPEC: %[[FC:.*]] = graph.linear
  // SPEC: graph.yield %{{.*}}, %[[FC]] :
  // SPEC: %[[H:.*]]:3 = graph.layer head 0
  // SPEC: graph.yield %{{.*}}, %{{.*}}, %{{.*}} : tensor<f32>, tensor<1x4x8xf32>, tensor<1x4x11xf32>
  // SPEC: graph.layer head_backward 0 ({{.*}} = %[[H]]#1 : tensor<1x4x8xf32>, {{.*}} = %[[H]]#2 : tensor<1x4x11xf32>)
  // SPEC-NOT: ptc.recompute
  // SPEC: graph.layer block_backward 0 ({{.*}}, %[[BFC:[^ ]*]] = %[[F]]#1 : tensor<1x4x32xf32>)
  // SPEC-NEXT: %[[A:.*]] = graph.silu %[[BFC]] {ptc.recompute}
  // SPEC-NEXT: graph.split %[[A]] {axis = 2 : i64, ptc.recompute}
  // SPEC-NOT: ptc.recompute
  // SPEC: graph.layer embedding_backward 0
}
