// RUN: %ptc-opt %s -graph-autodiff -split-input-file | FileCheck %s

// Tests that the embeddings get embedding_grad and position_embedding_grad,
// that the broadcast rhs of graph.add is summed over the missing leading
// dimension, and that a non-scalar result gets a cotangent argument.

// CHECK-LABEL: module @embeddings
module @embeddings {
  graph.param @wte : tensor<11x8xf32> token_embedding init #graph.init<normal, std = 0.02>
  graph.param @wpe : tensor<6x8xf32> position_embedding init #graph.init<normal, std = 0.02>
  // CHECK: func.func @forward
  func.func @forward(%ids: tensor<2x5xi32>) -> tensor<2x5x8xf32> {
    %wte = graph.param_ref @wte : tensor<11x8xf32>
    %x = graph.embedding %wte[%ids] : (tensor<11x8xf32>, tensor<2x5xi32>) -> tensor<2x5x8xf32>
    %wpe = graph.param_ref @wpe : tensor<6x8xf32>
    %p = graph.position_embedding %wpe : tensor<6x8xf32> -> tensor<5x8xf32>
    %y = graph.add %x, %p : tensor<2x5x8xf32>, tensor<5x8xf32>
    return %y : tensor<2x5x8xf32>
  }
  // CHECK-LABEL: func.func @train_step
  // CHECK-SAME: (%[[IDS:.*]]: tensor<2x5xi32>, %[[DY:.*]]: tensor<2x5x8xf32> {ptc.cotangent = 0 : i64})
  // CHECK-SAME: -> (tensor<2x5x8xf32>, tensor<11x8xf32>, tensor<6x8xf32>)
  // CHECK-SAME: ptc.gradients = [@wte, @wpe], ptc.input_gradients = array<i64>
  // CHECK: %[[Y:.*]] = graph.add
  // CHECK: %[[DP:.*]] = graph.reduce_sum %[[DY]] [0] : tensor<2x5x8xf32> -> tensor<5x8xf32>
  // CHECK: %[[DWPE:.*]] = graph.position_embedding_grad %[[DP]] : tensor<5x8xf32> -> tensor<6x8xf32>
  // CHECK: %[[DWTE:.*]] = graph.embedding_grad %[[DY]], %[[IDS]]
  // CHECK: return %[[Y]], %[[DWTE]], %[[DWPE]]
}

// -----

// Tests that layer_norm (with and without bias) and rms_norm get their
// gradient ops, and that float arguments get gradients
// (ptc.input_gradients).

// CHECK-LABEL: module @norms
module @norms {
  graph.param @g : tensor<8xf32> norm_scale init #graph.init<ones>
  graph.param @b : tensor<8xf32> norm_bias init #graph.init<zeros>
  graph.param @g2 : tensor<8xf32> norm_scale init #graph.init<ones>
  graph.param @g3 : tensor<8xf32> norm_scale init #graph.init<ones>
  func.func @forward(%x: tensor<2x5x8xf32>) -> tensor<2x5x8xf32> {
    %g = graph.param_ref @g : tensor<8xf32>
    %b = graph.param_ref @b : tensor<8xf32>
    %y = graph.layer_norm %x, %g, %b {epsilon = 1.0e-6 : f64} : tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>
    %g2 = graph.param_ref @g2 : tensor<8xf32>
    %z = graph.layer_norm %y, %g2 : tensor<2x5x8xf32>, tensor<8xf32>
    %g3 = graph.param_ref @g3 : tensor<8xf32>
    %r = graph.rms_norm %z, %g3 : tensor<2x5x8xf32>, tensor<8xf32>
    return %r : tensor<2x5x8xf32>
  }
  // CHECK-LABEL: func.func @train_step
  // CHECK-SAME: (%[[X:.*]]: tensor<2x5x8xf32>, %[[DR:.*]]: tensor<2x5x8xf32> {ptc.cotangent = 0 : i64})
  // CHECK-SAME: ptc.gradients = [@g, @b, @g2, @g3], ptc.input_gradients = array<i64: 0>
  // CHECK: %[[G:.*]] = graph.param_ref @g :
  // CHECK: %[[Y:.*]] = graph.layer_norm %[[X]]
  // CHECK: %[[G2:.*]] = graph.param_ref @g2
  // CHECK: %[[Z:.*]] = graph.layer_norm %[[Y]]
  // CHECK: %[[G3:.*]] = graph.param_ref @g3
  // CHECK: %[[R:.*]] = graph.rms_norm %[[Z]]
  // CHECK: %[[DZ:.*]], %[[DG3:.*]] = graph.rms_norm_grad %[[DR]], %[[Z]], %[[G3]] : tensor<2x5x8xf32>, tensor<8xf32>{{$}}
  // CHECK: %[[DY:.*]], %[[DG2:.*]] = graph.layer_norm_grad %[[DZ]], %[[Y]], %[[G2]] : tensor<2x5x8xf32>, tensor<8xf32> -> tensor<2x5x8xf32>, tensor<8xf32>{{$}}
  // CHECK: %[[DX:.*]], %[[DG:.*]], %[[DB:.*]] = graph.layer_norm_grad %[[DY]], %[[X]], %[[G]] {epsilon = 9.9999999999999995E-7 : f64} : tensor<2x5x8xf32>, tensor<8xf32> -> tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>
  // CHECK: return %[[R]], %[[DX]], %[[DG]], %[[DB]], %[[DG2]], %[[DG3]]
}

