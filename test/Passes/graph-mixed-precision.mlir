// RUN: %ptc-opt %s -split-input-file -graph-mixed-precision | FileCheck %s
// RUN: %ptc-opt %s -split-input-file -graph-mixed-precision=precision=bf16 | FileCheck %s --check-prefix=BF16

// Tests that the option precision=fp32 (what the cpu target passes) leaves
// every module, bf16 ones included, exactly as it was.
// RUN: %ptc-opt %s -split-input-file > %t.plain
// RUN: %ptc-opt %s -split-input-file -graph-mixed-precision=precision=fp32 > %t.fp32
// RUN: diff %t.plain %t.fp32

// Tests that autodiff differentiates through the casts: every parameter
// gradient of the block below has its parameter's f32 type.
// RUN: %ptc-opt %s -split-input-file -graph-mixed-precision -graph-autodiff | FileCheck %s --check-prefix=GRAD

// Tests that linear, matmul and attention compute in bf16: their float
// operands are cast, each parameter once, right after its graph.param_ref
// (the second linear reuses the cast of @w), and that the function's result
// is cast back to its f32 type.

// CHECK-LABEL: module @matmuls
module @matmuls attributes {ptc.training = #graph.training<decay_steps = 1, global_batch_size = 1, micro_batch_size = 1, steps = 1, precision = bf16>} {
  graph.param @w : tensor<8x8xf32> weight init #graph.init<normal, std = 0.02>
  graph.param @b : tensor<8xf32> bias init #graph.init<zeros>
  // CHECK: func.func @forward(%[[X:.*]]: tensor<2x4x8xf32>) -> tensor<2x4x4xf32>
  func.func @forward(%x: tensor<2x4x8xf32>) -> tensor<2x4x4xf32> {
    // CHECK: %[[XC:.*]] = graph.cast %[[X]] : tensor<2x4x8xf32> to tensor<2x4x8xbf16>
    // CHECK: %[[W:.*]] = graph.param_ref @w : tensor<8x8xf32>
    // CHECK-NEXT: %[[WC:.*]] = graph.cast %[[W]] : tensor<8x8xf32> to tensor<8x8xbf16>
    // CHECK-NEXT: %[[B:.*]] = graph.param_ref @b : tensor<8xf32>
    // CHECK-NEXT: %[[BC:.*]] = graph.cast %[[B]] : tensor<8xf32> to tensor<8xbf16>
    // CHECK-NEXT: %[[Y:.*]] = graph.linear %[[XC]], %[[WC]], %[[BC]] : (tensor<2x4x8xbf16>, tensor<8x8xbf16>, tensor<8xbf16>) -> tensor<2x4x8xbf16>
    // CHECK-NEXT: %[[Z:.*]] = graph.linear %[[Y]], %[[WC]] : {{.*}} -> tensor<2x4x8xbf16>
    // CHECK-NEXT: %[[S:.*]] = graph.matmul %[[Y]], %[[Z]] {transpose_rhs} : {{.*}} -> tensor<2x4x4xbf16>
    // CHECK-NEXT: %[[Q:.*]] = graph.reshape %[[S]] : tensor<2x4x4xbf16> to tensor<2x2x2x4xbf16>
    // CHECK-NEXT: %[[O:.*]] = graph.attention %[[Q]], %[[Q]], %[[Q]] {causal} : tensor<2x2x2x4xbf16>
    // CHECK-NEXT: %[[R:.*]] = graph.reshape %[[O]] : tensor<2x2x2x4xbf16> to tensor<2x4x4xbf16>
    // CHECK-NEXT: %[[RC:.*]] = graph.cast %[[R]] : tensor<2x4x4xbf16> to tensor<2x4x4xf32>
    // CHECK-NEXT: return %[[RC]] : tensor<2x4x4xf32>
    %w = graph.param_ref @w : tensor<8x8xf32>
    %b = graph.param_ref @b : tensor<8xf32>
    %y = graph.linear %x, %w, %b : (tensor<2x4x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
    %z = graph.linear %y, %w : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
    %s = graph.matmul %y, %z {transpose_rhs} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x4xf32>
    %q = graph.reshape %s : tensor<2x4x4xf32> to tensor<2x2x2x4xf32>
    %o = graph.attention %q, %q, %q {causal} : tensor<2x2x2x4xf32>, tensor<2x2x2x4xf32>, tensor<2x2x2x4xf32>
    %r = graph.reshape %o : tensor<2x2x2x4xf32> to tensor<2x4x4xf32>
    return %r : tensor<2x4x4xf32>
  }
}

// -----

// Tests that layer_norm, rms_norm and cross_entropy compute in f32: a bf16
// input is cast to f32, the parameters (f32 already) are read as they are,
// and the loss is f32.

// CHECK-LABEL: module @norms_and_loss
module @norms_and_loss attributes {ptc.training = #graph.training<decay_steps = 1, global_batch_size = 1, micro_batch_size = 1, steps = 1, precision = bf16>} {
  graph.param @w : tensor<8x8xf32> weight init #graph.init<normal, std = 0.02>
  graph.param @g : tensor<8xf32> norm_scale init #graph.init<ones>
  graph.param @b : tensor<8xf32> norm_bias init #graph.init<zeros>
  // CHECK: func.func @forward
  func.func @forward(%x: tensor<2x4x8xf32>, %t: tensor<2x4xi32>) -> tensor<f32> {
    // CHECK: %[[G:.*]] = graph.param_ref @g : tensor<8xf32>
    // CHECK-NOT: graph.cast %[[G]]
    // CHECK: %[[Y:.*]] = graph.linear {{.*}} -> tensor<2x4x8xbf16>
    // CHECK-NEXT: %[[YC:.*]] = graph.cast %[[Y]] : tensor<2x4x8xbf16> to tensor<2x4x8xf32>
    // CHECK-NEXT: %[[N:.*]] = graph.layer_norm %[[YC]], %[[G]], %{{.*}} : tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>
    // CHECK-NEXT: %[[M:.*]] = graph.rms_norm %[[YC]], %[[G]] : tensor<2x4x8xf32>, tensor<8xf32>
    // CHECK-NEXT: %[[A:.*]] = graph.add %[[N]], %[[M]] : tensor<2x4x8xf32>, tensor<2x4x8xf32>
    // CHECK: %[[L:.*]] = graph.linear {{.*}} -> tensor<2x4x8xbf16>
    // CHECK-NEXT: %[[LOSS:.*]] = graph.cross_entropy %[[L]], %{{.*}} {num_classes = 8 : i64} : (tensor<2x4x8xbf16>, tensor<2x4xi32>) -> tensor<f32>
    // CHECK-NEXT: return %[[LOSS]] : tensor<f32>
    %w = graph.param_ref @w : tensor<8x8xf32>
    %g = graph.param_ref @g : tensor<8xf32>
    %b = graph.param_ref @b : tensor<8xf32>
    %y = graph.linear %x, %w : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
    %n = graph.layer_norm %y, %g, %b : tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>
    %m = graph.rms_norm %y, %g : tensor<2x4x8xf32>, tensor<8xf32>
    %a = graph.add %n, %m : tensor<2x4x8xf32>, tensor<2x4x8xf32>
    %l = graph.linear %a, %w : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
    %loss = graph.cross_entropy %l, %t {num_classes = 8 : i64} : (tensor<2x4x8xf32>, tensor<2x4xi32>) -> tensor<f32>
    return %loss : tensor<f32>
  }
}

// -----

// Tests the promotion of the elementwise and shape ops: a bf16 projection
// added to the f32 residual is cast to f32 (the residual stays f32, also as
// the broadcast rhs), ops on bf16 operands only stay bf16 (gelu, mul, split,
// concat, scale), and an f32 embedding is f32.

// CHECK-LABEL: module @residual
module @residual attributes {ptc.training = #graph.training<decay_steps = 1, global_batch_size = 1, micro_batch_size = 1, steps = 1, precision = bf16>} {
  graph.param @w : tensor<8x8xf32> weight init #graph.init<normal, std = 0.02>
  graph.param @wpe : tensor<4x8xf32> position_embedding init #graph.init<normal, std = 0.02>
  // CHECK: func.func @forward
  func.func @forward(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
    // CHECK: %[[WPE:.*]] = graph.param_ref @wpe
    // CHECK-NEXT: %[[P:.*]] = graph.position_embedding %[[WPE]] : tensor<4x8xf32> -> tensor<4x8xf32>
    // CHECK: %[[Y:.*]] = graph.linear {{.*}} -> tensor<2x4x8xbf16>
    // CHECK-NEXT: %[[YC:.*]] = graph.cast %[[Y]] : tensor<2x4x8xbf16> to tensor<2x4x8xf32>
    // CHECK-NEXT: %[[G:.*]] = graph.gelu %[[Y]] tanh : tensor<2x4x8xbf16>
    // CHECK-NEXT: %[[M:.*]] = graph.mul %[[G]], %[[Y]] : tensor<2x4x8xbf16>, tensor<2x4x8xbf16>
    // CHECK-NEXT: %[[S:.*]]:2 = graph.split %[[M]] {axis = 2 : i64} : tensor<2x4x8xbf16> -> tensor<2x4x4xbf16>, tensor<2x4x4xbf16>
    // CHECK-NEXT: %[[C:.*]] = graph.concat %[[S]]#1, %[[S]]#0 {axis = 2 : i64} : {{.*}} -> tensor<2x4x8xbf16>
    // CHECK-NEXT: %[[K:.*]] = graph.scale %[[C]] {factor = 5.000000e-01 : f64} : tensor<2x4x8xbf16>
    // CHECK-NEXT: %[[KC:.*]] = graph.cast %[[K]] : tensor<2x4x8xbf16> to tensor<2x4x8xf32>
    // CHECK-NEXT: %[[R1:.*]] = graph.add %{{.*}}, %[[YC]] : tensor<2x4x8xf32>, tensor<2x4x8xf32>
    // CHECK-NEXT: %[[R2:.*]] = graph.add %[[KC]], %[[P]] : tensor<2x4x8xf32>, tensor<4x8xf32>
    // CHECK-NEXT: %[[R3:.*]] = graph.add %[[R1]], %[[R2]] : tensor<2x4x8xf32>, tensor<2x4x8xf32>
    // CHECK-NEXT: return %[[R3]] : tensor<2x4x8xf32>
    %wpe = graph.param_ref @wpe : tensor<4x8xf32>
    %p = graph.position_embedding %wpe : tensor<4x8xf32> -> tensor<4x8xf32>
    %w = graph.param_ref @w : tensor<8x8xf32>
    %y = graph.linear %x, %w : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
    %g = graph.gelu %y tanh : tensor<2x4x8xf32>
    %m = graph.mul %g, %y : tensor<2x4x8xf32>, tensor<2x4x8xf32>
    %s:2 = graph.split %m {axis = 2 : i64} : tensor<2x4x8xf32> -> tensor<2x4x4xf32>, tensor<2x4x4xf32>
    %c = graph.concat %s#1, %s#0 {axis = 2 : i64} : tensor<2x4x4xf32>, tensor<2x4x4xf32> -> tensor<2x4x8xf32>
    %k = graph.scale %c {factor = 0.5 : f64} : tensor<2x4x8xf32>
    %r1 = graph.add %x, %y : tensor<2x4x8xf32>, tensor<2x4x8xf32>
    %r2 = graph.add %k, %p : tensor<2x4x8xf32>, tensor<4x8xf32>
    %r3 = graph.add %r1, %r2 : tensor<2x4x8xf32>, tensor<2x4x8xf32>
    return %r3 : tensor<2x4x8xf32>
  }
}

// -----

// Tests that layer units are retyped consistently: a unit that yields a bf16
// projection gets a bf16 result, the next unit a bf16 body argument (its
// integer input unchanged) and, through silu, a bf16 result too; the
// function's f32 result is a cast of it.

// CHECK-LABEL: module @layers
module @layers attributes {ptc.training = #graph.training<decay_steps = 1, global_batch_size = 1, micro_batch_size = 1, steps = 1, precision = bf16>} {
  graph.param @w : tensor<8x8xf32> weight init #graph.init<normal, std = 0.02>
  // CHECK: func.func @forward
  func.func @forward(%x: tensor<2x4x8xf32>, %ids: tensor<2x4xi32>) -> tensor<2x4x8xf32> {
    // CHECK: %[[A:.*]] = graph.layer block 0 (%{{.*}} = %{{.*}} : tensor<2x4x8xf32>) -> tensor<2x4x8xbf16> {
    // CHECK: %[[Y:.*]] = graph.linear {{.*}} -> tensor<2x4x8xbf16>
    // CHECK-NEXT: graph.yield %[[Y]] : tensor<2x4x8xbf16>
    // CHECK: %[[B:.*]] = graph.layer block 1 (%[[ARG:.*]] = %[[A]] : tensor<2x4x8xbf16>, %{{.*}} = %{{.*}} : tensor<2x4xi32>) -> tensor<2x4x8xbf16> {
    // CHECK-NEXT: %[[S:.*]] = graph.silu %[[ARG]] : tensor<2x4x8xbf16>
    // CHECK-NEXT: graph.yield %[[S]] : tensor<2x4x8xbf16>
    // CHECK: %[[BC:.*]] = graph.cast %[[B]] : tensor<2x4x8xbf16> to tensor<2x4x8xf32>
    // CHECK-NEXT: return %[[BC]] : tensor<2x4x8xf32>
    %a = graph.layer block 0 (%h = %x : tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
      %w = graph.param_ref @w : tensor<8x8xf32>
      %y = graph.linear %h, %w : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
      graph.yield %y : tensor<2x4x8xf32>
    }
    %b = graph.layer block 1 (%h = %a : tensor<2x4x8xf32>, %i = %ids : tensor<2x4xi32>) -> tensor<2x4x8xf32> {
      %s = graph.silu %h : tensor<2x4x8xf32>
      graph.yield %s : tensor<2x4x8xf32>
    }
    return %b : tensor<2x4x8xf32>
  }
}

// -----

// Tests that fp32 and fp64 modules are left unchanged, and that the option
// precision=bf16 overrides the module's precision.

// CHECK-LABEL: module @fp32
// BF16-LABEL: module @fp32
module @fp32 attributes {ptc.training = #graph.training<decay_steps = 1, global_batch_size = 1, micro_batch_size = 1, steps = 1, precision = fp32>} {
  graph.param @w : tensor<8x8xf32> weight init #graph.init<normal, std = 0.02>
  // CHECK-NOT: graph.cast
  // CHECK: graph.linear {{.*}} -> tensor<2x4x8xf32>
  // CHECK-NOT: graph.cast
  // BF16: graph.cast
  // BF16: graph.linear {{.*}} -> tensor<2x4x8xbf16>
  func.func @forward(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
    %w = graph.param_ref @w : tensor<8x8xf32>
    %y = graph.linear %x, %w : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
    return %y : tensor<2x4x8xf32>
  }
}

// -----

// CHECK-LABEL: module @fp64
module @fp64 attributes {ptc.training = #graph.training<decay_steps = 1, global_batch_size = 1, micro_batch_size = 1, steps = 1, precision = fp64>} {
  graph.param @w : tensor<8x8xf64> weight init #graph.init<normal, std = 0.02>
  // CHECK-NOT: graph.cast
  // CHECK: graph.linear {{.*}} -> tensor<2x4x8xf64>
  // CHECK-NOT: graph.cast
  func.func @forward(%x: tensor<2x4x8xf64>) -> tensor<2x4x8xf64> {
    %w = graph.param_ref @w : tensor<8x8xf64>
    %y = graph.linear %x, %w : (tensor<2x4x8xf64>, tensor<8x8xf64>) -> tensor<2x4x8xf64>
    return %y : tensor<2x4x8xf64>
  }
}

// -----

// Tests that a module without precision (and without the option) is left
// unchanged, and that only the function named by the `function` option
// (@forward by default) is rewritten.

// CHECK-LABEL: module @unset
// BF16-LABEL: module @unset
module @unset {
  graph.param @w : tensor<8x8xf32> weight init #graph.init<normal, std = 0.02>
  // CHECK-NOT: graph.cast
  // BF16: func.func @forward
  // BF16: graph.linear {{.*}} -> tensor<2x4x8xbf16>
  // BF16: func.func @other
  // BF16-NOT: graph.cast
  // BF16: graph.linear {{.*}} -> tensor<2x4x8xf32>
  func.func @forward(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
    %w = graph.param_ref @w : tensor<8x8xf32>
    %y = graph.linear %x, %w : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
    return %y : tensor<2x4x8xf32>
  }
  func.func @other(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
    %w = graph.param_ref @w : tensor<8x8xf32>
    %y = graph.linear %x, %w : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
    return %y : tensor<2x4x8xf32>
  }
}

// -----

// Tests a whole GPT-2 model of one block: the embedding unit stays f32, the
// block computes its norms in f32 and its projections and attention core in
// bf16 (weights and biases cast after their param_ref), adds each projection
// back to the f32 residual stream and yields f32; the loss reads the bf16
// logits of the tied projection as they are and gives an f32 loss.

// CHECK-LABEL: module @gpt2
// GRAD-LABEL: module @gpt2
module @gpt2 attributes {ptc.training = #graph.training<decay_steps = 1, global_batch_size = 1, micro_batch_size = 1, steps = 1, precision = bf16>} {
  graph.param @wte : tensor<16x8xf32> token_embedding init #graph.init<normal, std = 0.02>
  graph.param @wpe : tensor<4x8xf32> position_embedding init #graph.init<normal, std = 0.02>
  graph.param @ln1.w : tensor<8xf32> norm_scale init #graph.init<ones>
  graph.param @ln1.b : tensor<8xf32> norm_bias init #graph.init<zeros>
  graph.param @qkv.w : tensor<24x8xf32> weight init #graph.init<normal, std = 0.02>
  graph.param @qkv.b : tensor<24xf32> bias init #graph.init<zeros>
  graph.param @proj.w : tensor<8x8xf32> weight init #graph.init<normal, std = 0.02>
  graph.param @proj.b : tensor<8xf32> bias init #graph.init<zeros>
  graph.param @ln2.w : tensor<8xf32> norm_scale init #graph.init<ones>
  graph.param @ln2.b : tensor<8xf32> norm_bias init #graph.init<zeros>
  graph.param @fc.w : tensor<32x8xf32> weight init #graph.init<normal, std = 0.02>
  graph.param @fc.b : tensor<32xf32> bias init #graph.init<zeros>
  graph.param @out.w : tensor<8x32xf32> weight init #graph.init<normal, std = 0.02>
  graph.param @out.b : tensor<8xf32> bias init #graph.init<zeros>
  graph.param @lnf.w : tensor<8xf32> norm_scale init #graph.init<ones>
  graph.param @lnf.b : tensor<8xf32> norm_bias init #graph.init<zeros>
  // CHECK: func.func @forward
  // CHECK: graph.layer embedding 0 ({{.*}}) -> tensor<2x4x8xf32>
  // CHECK-NOT: graph.cast
  // CHECK: graph.yield %{{.*}} : tensor<2x4x8xf32>
  // CHECK: graph.layer block 0 (%[[H:.*]] = %{{.*}} : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  // CHECK: %[[N1:.*]] = graph.layer_norm %[[H]], {{.*}} : tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>
  // CHECK-NEXT: %[[N1C:.*]] = graph.cast %[[N1]] : tensor<2x4x8xf32> to tensor<2x4x8xbf16>
  // CHECK-NEXT: %[[WQKV:.*]] = graph.param_ref @qkv.w : tensor<24x8xf32>
  // CHECK-NEXT: %[[WQKVC:.*]] = graph.cast %[[WQKV]] : tensor<24x8xf32> to tensor<24x8xbf16>
  // CHECK-NEXT: %[[BQKV:.*]] = graph.param_ref @qkv.b : tensor<24xf32>
  // CHECK-NEXT: %[[BQKVC:.*]] = graph.cast %[[BQKV]] : tensor<24xf32> to tensor<24xbf16>
  // CHECK-NEXT: graph.linear %[[N1C]], %[[WQKVC]], %[[BQKVC]] : {{.*}} -> tensor<2x4x24xbf16>
  // CHECK: graph.attention {{.*}} : tensor<2x2x4x4xbf16>, tensor<2x2x4x4xbf16>, tensor<2x2x4x4xbf16>
  // CHECK: %[[A:.*]] = graph.linear {{.*}} -> tensor<2x4x8xbf16>
  // CHECK-NEXT: %[[AC:.*]] = graph.cast %[[A]] : tensor<2x4x8xbf16> to tensor<2x4x8xf32>
  // CHECK-NEXT: %[[R:.*]] = graph.add %[[H]], %[[AC]] : tensor<2x4x8xf32>, tensor<2x4x8xf32>
  // CHECK: graph.layer_norm %[[R]], {{.*}} : tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>
  // CHECK: %[[F:.*]] = graph.linear {{.*}} -> tensor<2x4x32xbf16>
  // CHECK-NEXT: %[[G:.*]] = graph.gelu %[[F]] tanh : tensor<2x4x32xbf16>
  // CHECK: %[[M:.*]] = graph.linear %[[G]], {{.*}} -> tensor<2x4x8xbf16>
  // CHECK-NEXT: %[[MC:.*]] = graph.cast %[[M]] : tensor<2x4x8xbf16> to tensor<2x4x8xf32>
  // CHECK-NEXT: %[[OUT:.*]] = graph.add %[[R]], %[[MC]] : tensor<2x4x8xf32>, tensor<2x4x8xf32>
  // CHECK-NEXT: graph.yield %[[OUT]] : tensor<2x4x8xf32>
  // CHECK: graph.layer head 0 ({{.*}}) -> tensor<f32>
  // CHECK: graph.layer_norm {{.*}} : tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>
  // CHECK: %[[WTE:.*]] = graph.param_ref @wte : tensor<16x8xf32>
  // CHECK-NEXT: %[[WTEC:.*]] = graph.cast %[[WTE]] : tensor<16x8xf32> to tensor<16x8xbf16>
  // CHECK-NEXT: %[[LOGITS:.*]] = graph.linear %{{.*}}, %[[WTEC]] : {{.*}} -> tensor<2x4x16xbf16>
  // CHECK-NEXT: graph.cross_entropy %[[LOGITS]], {{.*}} : (tensor<2x4x16xbf16>, tensor<2x4xi32>) -> tensor<f32>
  // CHECK: return %{{.*}} : tensor<f32>

  // The gradients come back in f32, in declaration order; wte's sums those
  // of the embedding and of the head in f32.
  // GRAD: func.func @train_step
  // GRAD-SAME: -> (tensor<f32>, tensor<16x8xf32>, tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<24x8xf32>, tensor<24xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<32x8xf32>, tensor<32xf32>, tensor<8x32xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  // GRAD: graph.layer head_backward 0
  // GRAD: graph.cast %{{.*}} : tensor<16x8xbf16> to tensor<16x8xf32>
  // GRAD: graph.layer block_backward 0
  // GRAD: graph.cast %{{.*}} : tensor<24x8xbf16> to tensor<24x8xf32>
  // GRAD: graph.add %{{.*}}, %{{.*}} : tensor<16x8xf32>, tensor<16x8xf32>
  func.func @forward(%ids: tensor<2x4xi32>, %targets: tensor<2x4xi32>) -> tensor<f32> {
    %e = graph.layer embedding 0 (%i = %ids : tensor<2x4xi32>) -> tensor<2x4x8xf32> {
      %wte = graph.param_ref @wte : tensor<16x8xf32>
      %x = graph.embedding %wte[%i] : (tensor<16x8xf32>, tensor<2x4xi32>) -> tensor<2x4x8xf32>
      %wpe = graph.param_ref @wpe : tensor<4x8xf32>
      %p = graph.position_embedding %wpe : tensor<4x8xf32> -> tensor<4x8xf32>
      %s = graph.add %x, %p : tensor<2x4x8xf32>, tensor<4x8xf32>
      graph.yield %s : tensor<2x4x8xf32>
    }
    %y = graph.layer block 0 (%h = %e : tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
      %w1 = graph.param_ref @ln1.w : tensor<8xf32>
      %b1 = graph.param_ref @ln1.b : tensor<8xf32>
      %n = graph.layer_norm %h, %w1, %b1 : tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>
      %wqkv = graph.param_ref @qkv.w : tensor<24x8xf32>
      %bqkv = graph.param_ref @qkv.b : tensor<24xf32>
      %qkv = graph.linear %n, %wqkv, %bqkv : (tensor<2x4x8xf32>, tensor<24x8xf32>, tensor<24xf32>) -> tensor<2x4x24xf32>
      %q, %k, %v = graph.split %qkv {axis = 2 : i64} : tensor<2x4x24xf32> -> tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>
      %q4 = graph.reshape %q : tensor<2x4x8xf32> to tensor<2x4x2x4xf32>
      %qt = graph.transpose %q4 [0, 2, 1, 3] : tensor<2x4x2x4xf32> to tensor<2x2x4x4xf32>
      %k4 = graph.reshape %k : tensor<2x4x8xf32> to tensor<2x4x2x4xf32>
      %kt = graph.transpose %k4 [0, 2, 1, 3] : tensor<2x4x2x4xf32> to tensor<2x2x4x4xf32>
      %v4 = graph.reshape %v : tensor<2x4x8xf32> to tensor<2x4x2x4xf32>
      %vt = graph.transpose %v4 [0, 2, 1, 3] : tensor<2x4x2x4xf32> to tensor<2x2x4x4xf32>
      %o = graph.attention %qt, %kt, %vt {causal} : tensor<2x2x4x4xf32>, tensor<2x2x4x4xf32>, tensor<2x2x4x4xf32>
      %ot = graph.transpose %o [0, 2, 1, 3] : tensor<2x2x4x4xf32> to tensor<2x4x2x4xf32>
      %o3 = graph.reshape %ot : tensor<2x4x2x4xf32> to tensor<2x4x8xf32>
      %wp = graph.param_ref @proj.w : tensor<8x8xf32>
      %bp = graph.param_ref @proj.b : tensor<8xf32>
      %a = graph.linear %o3, %wp, %bp : (tensor<2x4x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
      %r = graph.add %h, %a : tensor<2x4x8xf32>, tensor<2x4x8xf32>
      %w2 = graph.param_ref @ln2.w : tensor<8xf32>
      %b2 = graph.param_ref @ln2.b : tensor<8xf32>
      %n2 = graph.layer_norm %r, %w2, %b2 : tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>
      %wfc = graph.param_ref @fc.w : tensor<32x8xf32>
      %bfc = graph.param_ref @fc.b : tensor<32xf32>
      %f = graph.linear %n2, %wfc, %bfc : (tensor<2x4x8xf32>, tensor<32x8xf32>, tensor<32xf32>) -> tensor<2x4x32xf32>
      %g = graph.gelu %f tanh : tensor<2x4x32xf32>
      %wo = graph.param_ref @out.w : tensor<8x32xf32>
      %bo = graph.param_ref @out.b : tensor<8xf32>
      %m = graph.linear %g, %wo, %bo : (tensor<2x4x32xf32>, tensor<8x32xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
      %out = graph.add %r, %m : tensor<2x4x8xf32>, tensor<2x4x8xf32>
      graph.yield %out : tensor<2x4x8xf32>
    }
    %loss = graph.layer head 0 (%x = %y : tensor<2x4x8xf32>, %t = %targets : tensor<2x4xi32>) -> tensor<f32> {
      %wf = graph.param_ref @lnf.w : tensor<8xf32>
      %bf = graph.param_ref @lnf.b : tensor<8xf32>
      %n = graph.layer_norm %x, %wf, %bf : tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>
      %wte = graph.param_ref @wte : tensor<16x8xf32>
      %logits = graph.linear %n, %wte : (tensor<2x4x8xf32>, tensor<16x8xf32>) -> tensor<2x4x16xf32>
      %l = graph.cross_entropy %logits, %t {num_classes = 16 : i64} : (tensor<2x4x16xf32>, tensor<2x4xi32>) -> tensor<f32>
      graph.yield %l : tensor<f32>
    }
    return %loss : tensor<f32>
  }
}

// -----

// Tests that the dist collectives follow their operands: the row-parallel
// partial sums of a bf16 product are all-reduced in bf16 (the f32 bias add
// then reads an f32 cast of the sum), and dist.all_reduce_grad in front of a bf16
// product takes bf16 itself, the cast moving before it, so that its VJP
// sums the input gradient over tp in bf16; a loss's f32 all-reduce stays
// f32.

// CHECK-LABEL: module @collectives
module @collectives attributes {ptc.training = #graph.training<decay_steps = 1, global_batch_size = 1, micro_batch_size = 1, steps = 1, precision = bf16>} {
  dist.mesh @mesh axes [pp = 1, dp = 1, tp = 2]
  graph.param @w : tensor<8x4xf32> weight init #graph.init<normal, std = 0.02>
  graph.param @b : tensor<8xf32> bias init #graph.init<zeros>
  // CHECK: func.func @forward(%[[X:.*]]: tensor<2x4x4xf32>)
  func.func @forward(%x: tensor<2x4x4xf32>) -> (tensor<2x4x8xf32>, tensor<f32>) {
    // CHECK-NEXT: %[[XC:.*]] = graph.cast %[[X]] : tensor<2x4x4xf32> to tensor<2x4x4xbf16>
    // CHECK-NEXT: %[[F:.*]] = dist.all_reduce_grad %[[XC]] on @mesh axes [tp] : tensor<2x4x4xbf16>
    // CHECK: %[[Y:.*]] = graph.linear %[[F]], %{{.*}} : {{.*}} -> tensor<2x4x8xbf16>
    // CHECK-NEXT: %[[S:.*]] = dist.all_reduce %[[Y]] on @mesh axes [tp] reduction sum : tensor<2x4x8xbf16>
    // CHECK-NEXT: %[[SC:.*]] = graph.cast %[[S]] : tensor<2x4x8xbf16> to tensor<2x4x8xf32>
    // CHECK: graph.add %[[SC]], %{{.*}} : tensor<2x4x8xf32>, tensor<8xf32>
    // CHECK: dist.all_reduce %{{.*}} on @mesh axes [dp] reduction sum : tensor<f32>
    %f = dist.all_reduce_grad %x on @mesh axes [tp] : tensor<2x4x4xf32>
    %w = graph.param_ref @w : tensor<8x4xf32>
    %y = graph.linear %f, %w : (tensor<2x4x4xf32>, tensor<8x4xf32>) -> tensor<2x4x8xf32>
    %s = dist.all_reduce %y on @mesh axes [tp] reduction sum : tensor<2x4x8xf32>
    %b = graph.param_ref @b : tensor<8xf32>
    %z = graph.add %s, %b : tensor<2x4x8xf32>, tensor<8xf32>
    %l = graph.reduce_sum %z [0, 1, 2] : tensor<2x4x8xf32> -> tensor<f32>
    %a = dist.all_reduce %l on @mesh axes [dp] reduction sum : tensor<f32>
    return %z, %a : tensor<2x4x8xf32>, tensor<f32>
  }
}
