// RUN: ptc-opt %s -split-input-file -convert-graph-to-exec | FileCheck %s

// Tests that the arenas, the parameters (in declaration order), their
// gradient accumulators and AdamW moments, and the io slots become exec
// globals; that init_params draws normal parameters with the parameter's
// index as the stream and the effective std (std x scale), fills ones and
// zeros and zeroes the training state; that the entry keeps its role
// (exec.entry) without arguments, the graph functions and parameters are
// dropped, and the loss is copied into io.loss.

// CHECK-LABEL: module @storage
// CHECK-NOT: graph.param
// CHECK: exec.arena @parameters parameters size 0
// CHECK: exec.arena @gradients gradients size 0
// CHECK: exec.arena @optimizer_state optimizer_state size 0
// CHECK: exec.arena @io io size 0
// CHECK: exec.global @wte in @parameters : memref<11x8xf32>
// CHECK: exec.global @proj in @parameters : memref<8x8xf32>
// CHECK: exec.global @g in @parameters : memref<8xf32>
// CHECK: exec.global @b in @parameters : memref<8xf32>
// CHECK: exec.global @wte.grad in @gradients : memref<11x8xf32>
// CHECK: exec.global @proj.grad in @gradients : memref<8x8xf32>
// CHECK: exec.global @g.grad in @gradients : memref<8xf32>
// CHECK: exec.global @b.grad in @gradients : memref<8xf32>
// CHECK: exec.global @wte.adam_m in @optimizer_state : memref<11x8xf32>
// CHECK: exec.global @proj.adam_m in @optimizer_state : memref<8x8xf32>
// CHECK: exec.global @g.adam_m in @optimizer_state : memref<8xf32>
// CHECK: exec.global @b.adam_m in @optimizer_state : memref<8xf32>
// CHECK: exec.global @wte.adam_v in @optimizer_state : memref<11x8xf32>
// CHECK: exec.global @proj.adam_v in @optimizer_state : memref<8x8xf32>
// CHECK: exec.global @g.adam_v in @optimizer_state : memref<8xf32>
// CHECK: exec.global @b.adam_v in @optimizer_state : memref<8xf32>
// CHECK: exec.global @io.tokens in @io : memref<2x5xi32> {io = "tokens"}
// CHECK: exec.global @io.targets in @io : memref<2x5xi32> {io = "targets"}
// CHECK: exec.global @io.loss in @io : memref<f32> {io = "loss"}
// CHECK: exec.global @io.lr in @io : memref<f32> {io = "lr"}
// CHECK: exec.global @io.grad_norm in @io : memref<f32> {io = "grad_norm"}
// CHECK: exec.global @io.seed in @io : memref<i64> {io = "seed"}
// CHECK: exec.global @io.step in @io : memref<i64> {io = "step"}
// CHECK: exec.global @io.micro in @io : memref<i64> {io = "micro"}

// CHECK-LABEL: func.func @init_params()
// CHECK-SAME: attributes {exec.entry = "init_params"}
// CHECK: %[[WTE:.*]] = exec.global_ref @wte : memref<11x8xf32>
// CHECK: %[[SEED:.*]] = exec.global_ref @io.seed : memref<i64>
// CHECK: exec.launch "init_normal"(%[[WTE]], %[[SEED]]) access [write, read] args [88, 0, 2.000000e-02]
// CHECK: %[[WTEG:.*]] = exec.global_ref @wte.grad
// CHECK: exec.fill %[[WTEG]], 0.000000e+00
// CHECK: %[[WTEM:.*]] = exec.global_ref @wte.adam_m
// CHECK: exec.fill %[[WTEM]], 0.000000e+00
// CHECK: %[[WTEV:.*]] = exec.global_ref @wte.adam_v
// CHECK: exec.fill %[[WTEV]], 0.000000e+00
// CHECK: %[[PROJ:.*]] = exec.global_ref @proj : memref<8x8xf32>
// CHECK: exec.launch "init_normal"(%[[PROJ]], %{{.*}}) access [write, read] args [64, 1, 1.000000e-02]
// CHECK: %[[G:.*]] = exec.global_ref @g : memref<8xf32>
// CHECK: exec.fill %[[G]], 1.000000e+00
// CHECK: %[[B:.*]] = exec.global_ref @b : memref<8xf32>
// CHECK: exec.fill %[[B]], 0.000000e+00
// CHECK: return