// -----

// Tests that graph.linear with a bias on a 3-D input flattens the leading
// dimensions (dx = dy W, dW = dyᵀ x, db = sum of dy), and that a 2-D input
// without bias needs no reshape.

// CHECK-LABEL: module @linear
module @linear {
  graph.param @w : tensor<6x8xf32> weight init #graph.init<normal, std = 0.02>
  graph.param @b : tensor<6xf32> bias init #graph.init<zeros>
  graph.param @w2 : tensor<3x6xf32> weight init #graph.init<normal, std = 0.02>
  func.func @forward(%x: tensor<2x5x8xf32>, %u: tensor<10x6xf32>) -> (tensor<2x5x6xf32>, tensor<10x3xf32>) {
    %w = graph.param_ref @w : tensor<6x8xf32>
    %b = graph.param_ref @b : tensor<6xf32>
    %y = graph.linear %x, %w, %b : (tensor<2x5x8xf32>, tensor<6x8xf32>, tensor<6xf32>) -> tensor<2x5x6xf32>
    %w2 = graph.param_ref @w2 : tensor<3x6xf32>
    %v = graph.linear %u, %w2 : (tensor<10x6xf32>, tensor<3x6xf32>) -> tensor<10x3xf32>
    return %y, %v : tensor<2x5x6xf32>, tensor<10x3xf32>
  }
  // CHECK-LABEL: func.func @train_step
  // CHECK-SAME: (%[[X:[^:]*]]: tensor<2x5x8xf32>, %[[U:[^:]*]]: tensor<10x6xf32>,
  // CHECK-SAME: %[[DY:[^:]*]]: tensor<2x5x6xf32> {ptc.cotangent = 0 : i64}, %[[DV:[^:]*]]: tensor<10x3xf32> {ptc.cotangent = 1 : i64})
  // CHECK: %[[W:.*]] = graph.param_ref @w :
  // CHECK: %[[W2:.*]] = graph.param_ref @w2 :
  // CHECK-NOT: graph.reshape %[[DV]]
  // CHECK: %[[DU:.*]] = graph.matmul %[[DV]], %[[W2]] : (tensor<10x3xf32>, tensor<3x6xf32>) -> tensor<10x6xf32>
  // CHECK: %[[DW2:.*]] = graph.matmul %[[DV]], %[[U]] {transpose_lhs} : (tensor<10x3xf32>, tensor<10x6xf32>) -> tensor<3x6xf32>
  // CHECK: %[[DY2:.*]] = graph.reshape %[[DY]] : tensor<2x5x6xf32> to tensor<10x6xf32>
  // CHECK: %[[X2:.*]] = graph.reshape %[[X]] : tensor<2x5x8xf32> to tensor<10x8xf32>
  // CHECK: %[[DX2:.*]] = graph.matmul %[[DY2]], %[[W]] : (tensor<10x6xf32>, tensor<6x8xf32>) -> tensor<10x8xf32>
  // CHECK: %[[DX:.*]] = graph.reshape %[[DX2]] : tensor<10x8xf32> to tensor<2x5x8xf32>
  // CHECK: %[[DW:.*]] = graph.matmul %[[DY2]], %[[X2]] {transpose_lhs} : (tensor<10x6xf32>, tensor<10x8xf32>) -> tensor<6x8xf32>
  // CHECK: %[[DB:.*]] = graph.reduce_sum %[[DY]] [0, 1] : tensor<2x5x6xf32> -> tensor<6xf32>
  // CHECK: return %{{.*}}, %{{.*}}, %[[DX]], %[[DU]], %[[DW]], %[[DB]], %[[DW2]]
}

// -----

// Tests the VJP of graph.matmul without transposes: dA = dC Bᵀ, dB = Aᵀ dC.

// CHECK-LABEL: module @matmul_nn
module @matmul_nn {
  func.func @forward(%a: tensor<3x4x5xf32>, %b: tensor<3x5x6xf32>) -> tensor<3x4x6xf32> {
    %c = graph.matmul %a, %b : (tensor<3x4x5xf32>, tensor<3x5x6xf32>) -> tensor<3x4x6xf32>
    return %c : tensor<3x4x6xf32>
  }
  // CHECK-LABEL: func.func @train_step
  // CHECK-SAME: (%[[A:[^:]*]]: {{.*}}, %[[B:[^:]*]]: {{.*}}, %[[DC:[^:]*]]: {{.*}} {ptc.cotangent = 0 : i64})
  // CHECK: %[[DA:.*]] = graph.matmul %[[DC]], %[[B]] {transpose_rhs} : (tensor<3x4x6xf32>, tensor<3x5x6xf32>) -> tensor<3x4x5xf32>
  // CHECK: %[[DB:.*]] = graph.matmul %[[A]], %[[DC]] {transpose_lhs} : (tensor<3x4x5xf32>, tensor<3x4x6xf32>) -> tensor<3x5x6xf32>
  // CHECK: return %{{.*}}, %[[DA]], %[[DB]]
}

// -----

// Tests the VJP of graph.matmul with transpose_lhs (C = Aᵀ B): dA = B dCᵀ,
// dB = A dC.

// CHECK-LABEL: module @matmul_tn
module @matmul_tn {
  func.func @forward(%a: tensor<5x4xf32>, %b: tensor<5x6xf32>) -> tensor<4x6xf32> {
    %c = graph.matmul %a, %b {transpose_lhs} : (tensor<5x4xf32>, tensor<5x6xf32>) -> tensor<4x6xf32>
    return %c : tensor<4x6xf32>
  }
  // CHECK-LABEL: func.func @train_step
  // CHECK-SAME: (%[[A:[^:]*]]: {{.*}}, %[[B:[^:]*]]: {{.*}}, %[[DC:[^:]*]]: {{.*}} {ptc.cotangent = 0 : i64})
  // CHECK: %[[DA:.*]] = graph.matmul %[[B]], %[[DC]] {transpose_rhs} : (tensor<5x6xf32>, tensor<4x6xf32>) -> tensor<5x4xf32>
  // CHECK: %[[DB:.*]] = graph.matmul %[[A]], %[[DC]] : (tensor<5x4xf32>, tensor<4x6xf32>) -> tensor<5x6xf32>
  // CHECK: return %{{.*}}, %[[DA]], %[[DB]]
}

// -----

// Tests the VJP of graph.matmul with transpose_rhs (C = A Bᵀ): dA = dC B,
// dB = dCᵀ A.

// CHECK-LABEL: module @matmul_nt
module @matmul_nt {
  func.func @forward(%a: tensor<4x5xf32>, %b: tensor<6x5xf32>) -> tensor<4x6xf32> {
    %c = graph.matmul %a, %b {transpose_rhs} : (tensor<4x5xf32>, tensor<6x5xf32>) -> tensor<4x6xf32>
    return %c : tensor<4x6xf32>
  }
  // CHECK-LABEL: func.func @train_step
  // CHECK-SAME: (%[[A:[^:]*]]: {{.*}}, %[[B:[^:]*]]: {{.*}}, %[[DC:[^:]*]]: {{.*}} {ptc.cotangent = 0 : i64})
  // CHECK: %[[DA:.*]] = graph.matmul %[[DC]], %[[B]] : (tensor<4x6xf32>, tensor<6x5xf32>) -> tensor<4x5xf32>
  // CHECK: %[[DB:.*]] = graph.matmul %[[DC]], %[[A]] {transpose_lhs} : (tensor<4x6xf32>, tensor<4x5xf32>) -> tensor<6x5xf32>
  // CHECK: return %{{.*}}, %[[DA]], %[[DB]]
}