// CHECK-LABEL: func.func @eval_step()
// CHECK-SAME: attributes {exec.entry = "eval_step"}
// CHECK: exec.global_ref @io.tokens
// CHECK: exec.global_ref @io.targets
// CHECK: %[[LOSS:.*]] = exec.alloc : memref<f32>
// CHECK: exec.launch "cross_entropy_forward"(%[[LOSS]]
// CHECK: %[[OUT:.*]] = exec.global_ref @io.loss : memref<f32>
// CHECK: exec.copy %[[OUT]], %[[LOSS]] : memref<f32>, memref<f32>
// CHECK-NEXT: return
// CHECK-NOT: func.func @forward
// CHECK-NOT: graph.
module @storage {
  graph.param @wte : tensor<11x8xf32> token_embedding init #graph.init<normal, std = 0.02>
  graph.param @proj : tensor<8x8xf32> weight init #graph.init<normal, std = 0.02, scale = 0.5>
  graph.param @g : tensor<8xf32> norm_scale init #graph.init<ones>
  graph.param @b : tensor<8xf32> bias init #graph.init<zeros>
  func.func @forward(%tok: tensor<2x5xi32> {ptc.input = "tokens"},
                     %tgt: tensor<2x5xi32> {ptc.input = "targets"}) -> tensor<f32>
      attributes {ptc.entry = "eval_step"} {
    %w = graph.param_ref @wte : tensor<11x8xf32>
    %e = graph.embedding %w[%tok] : (tensor<11x8xf32>, tensor<2x5xi32>) -> tensor<2x5x8xf32>
    %logits = graph.linear %e, %w : (tensor<2x5x8xf32>, tensor<11x8xf32>) -> tensor<2x5x11xf32>
    %l = graph.cross_entropy %logits, %tgt {num_classes = 10 : i64} : (tensor<2x5x11xf32>, tensor<2x5xi32>) -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// Tests that layer units are flattened, that embedding and
// position_embedding become launches on the table's global, that add
// broadcasts by passing both element counts, and that cross_entropy writes
// the loss and a log-sum-exp scratch (rows, classes, padded classes).

// CHECK-LABEL: func.func @eval_step()
// CHECK-NOT: graph.layer
// CHECK: %[[TOK:.*]] = exec.global_ref @io.tokens : memref<2x5xi32>
// CHECK: %[[TGT:.*]] = exec.global_ref @io.targets : memref<2x5xi32>
// CHECK: %[[WTE:.*]] = exec.global_ref @wte : memref<11x8xf32>
// CHECK: %[[E:.*]] = exec.alloc : memref<2x5x8xf32>
// CHECK: exec.launch "embedding_forward"(%[[E]], %[[TOK]], %[[WTE]]) access [write, read, read] args [10, 11, 8]
// CHECK: %[[WPE:.*]] = exec.global_ref @wpe : memref<6x8xf32>
// CHECK: %[[P:.*]] = exec.alloc : memref<5x8xf32>
// CHECK: exec.launch "copy"(%[[P]], %[[WPE]]) access [write, read] args [40]
// CHECK: %[[S:.*]] = exec.alloc : memref<2x5x8xf32>
// CHECK: exec.launch "add_forward"(%[[S]], %[[E]], %[[P]]) access [write, read, read] args [80, 40]
// CHECK: %[[WTE2:.*]] = exec.global_ref @wte : memref<11x8xf32>
// CHECK: %[[LOGITS:.*]] = exec.alloc : memref<2x5x11xf32>
// CHECK: exec.gemm %[[LOGITS]], %[[S]], %[[WTE2]] m 10 n 11 k 8 transpose_b
// CHECK: %[[LOSS:.*]] = exec.alloc : memref<f32>
// CHECK: %[[LSE:.*]] = exec.alloc : memref<10xf32>
// CHECK: exec.launch "cross_entropy_forward"(%[[LOSS]], %[[LSE]], %[[LOGITS]], %[[TGT]]) access [write, write, read, read] args [10, 10, 11]
module @embeddings {
  graph.param @wte : tensor<11x8xf32> token_embedding init #graph.init<normal, std = 0.02>
  graph.param @wpe : tensor<6x8xf32> position_embedding init #graph.init<normal, std = 0.01>
  func.func @forward(%tok: tensor<2x5xi32> {ptc.input = "tokens"},
                     %tgt: tensor<2x5xi32> {ptc.input = "targets"}) -> tensor<f32>
      attributes {ptc.entry = "eval_step"} {
    %x = graph.layer embedding 0 (%a = %tok : tensor<2x5xi32>) -> tensor<2x5x8xf32> {
      %w = graph.param_ref @wte : tensor<11x8xf32>
      %e = graph.embedding %w[%a] : (tensor<11x8xf32>, tensor<2x5xi32>) -> tensor<2x5x8xf32>
      %p = graph.param_ref @wpe : tensor<6x8xf32>
      %pos = graph.position_embedding %p : tensor<6x8xf32> -> tensor<5x8xf32>
      %s = graph.add %e, %pos : tensor<2x5x8xf32>, tensor<5x8xf32>
      graph.yield %s : tensor<2x5x8xf32>
    }
    %loss = graph.layer head 0 (%h = %x : tensor<2x5x8xf32>, %t = %tgt : tensor<2x5xi32>) -> tensor<f32> {
      %w = graph.param_ref @wte : tensor<11x8xf32>
      %logits = graph.linear %h, %w : (tensor<2x5x8xf32>, tensor<11x8xf32>) -> tensor<2x5x11xf32>
      %l = graph.cross_entropy %logits, %t {num_classes = 10 : i64} : (tensor<2x5x11xf32>, tensor<2x5xi32>) -> tensor<f32>
      graph.yield %l : tensor<f32>
    }
    return %loss : tensor<f32>
  }
}

// -----

// Tests that layer_norm with a bias, without one, and rms_norm become their
// launches with mean/rstd scratch per row and (rows, cols, eps).

// CHECK-LABEL: func.func @eval_step()
// CHECK: %[[X:.*]] = exec.global_ref @x : memref<2x5x8xf32>
// CHECK: %[[G:.*]] = exec.global_ref @g : memref<8xf32>
// CHECK: %[[B:.*]] = exec.global_ref @b : memref<8xf32>
// CHECK: %[[N:.*]] = exec.alloc : memref<2x5x8xf32>
// CHECK: %[[MEAN:.*]] = exec.alloc : memref<10xf32>
// CHECK: %[[RSTD:.*]] = exec.alloc : memref<10xf32>
// CHECK: exec.launch "layernorm_forward"(%[[N]], %[[MEAN]], %[[RSTD]], %[[X]], %[[G]], %[[B]]) access [write, write, write, read, read, read] args [10, 8, 9.9999999999999995E-7]
// CHECK: %[[N2:.*]] = exec.alloc : memref<2x5x8xf32>
// CHECK: %[[MEAN2:.*]] = exec.alloc : memref<10xf32>
// CHECK: %[[RSTD2:.*]] = exec.alloc : memref<10xf32>
// CHECK: exec.launch "layernorm_forward_nobias"(%[[N2]], %[[MEAN2]], %[[RSTD2]], %[[N]], %[[G]]) access [write, write, write, read, read] args [10, 8, 1.000000e-05]
// CHECK: %[[R:.*]] = exec.alloc : memref<2x5x8xf32>
// CHECK: %[[RSTD3:.*]] = exec.alloc : memref<10xf32>
// CHECK: exec.launch "rmsnorm_forward"(%[[R]], %[[RSTD3]], %[[N2]], %[[G]]) access [write, write, read, read] args [10, 8, 1.000000e-05]
module @norms {
  graph.param @x : tensor<2x5x8xf32> weight init #graph.init<zeros>
  graph.param @g : tensor<8xf32> norm_scale init #graph.init<ones>
  graph.param @b : tensor<8xf32> bias init #graph.init<zeros>
  func.func @forward(%tok: tensor<2x5xi32> {ptc.input = "tokens"}) -> tensor<f32>
      attributes {ptc.entry = "eval_step"} {
    %x = graph.param_ref @x : tensor<2x5x8xf32>
    %g = graph.param_ref @g : tensor<8xf32>
    %b = graph.param_ref @b : tensor<8xf32>
    %n = graph.layer_norm %x, %g, %b {epsilon = 1.0e-6 : f64} : tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>
    %n2 = graph.layer_norm %n, %g : tensor<2x5x8xf32>, tensor<8xf32>
    %r = graph.rms_norm %n2, %g : tensor<2x5x8xf32>, tensor<8xf32>
    %z = graph.zeros : tensor<f32>
    return %z : tensor<f32>
  }
}

// -----

// Tests that linear becomes exec.gemm over the flattened rows against the
// transposed weight, with the bias epilogue only when it has a bias, and
// that matmul becomes a batched exec.gemm with packed batch strides and its
// transposes.

// CHECK-LABEL: func.func @eval_step()
// CHECK: %[[X:.*]] = exec.global_ref @x : memref<2x5x8xf32>
// CHECK: %[[W:.*]] = exec.global_ref @w : memref<6x8xf32>
// CHECK: %[[BIAS:.*]] = exec.global_ref @bias : memref<6xf32>
// CHECK: %[[Y:.*]] = exec.alloc : memref<2x5x6xf32>
// CHECK: exec.gemm %[[Y]], %[[X]], %[[W]], %[[BIAS]] m 10 n 6 k 8 epilogue bias transpose_b : memref<2x5x6xf32>, memref<2x5x8xf32>, memref<6x8xf32>, memref<6xf32>
// CHECK: %[[Y2:.*]] = exec.alloc : memref<2x5x6xf32>
// CHECK: exec.gemm %[[Y2]], %[[X]], %[[W]] m 10 n 6 k 8 transpose_b : memref<2x5x6xf32>, memref<2x5x8xf32>, memref<6x8xf32>{{$}}
// CHECK: %[[Q:.*]] = exec.global_ref @q : memref<2x3x5x4xf32>
// CHECK: %[[K:.*]] = exec.global_ref @k : memref<2x3x7x4xf32>
// CHECK: %[[S:.*]] = exec.alloc : memref<2x3x5x7xf32>
// CHECK: exec.gemm %[[S]], %[[Q]], %[[K]] m 5 n 7 k 4 batch 6 transpose_b {stride_a = 20 : i64, stride_b = 28 : i64, stride_out = 35 : i64}
// CHECK: %[[V:.*]] = exec.global_ref @v : memref<2x3x5x7xf32>
// CHECK: %[[D:.*]] = exec.alloc : memref<2x3x4x7xf32>
// CHECK: exec.gemm %[[D]], %[[Q]], %[[V]] m 4 n 7 k 5 batch 6 transpose_a {stride_a = 20 : i64, stride_b = 35 : i64, stride_out = 28 : i64}
module @gemms {
  graph.param @x : tensor<2x5x8xf32> weight init #graph.init<zeros>
  graph.param @w : tensor<6x8xf32> weight init #graph.init<zeros>
  graph.param @bias : tensor<6xf32> bias init #graph.init<zeros>
  graph.param @q : tensor<2x3x5x4xf32> weight init #graph.init<zeros>
  graph.param @k : tensor<2x3x7x4xf32> weight init #graph.init<zeros>
  graph.param @v : tensor<2x3x5x7xf32> weight init #graph.init<zeros>
  func.func @forward(%tok: tensor<2x5xi32> {ptc.input = "tokens"}) -> tensor<f32>
      attributes {ptc.entry = "eval_step"} {
    %x = graph.param_ref @x : tensor<2x5x8xf32>
    %w = graph.param_ref @w : tensor<6x8xf32>
    %bias = graph.param_ref @bias : tensor<6xf32>
    %y = graph.linear %x, %w, %bias : (tensor<2x5x8xf32>, tensor<6x8xf32>, tensor<6xf32>) -> tensor<2x5x6xf32>
    %y2 = graph.linear %x, %w : (tensor<2x5x8xf32>, tensor<6x8xf32>) -> tensor<2x5x6xf32>
    %q = graph.param_ref @q : tensor<2x3x5x4xf32>
    %k = graph.param_ref @k : tensor<2x3x7x4xf32>
    %s = graph.matmul %q, %k {transpose_rhs} : (tensor<2x3x5x4xf32>, tensor<2x3x7x4xf32>) -> tensor<2x3x5x7xf32>
    %v = graph.param_ref @v : tensor<2x3x5x7xf32>
    %d = graph.matmul %q, %v {transpose_lhs} : (tensor<2x3x5x4xf32>, tensor<2x3x5x7xf32>) -> tensor<2x3x4x7xf32>
    %z = graph.zeros : tensor<f32>
    return %z : tensor<f32>
  }
}

// -----

// Tests that causal attention becomes attention_forward with a log-sum-exp
// scratch and (B, Hq, Hkv, T, Dh, scale), the scale 1/sqrt(Dh) by default or
// the op's, grouped-query heads included; and that rope passes its
// [B, H, T, Dh] sizes and theta.

// CHECK-LABEL: func.func @eval_step()
// CHECK: %[[Q:.*]] = exec.global_ref @q : memref<2x4x5x4xf32>
// CHECK: %[[K:.*]] = exec.global_ref @k : memref<2x2x5x4xf32>
// CHECK: %[[V:.*]] = exec.global_ref @v : memref<2x2x5x4xf32>
// CHECK: %[[QR:.*]] = exec.alloc : memref<2x4x5x4xf32>
// CHECK: exec.launch "rope_forward"(%[[QR]], %[[Q]]) access [write, read] args [2, 4, 5, 4, 5.000000e+05]
// CHECK: %[[O:.*]] = exec.alloc : memref<2x4x5x4xf32>
// CHECK: %[[LSE:.*]] = exec.alloc : memref<2x4x5xf32>
// CHECK: exec.launch "attention_forward"(%[[O]], %[[LSE]], %[[QR]], %[[K]], %[[V]]) access [write, write, read, read, read] args [2, 4, 2, 5, 4, 5.000000e-01]
// CHECK: exec.launch "attention_forward"(%{{.*}}, %{{.*}}, %[[Q]], %[[K]], %[[V]]) access [write, write, read, read, read] args [2, 4, 2, 5, 4, 1.250000e-01]
module @attention {
  graph.param @q : tensor<2x4x5x4xf32> weight init #graph.init<zeros>
  graph.param @k : tensor<2x2x5x4xf32> weight init #graph.init<zeros>
  graph.param @v : tensor<2x2x5x4xf32> weight init #graph.init<zeros>
  func.func @forward(%tok: tensor<2x5xi32> {ptc.input = "tokens"}) -> tensor<f32>
      attributes {ptc.entry = "eval_step"} {
    %q = graph.param_ref @q : tensor<2x4x5x4xf32>
    %k = graph.param_ref @k : tensor<2x2x5x4xf32>
    %v = graph.param_ref @v : tensor<2x2x5x4xf32>
    %qr = graph.rope %q {theta = 5.0e5 : f64} : tensor<2x4x5x4xf32>
    %o = graph.attention %qr, %k, %v {causal} : tensor<2x4x5x4xf32>, tensor<2x2x5x4xf32>, tensor<2x2x5x4xf32>
    %o2 = graph.attention %q, %k, %v {causal, scale = 0.125 : f64} : tensor<2x4x5x4xf32>, tensor<2x2x5x4xf32>, tensor<2x2x5x4xf32>
    %z = graph.zeros : tensor<f32>
    return %z : tensor<f32>
  }
}

// -----

// Tests that the elementwise ops become launches with their element counts:
// mul broadcasts like add, gelu passes 1 for tanh and 0 for erf, silu and
// swiglu take (n), and dropout reads the run's seed, step and micro-batch
// from the io slots and passes (n, p, stream).

// CHECK-LABEL: func.func @eval_step()
// CHECK: %[[X:.*]] = exec.global_ref @x : memref<2x5x8xf32>
// CHECK: %[[G:.*]] = exec.global_ref @g : memref<8xf32>
// CHECK: %[[M:.*]] = exec.alloc : memref<2x5x8xf32>
// CHECK: exec.launch "mul_forward"(%[[M]], %[[X]], %[[G]]) access [write, read, read] args [80, 8]
// CHECK: %[[G1:.*]] = exec.alloc : memref<2x5x8xf32>
// CHECK: exec.launch "gelu_forward"(%[[G1]], %[[M]]) access [write, read] args [80, 1]
// CHECK: %[[G2:.*]] = exec.alloc : memref<2x5x8xf32>
// CHECK: exec.launch "gelu_forward"(%[[G2]], %[[G1]]) access [write, read] args [80, 0]
// CHECK: %[[SI:.*]] = exec.alloc : memref<2x5x8xf32>
// CHECK: exec.launch "silu_forward"(%[[SI]], %[[G2]]) access [write, read] args [80]
// CHECK: %[[SW:.*]] = exec.alloc : memref<2x5x8xf32>
// CHECK: exec.launch "swiglu_forward"(%[[SW]], %[[SI]], %[[X]]) access [write, read, read] args [80]
// CHECK: %[[D:.*]] = exec.alloc : memref<2x5x8xf32>
// CHECK: %[[SEED:.*]] = exec.global_ref @io.seed : memref<i64>
// CHECK: %[[STEP:.*]] = exec.global_ref @io.step : memref<i64>
// CHECK: %[[MICRO:.*]] = exec.global_ref @io.micro : memref<i64>
// CHECK: exec.launch "dropout_forward"(%[[D]], %[[SW]], %[[SEED]], %[[STEP]], %[[MICRO]]) access [write, read, read, read, read] args [80, 1.000000e-01, 3]
module @elementwise {
  graph.param @x : tensor<2x5x8xf32> weight init #graph.init<zeros>
  graph.param @g : tensor<8xf32> norm_scale init #graph.init<ones>
  func.func @forward(%tok: tensor<2x5xi32> {ptc.input = "tokens"}) -> tensor<f32>
      attributes {ptc.entry = "eval_step"} {
    %x = graph.param_ref @x : tensor<2x5x8xf32>
    %g = graph.param_ref @g : tensor<8xf32>
    %m = graph.mul %x, %g : tensor<2x5x8xf32>, tensor<8xf32>
    %g1 = graph.gelu %m tanh : tensor<2x5x8xf32>
    %g2 = graph.gelu %g1 erf : tensor<2x5x8xf32>
    %si = graph.silu %g2 : tensor<2x5x8xf32>
    %sw = graph.swiglu %si, %x : tensor<2x5x8xf32>
    %d = graph.dropout %sw {p = 0.1 : f64, stream = 3 : i64} : tensor<2x5x8xf32>
    %z = graph.zeros : tensor<f32>
    return %z : tensor<f32>
  }
}

// -----

// Tests that the shape ops lower as the kernels expect: reshape shares its
// operand's buffer (no alloc, no launch); transpose becomes permute with the
// rank, the input shape and the permutation padded to 6 dimensions; split
// copies each piece out of the whole with copy_rows (rows, len, dst stride,
// dst offset, src stride, src offset), concat copies each piece into its
// columns (the first write defines the buffer, later ones keep it);
// reduce_sum over leading dimensions becomes reduce_leading; scale and fill.

// CHECK-LABEL: func.func @eval_step()
// CHECK: %[[X:.*]] = exec.global_ref @x : memref<2x5x8xf32>
// CHECK-NOT: exec.alloc : memref<2x5x2x4xf32>
// CHECK: %[[T:.*]] = exec.alloc : memref<2x2x5x4xf32>
// CHECK: exec.launch "permute"(%[[T]], %[[X]]) access [write, read] args [4, 2, 5, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5] : memref<2x2x5x4xf32>, memref<2x5x8xf32>
// CHECK: %[[P0:.*]] = exec.alloc : memref<2x5x4xf32>
// CHECK: exec.launch "copy_rows"(%[[P0]], %[[X]]) access [write, read] args [10, 4, 4, 0, 8, 0]
// CHECK: %[[P1:.*]] = exec.alloc : memref<2x5x1xf32>
// CHECK: exec.launch "copy_rows"(%[[P1]], %[[X]]) access [write, read] args [10, 1, 1, 0, 8, 4]
// CHECK: %[[P2:.*]] = exec.alloc : memref<2x5x3xf32>
// CHECK: exec.launch "copy_rows"(%[[P2]], %[[X]]) access [write, read] args [10, 3, 3, 0, 8, 5]
// CHECK: %[[R0:.*]] = exec.alloc : memref<1x5x8xf32>
// CHECK: exec.launch "copy_rows"(%[[R0]], %[[X]]) access [write, read] args [1, 40, 40, 0, 80, 0]
// CHECK: %[[R1:.*]] = exec.alloc : memref<1x5x8xf32>
// CHECK: exec.launch "copy_rows"(%[[R1]], %[[X]]) access [write, read] args [1, 40, 40, 0, 80, 40]
// CHECK: %[[C:.*]] = exec.alloc : memref<2x5x8xf32>
// CHECK: exec.launch "copy_rows"(%[[C]], %[[P2]]) access [write, read] args [10, 3, 8, 0, 3, 0]
// CHECK: exec.launch "copy_rows"(%[[C]], %[[P0]]) access [readwrite, read] args [10, 4, 8, 3, 4, 0]
// CHECK: exec.launch "copy_rows"(%[[C]], %[[P1]]) access [readwrite, read] args [10, 1, 8, 7, 1, 0]
// CHECK: %[[SUM:.*]] = exec.alloc : memref<8xf32>
// CHECK: exec.launch "reduce_leading"(%[[SUM]], %[[C]]) access [write, read] args [10, 8]
// CHECK: %[[SC:.*]] = exec.alloc : memref<8xf32>
// CHECK: exec.launch "scale_forward"(%[[SC]], %[[SUM]]) access [write, read] args [2.500000e-01, 8]
// CHECK: %[[F:.*]] = exec.alloc : memref<f32>
// CHECK: exec.fill %[[F]], 2.000000e+00 : memref<f32>
// CHECK: %[[LOSS:.*]] = exec.global_ref @io.loss
// CHECK: exec.copy %[[LOSS]], %[[F]]
module @shapes {
  graph.param @x : tensor<2x5x8xf32> weight init #graph.init<zeros>
  func.func @forward(%tok: tensor<2x5xi32> {ptc.input = "tokens"}) -> tensor<f32>
      attributes {ptc.entry = "eval_step"} {
    %x = graph.param_ref @x : tensor<2x5x8xf32>
    %r = graph.reshape %x : tensor<2x5x8xf32> to tensor<2x5x2x4xf32>
    %t = graph.transpose %r [0, 2, 1, 3] : tensor<2x5x2x4xf32> to tensor<2x2x5x4xf32>
    %p:3 = graph.split %x {axis = 2 : i64} : tensor<2x5x8xf32> -> tensor<2x5x4xf32>, tensor<2x5x1xf32>, tensor<2x5x3xf32>
    %h:2 = graph.split %x {axis = 0 : i64} : tensor<2x5x8xf32> -> tensor<1x5x8xf32>, tensor<1x5x8xf32>
    %c = graph.concat %p#2, %p#0, %p#1 {axis = 2 : i64} : tensor<2x5x3xf32>, tensor<2x5x4xf32>, tensor<2x5x1xf32> -> tensor<2x5x8xf32>
    %s = graph.reduce_sum %c [0, 1] : tensor<2x5x8xf32> -> tensor<8xf32>
    %sc = graph.scale %s {factor = 0.25 : f64} : tensor<8xf32>
    %f = graph.fill 2.0 : tensor<f32>
    return %f : tensor<f32>
  }
}

// -----

// Tests that every gradient op zeroes its outputs and then launches its
// backward kernel with those outputs readwrite (the kernels accumulate; the
// position table's gradient copies the sequence's rows into a zeroed table),
// and
// that the statistics the kernels need are recomputed first: mean and rstd
// for layer_norm_grad (with and without a bias gradient) and rms_norm_grad,
// the output and log-sum-exp for attention_grad.

// CHECK-LABEL: func.func @micro_step()
// CHECK-SAME: attributes {exec.entry = "micro_step"}
// CHECK: %[[TOK:.*]] = exec.global_ref @io.tokens
// CHECK: %[[DY:.*]] = exec.global_ref @dy : memref<2x5x8xf32>
// CHECK: %[[X:.*]] = exec.global_ref @x : memref<2x5x8xf32>
// CHECK: %[[G:.*]] = exec.global_ref @g : memref<8xf32>

// CHECK: %[[DE:.*]] = exec.alloc : memref<11x8xf32>
// CHECK-NEXT: exec.fill %[[DE]], 0.000000e+00
// CHECK-NEXT: exec.launch "embedding_backward"(%[[DE]], %[[TOK]], %[[DY]]) access [readwrite, read, read] args [10, 11, 8]

// CHECK: %[[DP0:.*]] = exec.alloc : memref<5x8xf32>
// CHECK-NEXT: exec.launch "reduce_leading"(%[[DP0]], %[[DY]]) access [write, read] args [2, 40]
// CHECK-NEXT: %[[DP:.*]] = exec.alloc : memref<6x8xf32>
// CHECK-NEXT: exec.fill %[[DP]], 0.000000e+00
// CHECK-NEXT: exec.launch "copy"(%[[DP]], %[[DP0]]) access [readwrite, read] args [40]

// CHECK: %[[NORMED:.*]] = exec.alloc : memref<2x5x8xf32>
// CHECK-NEXT: %[[MEAN:.*]] = exec.alloc : memref<10xf32>
// CHECK-NEXT: %[[RSTD:.*]] = exec.alloc : memref<10xf32>
// CHECK-NEXT: exec.launch "layernorm_forward_nobias"(%[[NORMED]], %[[MEAN]], %[[RSTD]], %[[X]], %[[G]]) access [write, write, write, read, read] args [10, 8, 9.9999999999999995E-7]
// CHECK-NEXT: %[[DX:.*]] = exec.alloc : memref<2x5x8xf32>
// CHECK-NEXT: exec.fill %[[DX]], 0.000000e+00
// CHECK-NEXT: %[[DG:.*]] = exec.alloc : memref<8xf32>
// CHECK-NEXT: exec.fill %[[DG]], 0.000000e+00
// CHECK-NEXT: %[[DB:.*]] = exec.alloc : memref<8xf32>
// CHECK-NEXT: exec.fill %[[DB]], 0.000000e+00
// CHECK-NEXT: exec.launch "layernorm_backward"(%[[DX]], %[[DG]], %[[DB]], %[[DY]], %[[X]], %[[G]], %[[MEAN]], %[[RSTD]]) access [readwrite, readwrite, readwrite, read, read, read, read, read] args [10, 8]

// CHECK: exec.launch "layernorm_forward_nobias"(%{{.*}}, %[[MEAN2:.*]], %[[RSTD2:.*]], %[[X]], %[[G]]) access [write, write, write, read, read] args [10, 8, 1.000000e-05]
// CHECK: exec.launch "layernorm_backward_nobias"(%{{.*}}, %{{.*}}, %[[DY]], %[[X]], %[[G]], %[[MEAN2]], %[[RSTD2]]) access [readwrite, readwrite, read, read, read, read, read] args [10, 8]

// CHECK: %[[RSTD3:.*]] = exec.alloc : memref<10xf32>
// CHECK-NEXT: exec.launch "rmsnorm_forward"(%{{.*}}, %[[RSTD3]], %[[X]], %[[G]]) access [write, write, read, read] args [10, 8, 1.000000e-05]
// CHECK: exec.launch "rmsnorm_backward"(%{{.*}}, %{{.*}}, %[[DY]], %[[X]], %[[G]], %[[RSTD3]]) access [readwrite, readwrite, read, read, read, read] args [10, 8]

// CHECK: exec.launch "gelu_backward"(%[[GG:.*]], %[[X]], %[[DY]]) access [readwrite, read, read] args [80, 1]
// CHECK: exec.launch "gelu_backward"(%{{.*}}, %[[X]], %[[DY]]) access [readwrite, read, read] args [80, 0]
// CHECK: exec.launch "silu_backward"(%{{.*}}, %[[X]], %[[DY]]) access [readwrite, read, read] args [80]
// CHECK: %[[UP:.*]] = exec.global_ref @up
// CHECK-NEXT: %[[DGATE:.*]] = exec.alloc : memref<2x5x8xf32>
// CHECK-NEXT: exec.fill %[[DGATE]], 0.000000e+00
// CHECK-NEXT: %[[DUP:.*]] = exec.alloc : memref<2x5x8xf32>
// CHECK-NEXT: exec.fill %[[DUP]], 0.000000e+00
// CHECK-NEXT: exec.launch "swiglu_backward"(%[[DGATE]], %[[DUP]], %[[X]], %[[UP]], %[[DY]]) access [readwrite, readwrite, read, read, read] args [80]
// CHECK: %[[DD:.*]] = exec.alloc : memref<2x5x8xf32>
// CHECK-NEXT: exec.fill %[[DD]], 0.000000e+00
// CHECK-NEXT: %[[SEED:.*]] = exec.global_ref @io.seed
// CHECK-NEXT: %[[STEP:.*]] = exec.global_ref @io.step
// CHECK-NEXT: %[[MICRO:.*]] = exec.global_ref @io.micro
// CHECK-NEXT: exec.launch "dropout_backward"(%[[DD]], %[[DY]], %[[SEED]], %[[STEP]], %[[MICRO]]) access [readwrite, read, read, read, read] args [80, 1.000000e-01, 3]
module @gradients {
  graph.param @wte : tensor<11x8xf32> token_embedding init #graph.init<normal, std = 0.02>
  graph.param @dy : tensor<2x5x8xf32> weight init #graph.init<zeros>
  graph.param @x : tensor<2x5x8xf32> weight init #graph.init<zeros>
  graph.param @g : tensor<8xf32> norm_scale init #graph.init<ones>
  graph.param @up : tensor<2x5x8xf32> weight init #graph.init<zeros>
  func.func @micro_step(%tok: tensor<2x5xi32> {ptc.input = "tokens"}) -> tensor<f32>
      attributes {ptc.entry = "micro_step"} {
    %dy = graph.param_ref @dy : tensor<2x5x8xf32>
    %x = graph.param_ref @x : tensor<2x5x8xf32>
    %g = graph.param_ref @g : tensor<8xf32>
    %de = graph.embedding_grad %dy, %tok : (tensor<2x5x8xf32>, tensor<2x5xi32>) -> tensor<11x8xf32>
    %dp0 = graph.reduce_sum %dy [0] : tensor<2x5x8xf32> -> tensor<5x8xf32>
    %dp = graph.position_embedding_grad %dp0 : tensor<5x8xf32> -> tensor<6x8xf32>
    %dx, %dg, %db = graph.layer_norm_grad %dy, %x, %g {epsilon = 1.0e-6 : f64} : tensor<2x5x8xf32>, tensor<8xf32> -> tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>
    %dx2, %dg2 = graph.layer_norm_grad %dy, %x, %g : tensor<2x5x8xf32>, tensor<8xf32> -> tensor<2x5x8xf32>, tensor<8xf32>
    %dx3, %dg3 = graph.rms_norm_grad %dy, %x, %g : tensor<2x5x8xf32>, tensor<8xf32>
    %ge = graph.gelu_grad %dy, %x tanh : tensor<2x5x8xf32>
    %ge2 = graph.gelu_grad %dy, %x erf : tensor<2x5x8xf32>
    %si = graph.silu_grad %dy, %x : tensor<2x5x8xf32>
    %up = graph.param_ref @up : tensor<2x5x8xf32>
    %dgate, %dup = graph.swiglu_grad %dy, %x, %up : tensor<2x5x8xf32>
    %dd = graph.dropout_grad %dy {p = 0.1 : f64, stream = 3 : i64} : tensor<2x5x8xf32>
    %z = graph.zeros : tensor<f32>
    return %z : tensor<f32>
  }
}

// -----

// Tests that attention_grad recomputes the forward's output and log-sum-exp
// and passes them to attention_backward with the zeroed dq, dk, dv; that
// rope_grad becomes rope_backward; and that cross_entropy_grad recomputes the
// log-sum-exp and reads dloss through its buffer.

// CHECK-LABEL: func.func @micro_step()
// CHECK: %[[TGT:.*]] = exec.global_ref @io.targets
// CHECK: %[[DY:.*]] = exec.global_ref @dy : memref<2x4x5x4xf32>
// CHECK: %[[Q:.*]] = exec.global_ref @q : memref<2x4x5x4xf32>
// CHECK: %[[K:.*]] = exec.global_ref @k : memref<2x2x5x4xf32>
// CHECK: %[[V:.*]] = exec.global_ref @v : memref<2x2x5x4xf32>
// CHECK: %[[O:.*]] = exec.alloc : memref<2x4x5x4xf32>
// CHECK-NEXT: %[[LSE:.*]] = exec.alloc : memref<2x4x5xf32>
// CHECK-NEXT: exec.launch "attention_forward"(%[[O]], %[[LSE]], %[[Q]], %[[K]], %[[V]]) access [write, write, read, read, read] args [2, 4, 2, 5, 4, 5.000000e-01]
// CHECK-NEXT: %[[DQ:.*]] = exec.alloc : memref<2x4x5x4xf32>
// CHECK-NEXT: exec.fill %[[DQ]], 0.000000e+00
// CHECK-NEXT: %[[DK:.*]] = exec.alloc : memref<2x2x5x4xf32>
// CHECK-NEXT: exec.fill %[[DK]], 0.000000e+00
// CHECK-NEXT: %[[DV:.*]] = exec.alloc : memref<2x2x5x4xf32>
// CHECK-NEXT: exec.fill %[[DV]], 0.000000e+00
// CHECK-NEXT: exec.launch "attention_backward"(%[[DQ]], %[[DK]], %[[DV]], %[[DY]], %[[Q]], %[[K]], %[[V]], %[[O]], %[[LSE]]) access [readwrite, readwrite, readwrite, read, read, read, read, read, read] args [2, 4, 2, 5, 4, 5.000000e-01]
// CHECK: %[[DR:.*]] = exec.alloc : memref<2x4x5x4xf32>
// CHECK-NEXT: exec.fill %[[DR]], 0.000000e+00
// CHECK-NEXT: exec.launch "rope_backward"(%[[DR]], %[[DY]]) access [readwrite, read] args [2, 4, 5, 4, 1.000000e+04]
// CHECK: %[[LOGITS:.*]] = exec.global_ref @logits : memref<2x5x11xf32>
// CHECK: %[[DL:.*]] = exec.alloc : memref<f32>
// CHECK: exec.fill %[[DL]], 1.000000e+00
// CHECK: %[[L:.*]] = exec.alloc : memref<f32>
// CHECK-NEXT: %[[LSE2:.*]] = exec.alloc : memref<10xf32>
// CHECK-NEXT: exec.launch "cross_entropy_forward"(%[[L]], %[[LSE2]], %[[LOGITS]], %[[TGT]]) access [write, write, read, read] args [10, 10, 11]
// CHECK-NEXT: %[[DLOGITS:.*]] = exec.alloc : memref<2x5x11xf32>
// CHECK-NEXT: exec.fill %[[DLOGITS]], 0.000000e+00
// CHECK-NEXT: exec.launch "cross_entropy_backward"(%[[DLOGITS]], %[[LOGITS]], %[[LSE2]], %[[TGT]], %[[DL]]) access [readwrite, read, read, read, read] args [10, 10, 11]
module @attention_gradients {
  graph.param @dy : tensor<2x4x5x4xf32> weight init #graph.init<zeros>
  graph.param @q : tensor<2x4x5x4xf32> weight init #graph.init<zeros>
  graph.param @k : tensor<2x2x5x4xf32> weight init #graph.init<zeros>
  graph.param @v : tensor<2x2x5x4xf32> weight init #graph.init<zeros>
  graph.param @logits : tensor<2x5x11xf32> weight init #graph.init<zeros>
  func.func @micro_step(%tok: tensor<2x5xi32> {ptc.input = "tokens"},
                        %tgt: tensor<2x5xi32> {ptc.input = "targets"}) -> tensor<f32>
      attributes {ptc.entry = "micro_step"} {
    %dy = graph.param_ref @dy : tensor<2x4x5x4xf32>
    %q = graph.param_ref @q : tensor<2x4x5x4xf32>
    %k = graph.param_ref @k : tensor<2x2x5x4xf32>
    %v = graph.param_ref @v : tensor<2x2x5x4xf32>
    %dq, %dk, %dv = graph.attention_grad %dy, %q, %k, %v {causal} : tensor<2x4x5x4xf32>, tensor<2x2x5x4xf32>, tensor<2x2x5x4xf32>
    %dr = graph.rope_grad %dy : tensor<2x4x5x4xf32>
    %logits = graph.param_ref @logits : tensor<2x5x11xf32>
    %dl = graph.fill 1.0 : tensor<f32>
    %dlogits = graph.cross_entropy_grad %dl, %logits, %tgt {num_classes = 10 : i64} : tensor<f32>, tensor<2x5x11xf32>, tensor<2x5xi32>
    return %dl : tensor<f32>
  }
}

// -----

// Tests that bf16 attention keeps its log-sum-exp in f32 (the backward's
// exp(s - lse) inherits lse's rounding), both where the forward writes it
// and where attention_grad recomputes it, and that f64 attention keeps an
// f64 one.

// CHECK-LABEL: func.func @micro_step()
// CHECK: %[[LSE:.*]] = exec.alloc : memref<2x4x5xf32>
// CHECK-NEXT: exec.launch "attention_forward"(%{{.*}}, %[[LSE]], {{.*}} : memref<2x4x5x4xbf16>, memref<2x4x5xf32>, memref<2x4x5x4xbf16>, memref<2x2x5x4xbf16>, memref<2x2x5x4xbf16>
// CHECK: %[[RLSE:.*]] = exec.alloc : memref<2x4x5xf32>
// CHECK-NEXT: exec.launch "attention_forward"(%{{.*}}, %[[RLSE]], {{.*}} : memref<2x4x5x4xbf16>, memref<2x4x5xf32>,
// CHECK: exec.launch "attention_backward"({{.*}}, %[[RLSE]]) {{.*}}, memref<2x4x5x4xbf16>, memref<2x4x5xf32>{{$}}
// CHECK: %[[DLSE:.*]] = exec.alloc : memref<2x4x5xf64>
// CHECK-NEXT: exec.launch "attention_forward"(%{{.*}}, %[[DLSE]], {{.*}} : memref<2x4x5x4xf64>, memref<2x4x5xf64>,
module @attention_bf16 {
  graph.param @dy : tensor<2x4x5x4xbf16> weight init #graph.init<zeros>
  graph.param @q : tensor<2x4x5x4xbf16> weight init #graph.init<zeros>
  graph.param @k : tensor<2x2x5x4xbf16> weight init #graph.init<zeros>
  graph.param @v : tensor<2x2x5x4xbf16> weight init #graph.init<zeros>
  graph.param @v2 : tensor<2x2x5x4xbf16> weight init #graph.init<zeros>
  graph.param @qd : tensor<2x4x5x4xf64> weight init #graph.init<zeros>
  graph.param @kd : tensor<2x2x5x4xf64> weight init #graph.init<zeros>
  func.func @micro_step(%tok: tensor<2x5xi32> {ptc.input = "tokens"}) -> tensor<f32>
      attributes {ptc.entry = "micro_step"} {
    %dy = graph.param_ref @dy : tensor<2x4x5x4xbf16>
    %q = graph.param_ref @q : tensor<2x4x5x4xbf16>
    %k = graph.param_ref @k : tensor<2x2x5x4xbf16>
    %v = graph.param_ref @v : tensor<2x2x5x4xbf16>
    %v2 = graph.param_ref @v2 : tensor<2x2x5x4xbf16>
    %o = graph.attention %q, %k, %v {causal} : tensor<2x4x5x4xbf16>, tensor<2x2x5x4xbf16>, tensor<2x2x5x4xbf16>
    %dq, %dk, %dv = graph.attention_grad %dy, %q, %k, %v2 {causal} : tensor<2x4x5x4xbf16>, tensor<2x2x5x4xbf16>, tensor<2x2x5x4xbf16>
    %qd = graph.param_ref @qd : tensor<2x4x5x4xf64>
    %kd = graph.param_ref @kd : tensor<2x2x5x4xf64>
    %od = graph.attention %qd, %kd, %kd {causal} : tensor<2x4x5x4xf64>, tensor<2x2x5x4xf64>, tensor<2x2x5x4xf64>
    %z = graph.zeros : tensor<f32>
    return %z : tensor<f32>
  }
}

// -----

// Tests that accumulate_grad adds the scaled gradient into the parameter's
// accumulator `<param>.grad` with axpy (alpha, n).

// CHECK-LABEL: func.func @micro_step()
// CHECK: %[[W:.*]] = exec.global_ref @w : memref<6x8xf32>
// CHECK: %[[ACC:.*]] = exec.global_ref @w.grad : memref<6x8xf32>
// CHECK-NEXT: exec.launch "axpy"(%[[ACC]], %[[W]]) access [readwrite, read] args [5.000000e-01, 48]
// CHECK: %[[ACC2:.*]] = exec.global_ref @b.grad : memref<6xf32>
// CHECK-NEXT: exec.launch "axpy"(%[[ACC2]], %{{.*}}) access [readwrite, read] args [1.000000e+00, 6]
module @accumulate {
  graph.param @w : tensor<6x8xf32> weight init #graph.init<zeros>
  graph.param @b : tensor<6xf32> bias init #graph.init<zeros>
  func.func @micro_step(%tok: tensor<2x5xi32> {ptc.input = "tokens"}) -> tensor<f32>
      attributes {ptc.entry = "micro_step"} {
    %w = graph.param_ref @w : tensor<6x8xf32>
    graph.accumulate_grad @w, %w {scale = 0.5 : f64} : tensor<6x8xf32>
    %b = graph.param_ref @b : tensor<6xf32>
    graph.accumulate_grad @b, %b : tensor<6xf32>
    %z = graph.zeros : tensor<f32>
    return %z : tensor<f32>
  }
}

// -----

// Tests that the optimizer step lowers onto the parameter state: grad_ref
// reads `<param>.grad`; global_norm sums squares into a zeroed f64 scratch
// and takes the square root; clip_factor and lr_schedule (schedule code:
// cosine 0, linear 1, constant 2) read their operands through buffers;
// adamw_update updates the parameter and its `.adam_m`/`.adam_v` in place,
// reading lr, the clip factor and the step through buffers; zero_grad fills
// the accumulator; the results go to io.lr and io.grad_norm.

// CHECK-LABEL: func.func @optimizer_step()
// CHECK-SAME: attributes {exec.entry = "optimizer_step"}
// CHECK: %[[STEP:.*]] = exec.global_ref @io.step : memref<i64>
// CHECK: %[[GW:.*]] = exec.global_ref @w.grad : memref<6x8xf32>
// CHECK: %[[GB:.*]] = exec.global_ref @b.grad : memref<6xf32>
// CHECK: %[[SS:.*]] = exec.alloc : memref<f64>
// CHECK-NEXT: exec.fill %[[SS]], 0.000000e+00 : memref<f64>
// CHECK-NEXT: exec.launch "sum_squares_add"(%[[SS]], %[[GW]]) access [readwrite, read] args [48]
// CHECK-NEXT: exec.launch "sum_squares_add"(%[[SS]], %[[GB]]) access [readwrite, read] args [6]
// CHECK-NEXT: %[[NORM:.*]] = exec.alloc : memref<f32>
// CHECK-NEXT: exec.launch "sqrt_to"(%[[NORM]], %[[SS]]) access [write, read] :
// CHECK-NEXT: %[[CLIP:.*]] = exec.alloc : memref<f32>
// CHECK-NEXT: exec.launch "clip_factor"(%[[CLIP]], %[[NORM]]) access [write, read] args [1.000000e+00]
// CHECK-NEXT: %[[LR:.*]] = exec.alloc : memref<f32>
// CHECK-NEXT: exec.launch "lr_schedule"(%[[LR]], %[[STEP]]) access [write, read] args [0, 1.000000e-03, 1.000000e-04, 20, 300]
// CHECK: exec.launch "lr_schedule"(%{{.*}}, %[[STEP]]) access [write, read] args [1, 1.000000e-03, 0.000000e+00, 0, 300]
// CHECK: exec.launch "lr_schedule"(%{{.*}}, %[[STEP]]) access [write, read] args [2, 1.000000e-03, 1.000000e-03, 5, 300]
// CHECK: %[[W:.*]] = exec.global_ref @w : memref<6x8xf32>
// CHECK-NEXT: %[[M:.*]] = exec.global_ref @w.adam_m : memref<6x8xf32>
// CHECK-NEXT: %[[V:.*]] = exec.global_ref @w.adam_v : memref<6x8xf32>
// CHECK-NEXT: exec.launch "adamw_update"(%[[W]], %[[M]], %[[V]], %[[GW]], %[[LR]], %[[CLIP]], %[[STEP]]) access [readwrite, readwrite, readwrite, read, read, read, read] args [48, 9.000000e-01, 0.94999999999999996, 1.000000e-08, 1.000000e-01]
// CHECK: exec.launch "adamw_update"(%{{.*}}, %{{.*}}, %{{.*}}, %[[GB]], %[[LR]], %[[CLIP]], %[[STEP]]) {{.*}} args [6, 9.000000e-01, 0.94999999999999996, 1.000000e-08, 0.000000e+00]
// CHECK: %[[ZW:.*]] = exec.global_ref @w.grad : memref<6x8xf32>
// CHECK-NEXT: exec.fill %[[ZW]], 0.000000e+00
// CHECK: %[[ZB:.*]] = exec.global_ref @b.grad : memref<6xf32>
// CHECK-NEXT: exec.fill %[[ZB]], 0.000000e+00
// CHECK: %[[OUTLR:.*]] = exec.global_ref @io.lr : memref<f32>
// CHECK-NEXT: exec.copy %[[OUTLR]], %[[LR]]
// CHECK-NEXT: %[[OUTNORM:.*]] = exec.global_ref @io.grad_norm : memref<f32>
// CHECK-NEXT: exec.copy %[[OUTNORM]], %[[NORM]]
// CHECK-NEXT: return
module @optimizer {
  graph.param @w : tensor<6x8xf32> weight init #graph.init<zeros>
  graph.param @b : tensor<6xf32> bias init #graph.init<zeros>
  func.func @micro_step(%tok: tensor<2x5xi32> {ptc.input = "tokens"}) -> tensor<f32>
      attributes {ptc.entry = "micro_step"} {
    %z = graph.zeros : tensor<f32>
    return %z : tensor<f32>
  }
  func.func @optimizer_step(%step: tensor<i64> {ptc.input = "step"}) -> (tensor<f32>, tensor<f32>)
      attributes {ptc.entry = "optimizer_step"} {
    %gw = graph.grad_ref @w : tensor<6x8xf32>
    %gb = graph.grad_ref @b : tensor<6xf32>
    %norm = graph.global_norm %gw, %gb : tensor<6x8xf32>, tensor<6xf32> -> tensor<f32>
    %clip = graph.clip_factor %norm {max_norm = 1.0 : f64} : tensor<f32>
    %lr = graph.lr_schedule %step {decay_steps = 300 : i64, lr = 1.0e-3 : f64, min_lr = 1.0e-4 : f64, schedule = "cosine", warmup_steps = 20 : i64} : tensor<i64> -> tensor<f32>
    %lr1 = graph.lr_schedule %step {decay_steps = 300 : i64, lr = 1.0e-3 : f64, min_lr = 0.0 : f64, schedule = "linear", warmup_steps = 0 : i64} : tensor<i64> -> tensor<f32>
    %lr2 = graph.lr_schedule %step {decay_steps = 300 : i64, lr = 1.0e-3 : f64, min_lr = 1.0e-3 : f64, schedule = "constant", warmup_steps = 5 : i64} : tensor<i64> -> tensor<f32>
    graph.adamw_update @w, %gw, %lr, %clip, %step {beta1 = 0.9 : f64, beta2 = 0.95 : f64, eps = 1.0e-8 : f64, weight_decay = 0.1 : f64} : tensor<6x8xf32>, tensor<f32>, tensor<f32>, tensor<i64>
    graph.adamw_update @b, %gb, %lr, %clip, %step {beta1 = 0.9 : f64, beta2 = 0.95 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64} : tensor<6xf32>, tensor<f32>, tensor<f32>, tensor<i64>
    graph.zero_grad @w
    graph.zero_grad @b
    return %lr, %norm : tensor<f32>, tensor<f32>
  }
}

// -----

// Tests that a cast to the same type shares its operand's buffer, a cast to
// another element type converts, and that an entry result whose element type
// differs from its io slot's (grad_norm is f32) is converted into the slot.

// CHECK-LABEL: func.func @optimizer_step()
// CHECK: %[[X:.*]] = exec.global_ref @x : memref<4xf32>
// CHECK-NEXT: %[[D:.*]] = exec.alloc : memref<4xf64>
// CHECK-NEXT: exec.launch "convert"(%[[D]], %[[X]]) access [write, read] args [4] : memref<4xf64>, memref<4xf32>
// CHECK-NEXT: %[[S:.*]] = exec.alloc : memref<f64>
// CHECK-NEXT: exec.launch "reduce_leading"(%[[S]], %[[D]]) access [write, read] args [4, 1]
// CHECK-NEXT: %[[LR:.*]] = exec.alloc : memref<f32>
// CHECK-NEXT: exec.fill %[[LR]], 1.000000e-03
// CHECK-NEXT: %[[LROUT:.*]] = exec.global_ref @io.lr : memref<f32>
// CHECK-NEXT: exec.copy %[[LROUT]], %[[LR]] : memref<f32>, memref<f32>
// CHECK-NEXT: %[[NORM:.*]] = exec.global_ref @io.grad_norm : memref<f32>
// CHECK-NEXT: exec.launch "convert"(%[[NORM]], %[[S]]) access [write, read] args [1] : memref<f32>, memref<f64>
// CHECK-NEXT: return
module @casts {
  graph.param @x : tensor<4xf32> weight init #graph.init<zeros>
  func.func @micro_step(%tok: tensor<2x5xi32> {ptc.input = "tokens"}) -> tensor<f32>
      attributes {ptc.entry = "micro_step"} {
    %z = graph.zeros : tensor<f32>
    return %z : tensor<f32>
  }
  func.func @optimizer_step(%step: tensor<i64> {ptc.input = "step"}) -> (tensor<f32>, tensor<f64>)
      attributes {ptc.entry = "optimizer_step"} {
    %x = graph.param_ref @x : tensor<4xf32>
    %same = graph.cast %x : tensor<4xf32> to tensor<4xf32>
    %d = graph.cast %same : tensor<4xf32> to tensor<4xf64>
    %s = graph.reduce_sum %d [0] : tensor<4xf64> -> tensor<f64>
    %lr = graph.fill 1.0e-3 : tensor<f32>
    return %lr, %s : tensor<f32>, tensor<f64>
  }
}