// -----

// Tests the VJP of graph.matmul with both transposes (C = Aᵀ Bᵀ):
// dA = Bᵀ dCᵀ, dB = dCᵀ Aᵀ.

// CHECK-LABEL: module @matmul_tt
module @matmul_tt {
  func.func @forward(%a: tensor<5x4xf32>, %b: tensor<6x5xf32>) -> tensor<4x6xf32> {
    %c = graph.matmul %a, %b {transpose_lhs, transpose_rhs} : (tensor<5x4xf32>, tensor<6x5xf32>) -> tensor<4x6xf32>
    return %c : tensor<4x6xf32>
  }
  // CHECK-LABEL: func.func @train_step
  // CHECK-SAME: (%[[A:[^:]*]]: {{.*}}, %[[B:[^:]*]]: {{.*}}, %[[DC:[^:]*]]: {{.*}} {ptc.cotangent = 0 : i64})
  // CHECK: %[[DA:.*]] = graph.matmul %[[B]], %[[DC]] {transpose_lhs, transpose_rhs} : (tensor<6x5xf32>, tensor<4x6xf32>) -> tensor<5x4xf32>
  // CHECK: %[[DB:.*]] = graph.matmul %[[DC]], %[[A]] {transpose_lhs, transpose_rhs} : (tensor<4x6xf32>, tensor<5x4xf32>) -> tensor<6x5xf32>
  // CHECK: return %{{.*}}, %[[DA]], %[[DB]]
}

// -----

// Tests that graph.attention gets graph.attention_grad with its attributes,
// for grouped-query attention too (dK and dV have the key/value type), and
// that graph.rope gets graph.rope_grad.

// CHECK-LABEL: module @attention
module @attention {
  func.func @forward(%q: tensor<2x4x5x2xf32>, %k: tensor<2x2x5x2xf32>, %v: tensor<2x2x5x2xf32>) -> tensor<2x4x5x2xf32> {
    %qr = graph.rope %q {theta = 5.0e5 : f64} : tensor<2x4x5x2xf32>
    %o = graph.attention %qr, %k, %v {causal, scale = 0.5 : f64, dropout = 0.1 : f64} : tensor<2x4x5x2xf32>, tensor<2x2x5x2xf32>, tensor<2x2x5x2xf32>
    return %o : tensor<2x4x5x2xf32>
  }
  // CHECK-LABEL: func.func @train_step
  // CHECK-SAME: (%[[Q:[^:]*]]: {{.*}}, %[[K:[^:]*]]: {{.*}}, %[[V:[^:]*]]: {{.*}}, %[[DO:[^:]*]]: {{.*}} {ptc.cotangent = 0 : i64})
  // CHECK: %[[QR:.*]] = graph.rope %[[Q]]
  // CHECK: %[[DQR:.*]], %[[DK:.*]], %[[DV:.*]] = graph.attention_grad %[[DO]], %[[QR]], %[[K]], %[[V]] {causal, dropout = 1.000000e-01 : f64, scale = 5.000000e-01 : f64} : tensor<2x4x5x2xf32>, tensor<2x2x5x2xf32>, tensor<2x2x5x2xf32>
  // CHECK: %[[DQ:.*]] = graph.rope_grad %[[DQR]] {theta = 5.000000e+05 : f64} : tensor<2x4x5x2xf32>
  // CHECK: return %{{.*}}, %[[DQ]], %[[DK]], %[[DV]]
}

// -----

// Tests graph.add and graph.mul with same-shape and broadcast operands: the
// gradient of a broadcast rhs is summed over the leading dimensions.

// CHECK-LABEL: module @add_mul
module @add_mul {
  func.func @forward(%a: tensor<2x5x8xf32>, %b: tensor<2x5x8xf32>, %c: tensor<8xf32>, %d: tensor<5x8xf32>) -> tensor<2x5x8xf32> {
    %s = graph.add %a, %b : tensor<2x5x8xf32>, tensor<2x5x8xf32>
    %t = graph.add %s, %c : tensor<2x5x8xf32>, tensor<8xf32>
    %m = graph.mul %t, %a : tensor<2x5x8xf32>, tensor<2x5x8xf32>
    %n = graph.mul %m, %d : tensor<2x5x8xf32>, tensor<5x8xf32>
    return %n : tensor<2x5x8xf32>
  }
  // CHECK-LABEL: func.func @train_step
  // CHECK-SAME: (%[[A:[^:]*]]: {{.*}}, %[[B:[^:]*]]: {{.*}}, %[[C:[^:]*]]: {{.*}}, %[[D:[^:]*]]: {{.*}}, %[[DN:[^:]*]]: {{.*}} {ptc.cotangent = 0 : i64})
  // CHECK: %[[T:.*]] = graph.add %{{.*}}, %[[C]]
  // CHECK: %[[M:.*]] = graph.mul %[[T]], %[[A]]
  // CHECK: %[[DM:.*]] = graph.mul %[[DN]], %[[D]] : tensor<2x5x8xf32>, tensor<5x8xf32>
  // CHECK: %[[MDN:.*]] = graph.mul %[[DN]], %[[M]] : tensor<2x5x8xf32>, tensor<2x5x8xf32>
  // CHECK: %[[DD:.*]] = graph.reduce_sum %[[MDN]] [0] : tensor<2x5x8xf32> -> tensor<5x8xf32>
  // CHECK: %[[DT:.*]] = graph.mul %[[DM]], %[[A]]
  // CHECK: %[[DA1:.*]] = graph.mul %[[DM]], %[[T]]
  // CHECK: %[[DC:.*]] = graph.reduce_sum %[[DT]] [0, 1] : tensor<2x5x8xf32> -> tensor<8xf32>
  // CHECK: %[[DA:.*]] = graph.add %[[DA1]], %[[DT]]
  // CHECK: return %{{.*}}, %[[DA]], %[[DT]], %[[DC]], %[[DD]]
}

// -----

// Tests the activations and dropout: gelu (erf and tanh), silu and swiglu
// read their inputs, dropout regenerates its mask (p and stream), cast
// casts the gradient back.

// CHECK-LABEL: module @activations
module @activations {
  func.func @forward(%x: tensor<2x5x8xf32>, %u: tensor<2x5x8xf32>) -> tensor<2x5x8xbf16> {
    %a = graph.gelu %x erf : tensor<2x5x8xf32>
    %b = graph.gelu %a tanh : tensor<2x5x8xf32>
    %c = graph.silu %b : tensor<2x5x8xf32>
    %d = graph.swiglu %c, %u : tensor<2x5x8xf32>
    %e = graph.dropout %d {p = 0.1 : f64, stream = 3 : i64} : tensor<2x5x8xf32>
    %f = graph.cast %e : tensor<2x5x8xf32> to tensor<2x5x8xbf16>
    return %f : tensor<2x5x8xbf16>
  }
  // CHECK-LABEL: func.func @train_step
  // CHECK-SAME: (%[[X:[^:]*]]: {{.*}}, %[[U:[^:]*]]: {{.*}}, %[[DF:[^:]*]]: tensor<2x5x8xbf16> {ptc.cotangent = 0 : i64})
  // CHECK: %[[A:.*]] = graph.gelu %[[X]] erf
  // CHECK: %[[B:.*]] = graph.gelu %[[A]] tanh
  // CHECK: %[[C:.*]] = graph.silu %[[B]]
  // CHECK: %[[DE:.*]] = graph.cast %[[DF]] : tensor<2x5x8xbf16> to tensor<2x5x8xf32>
  // CHECK: %[[DD:.*]] = graph.dropout_grad %[[DE]] {p = 1.000000e-01 : f64, stream = 3 : i64}
  // CHECK: %[[DC:.*]], %[[DU:.*]] = graph.swiglu_grad %[[DD]], %[[C]], %[[U]]
  // CHECK: %[[DB:.*]] = graph.silu_grad %[[DC]], %[[B]]
  // CHECK: %[[DA:.*]] = graph.gelu_grad %[[DB]], %[[A]] tanh
  // CHECK: %[[DX:.*]] = graph.gelu_grad %[[DA]], %[[X]] erf
  // CHECK: return %{{.*}}, %[[DX]], %[[DU]]
}

// -----

// Tests the shape ops: reshape reshapes back, transpose applies the inverse
// permutation, split concatenates the pieces' gradients with zeros for a
// piece nothing reads.

// CHECK-LABEL: module @shapes
module @shapes {
  func.func @forward(%x: tensor<2x5x12xf32>) -> tensor<2x2x3x5xf32> {
    %p:3 = graph.split %x {axis = 2 : i64} : tensor<2x5x12xf32> -> tensor<2x5x6xf32>, tensor<2x5x4xf32>, tensor<2x5x2xf32>
    %r = graph.reshape %p#0 : tensor<2x5x6xf32> to tensor<2x5x2x3xf32>
    %t = graph.transpose %r [0, 2, 3, 1] : tensor<2x5x2x3xf32> to tensor<2x2x3x5xf32>
    %u = graph.reshape %p#2 : tensor<2x5x2xf32> to tensor<2x10xf32>
    return %t : tensor<2x2x3x5xf32>
  }
  // CHECK-LABEL: func.func @train_step
  // CHECK-SAME: (%[[X:[^:]*]]: {{.*}}, %[[DT:[^:]*]]: {{.*}} {ptc.cotangent = 0 : i64})
  // CHECK: %[[DR:.*]] = graph.transpose %[[DT]] [0, 3, 1, 2] : tensor<2x2x3x5xf32> to tensor<2x5x2x3xf32>
  // CHECK: %[[DP0:.*]] = graph.reshape %[[DR]] : tensor<2x5x2x3xf32> to tensor<2x5x6xf32>
  // CHECK: %[[Z1:.*]] = graph.zeros : tensor<2x5x4xf32>
  // CHECK: %[[Z2:.*]] = graph.zeros : tensor<2x5x2xf32>
  // CHECK: %[[DX:.*]] = graph.concat %[[DP0]], %[[Z1]], %[[Z2]] {axis = 2 : i64}
  // CHECK: return %{{.*}}, %[[DX]]
}

// -----

// Tests that a scalar loss is seeded with 1.0 and that cross_entropy gets
// cross_entropy_grad; the integer targets get no gradient.

// CHECK-LABEL: module @loss
module @loss {
  func.func @forward(%logits: tensor<2x5x16xf32>, %targets: tensor<2x5xi32>) -> tensor<f32> {
    %l = graph.cross_entropy %logits, %targets {num_classes = 11 : i64} : (tensor<2x5x16xf32>, tensor<2x5xi32>) -> tensor<f32>
    return %l : tensor<f32>
  }
  // CHECK-LABEL: func.func @train_step
  // CHECK-SAME: (%[[LOGITS:[^:]*]]: tensor<2x5x16xf32>, %[[T:[^:]*]]: tensor<2x5xi32>) -> (tensor<f32>, tensor<2x5x16xf32>)
  // CHECK-SAME: ptc.input_gradients = array<i64: 0>
  // CHECK: %[[L:.*]] = graph.cross_entropy
  // CHECK: %[[ONE:.*]] = graph.fill 1.000000e+00 : tensor<f32>
  // CHECK: %[[DL:.*]] = graph.cross_entropy_grad %[[ONE]], %[[LOGITS]], %[[T]] {num_classes = 11 : i64}
  // CHECK: return %[[L]], %[[DL]]
}

// -----

// Tests a whole transformer block in a layer unit: the forward unit yields,
// after its output, the values the backward reads (saved), and the
// block_backward unit takes the output gradient, the unit's input and the
// saved values, re-reads the parameters and yields the input gradient and
// one gradient per parameter.

// CHECK-LABEL: module @block
module @block {
  graph.param @ln.w : tensor<8xf32> norm_scale init #graph.init<ones>
  graph.param @qkv.w : tensor<24x8xf32> weight init #graph.init<normal, std = 0.02>
  graph.param @proj.w : tensor<8x8xf32> weight init #graph.init<normal, std = 0.02>
  graph.param @fc.w : tensor<32x8xf32> weight init #graph.init<normal, std = 0.02>
  graph.param @out.w : tensor<8x32xf32> weight init #graph.init<normal, std = 0.02>
  func.func @forward(%x: tensor<2x5x8xf32>) -> tensor<2x5x8xf32> {
    %y = graph.layer block 0 (%h = %x : tensor<2x5x8xf32>) -> tensor<2x5x8xf32> {
      %lnw = graph.param_ref @ln.w : tensor<8xf32>
      %n = graph.rms_norm %h, %lnw : tensor<2x5x8xf32>, tensor<8xf32>
      %wqkv = graph.param_ref @qkv.w : tensor<24x8xf32>
      %qkv = graph.linear %n, %wqkv : (tensor<2x5x8xf32>, tensor<24x8xf32>) -> tensor<2x5x24xf32>
      %q, %k, %v = graph.split %qkv {axis = 2 : i64} : tensor<2x5x24xf32> -> tensor<2x5x8xf32>, tensor<2x5x8xf32>, tensor<2x5x8xf32>
      %q4 = graph.reshape %q : tensor<2x5x8xf32> to tensor<2x5x2x4xf32>
      %qt = graph.transpose %q4 [0, 2, 1, 3] : tensor<2x5x2x4xf32> to tensor<2x2x5x4xf32>
      %k4 = graph.reshape %k : tensor<2x5x8xf32> to tensor<2x5x2x4xf32>
      %kt = graph.transpose %k4 [0, 2, 1, 3] : tensor<2x5x2x4xf32> to tensor<2x2x5x4xf32>
      %v4 = graph.reshape %v : tensor<2x5x8xf32> to tensor<2x5x2x4xf32>
      %vt = graph.transpose %v4 [0, 2, 1, 3] : tensor<2x5x2x4xf32> to tensor<2x2x5x4xf32>
      %qr = graph.rope %qt : tensor<2x2x5x4xf32>
      %kr = graph.rope %kt : tensor<2x2x5x4xf32>
      %o = graph.attention %qr, %kr, %vt {causal} : tensor<2x2x5x4xf32>, tensor<2x2x5x4xf32>, tensor<2x2x5x4xf32>
      %ot = graph.transpose %o [0, 2, 1, 3] : tensor<2x2x5x4xf32> to tensor<2x5x2x4xf32>
      %o3 = graph.reshape %ot : tensor<2x5x2x4xf32> to tensor<2x5x8xf32>
      %wp = graph.param_ref @proj.w : tensor<8x8xf32>
      %a = graph.linear %o3, %wp : (tensor<2x5x8xf32>, tensor<8x8xf32>) -> tensor<2x5x8xf32>
      %r = graph.add %h, %a : tensor<2x5x8xf32>, tensor<2x5x8xf32>
      %wfc = graph.param_ref @fc.w : tensor<32x8xf32>
      %f = graph.linear %r, %wfc : (tensor<2x5x8xf32>, tensor<32x8xf32>) -> tensor<2x5x32xf32>
      %g = graph.gelu %f tanh : tensor<2x5x32xf32>
      %wo = graph.param_ref @out.w : tensor<8x32xf32>
      %m = graph.linear %g, %wo : (tensor<2x5x32xf32>, tensor<8x32xf32>) -> tensor<2x5x8xf32>
      %out = graph.add %r, %m : tensor<2x5x8xf32>, tensor<2x5x8xf32>
      graph.yield %out : tensor<2x5x8xf32>
    }
    return %y : tensor<2x5x8xf32>
  }
  // CHECK-LABEL: func.func @train_step
  // CHECK-SAME: (%[[X:[^:]*]]: {{.*}}, %[[DY:[^:]*]]: {{.*}} {ptc.cotangent = 0 : i64})
  // CHECK-SAME: ptc.gradients = [@ln.w, @qkv.w, @proj.w, @fc.w, @out.w]
  // CHECK: %[[F:.*]]:9 = graph.layer block 0 (%{{.*}} = %[[X]] : tensor<2x5x8xf32>)
  // CHECK: %[[N:.*]] = graph.rms_norm
  // CHECK: %[[QR:.*]] = graph.rope
  // CHECK: %[[KR:.*]] = graph.rope
  // CHECK: %[[O3:.*]] = graph.reshape
  // CHECK: %[[R:.*]] = graph.add
  // CHECK: %[[FC:.*]] = graph.linear %[[R]]
  // CHECK: %[[G:.*]] = graph.gelu
  // CHECK: %[[OUT:.*]] = graph.add
  // CHECK: graph.yield %[[OUT]], %[[N]], %{{.*}}, %[[QR]], %[[KR]], %[[O3]], %[[R]], %[[FC]], %[[G]] :
  // CHECK: %[[B:.*]]:6 = graph.layer block_backward 0 (%[[BDY:.*]] = %[[DY]] : tensor<2x5x8xf32>, %[[BX:.*]] = %[[X]] : tensor<2x5x8xf32>, %{{.*}} = %[[F]]#1 : {{.*}}, %{{.*}} = %[[F]]#8 : tensor<2x5x32xf32>)
  // CHECK-SAME: -> (tensor<2x5x8xf32>, tensor<8x32xf32>, tensor<32x8xf32>, tensor<8x8xf32>, tensor<24x8xf32>, tensor<8xf32>)
  // CHECK-NOT: graph.linear
  // CHECK: graph.param_ref @ln.w
  // CHECK: graph.gelu_grad
  // CHECK: graph.attention_grad
  // CHECK: graph.rope_grad
  // CHECK: graph.rope_grad
  // CHECK: graph.concat
  // CHECK: graph.rms_norm_grad %{{.*}}, %[[BX]],
  // CHECK: graph.yield
  // CHECK: return %[[F]]#0, %[[B]]#0, %[[B]]#5, %[[B]]#4, %[[B]]#3, %[[B]]#2, %[[B]]#1
}

// -----

// Tests that a parameter read in two layer units (a tied embedding) gets the
// sum of its gradients, and that a parameter nothing reads gets zeros.

// CHECK-LABEL: module @tied
module @tied {
  graph.param @wte : tensor<11x8xf32> token_embedding init #graph.init<normal, std = 0.02>
  graph.param @unused : tensor<8xf32> bias init #graph.init<zeros>
  func.func @forward(%ids: tensor<2x5xi32>, %targets: tensor<2x5xi32>) -> tensor<f32> {
    %x = graph.layer embedding 0 (%i = %ids : tensor<2x5xi32>) -> tensor<2x5x8xf32> {
      %w = graph.param_ref @wte : tensor<11x8xf32>
      %e = graph.embedding %w[%i] : (tensor<11x8xf32>, tensor<2x5xi32>) -> tensor<2x5x8xf32>
      graph.yield %e : tensor<2x5x8xf32>
    }
    %l = graph.layer head 0 (%h = %x : tensor<2x5x8xf32>, %t = %targets : tensor<2x5xi32>) -> tensor<f32> {
      %w = graph.param_ref @wte : tensor<11x8xf32>
      %logits = graph.linear %h, %w : (tensor<2x5x8xf32>, tensor<11x8xf32>) -> tensor<2x5x11xf32>
      %loss = graph.cross_entropy %logits, %t {num_classes = 11 : i64} : (tensor<2x5x11xf32>, tensor<2x5xi32>) -> tensor<f32>
      graph.yield %loss : tensor<f32>
    }
    return %l : tensor<f32>
  }
  // CHECK-LABEL: func.func @train_step
  // CHECK-SAME: -> (tensor<f32>, tensor<11x8xf32>, tensor<8xf32>)
  // CHECK-SAME: ptc.gradients = [@wte, @unused]
  // CHECK: %[[HEAD:.*]]:2 = graph.layer head 0
  // CHECK: %[[HB:.*]]:2 = graph.layer head_backward 0
  // CHECK: %[[EB:.*]] = graph.layer embedding_backward 0
  // CHECK: %[[DW:.*]] = graph.add %[[HB]]#1, %[[EB]] : tensor<11x8xf32>, tensor<11x8xf32>
  // CHECK: %[[Z:.*]] = graph.zeros : tensor<8xf32>
  // CHECK: return %[[HEAD]]#0, %[[DW]], %[[Z]]
}
