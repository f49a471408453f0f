// RUN: %ptc-opt %s -split-input-file -graph-optimizer | FileCheck %s

// Tests the training loop's entry points from a @train_step as graph-autodiff
// leaves it (the loss, then one gradient per parameter of ptc.gradients;
// written by hand: the pass reads only the signature) with dp = 2: 8
// sequences per step in micro-batches of 2 on each of 2 ranks are 2
// micro-steps, so @micro_step adds each gradient x 1/2 into its accumulator
// and records the count (ptc.micro_steps, which dist-step-schedule reads);
// @optimizer_step takes the global norm over the accumulators, the clipping
// factor, the linear schedule's rate at `step`, AdamW with the spec's
// betas and eps and decay on the matrices only (decay_embeddings = false:
// not on the token embedding; never on biases and norms), then zeroes the
// accumulators and returns (lr, grad_norm); @forward is the eval step.

// CHECK-LABEL: module @dp2
module @dp2 attributes {ptc.parallel = #dist.parallel<dp = 2>, ptc.training = #graph.training<lr = 1.0e-03, beta1 = 0.75, beta2 = 0.875, eps = 3.125e-02, weight_decay = 0.25, decay_embeddings = false, lr_schedule = linear, warmup_steps = 2, decay_steps = 10, min_lr = 1.0e-04, global_batch_size = 8, micro_batch_size = 2, steps = 10, precision = fp32, grad_clip = 0.5>} {
  graph.param @wte : tensor<16x8xf32> token_embedding init #graph.init<normal, std = 0.02>
  graph.param @w : tensor<8x8xf32> weight init #graph.init<normal, std = 0.02>
  graph.param @b : tensor<8xf32> bias init #graph.init<zeros>
  graph.param @g : tensor<8xf32> norm_scale init #graph.init<ones>
  // CHECK: func.func @forward({{.*}}) -> tensor<f32> attributes {ptc.entry = "eval_step"}
  func.func @forward(%tokens: tensor<2x4xi32> {ptc.input = "tokens"}, %loss: tensor<f32>) -> tensor<f32> {
    return %loss : tensor<f32>
  }
  // CHECK-LABEL: func.func @micro_step
  // CHECK-SAME: (%{{.*}}: tensor<2x4xi32> {ptc.input = "tokens"}, %[[LOSS:.*]]: tensor<f32>, %[[DWTE:.*]]: tensor<16x8xf32>, %[[DW:.*]]: tensor<8x8xf32>, %[[DB:.*]]: tensor<8xf32>, %[[DG:.*]]: tensor<8xf32>) -> tensor<f32>
  // CHECK-SAME: attributes {ptc.entry = "micro_step", ptc.micro_steps = 2 : i64} {
  // CHECK-NEXT: graph.accumulate_grad @wte, %[[DWTE]] {scale = 5.000000e-01 : f64} : tensor<16x8xf32>
  // CHECK-NEXT: graph.accumulate_grad @w, %[[DW]] {scale = 5.000000e-01 : f64} : tensor<8x8xf32>
  // CHECK-NEXT: graph.accumulate_grad @b, %[[DB]] {scale = 5.000000e-01 : f64} : tensor<8xf32>
  // CHECK-NEXT: graph.accumulate_grad @g, %[[DG]] {scale = 5.000000e-01 : f64} : tensor<8xf32>
  // CHECK-NEXT: return %[[LOSS]] : tensor<f32>
  // CHECK-NOT: func.func @train_step
  func.func @train_step(%tokens: tensor<2x4xi32> {ptc.input = "tokens"}, %loss: tensor<f32>, %dwte: tensor<16x8xf32>, %dw: tensor<8x8xf32>, %db: tensor<8xf32>, %dg: tensor<8xf32>) -> (tensor<f32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<8xf32>) attributes {ptc.gradients = [@wte, @w, @b, @g], ptc.input_gradients = array<i64>} {
    return %loss, %dwte, %dw, %db, %dg : tensor<f32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<8xf32>
  }
  // CHECK-LABEL: func.func @optimizer_step
  // CHECK-SAME: (%[[STEP:.*]]: tensor<i64> {ptc.input = "step"}) -> (tensor<f32>, tensor<f32>) attributes {ptc.entry = "optimizer_step"}
  // CHECK-NEXT: %[[GWTE:.*]] = graph.grad_ref @wte : tensor<16x8xf32>
  // CHECK-NEXT: %[[GW:.*]] = graph.grad_ref @w : tensor<8x8xf32>
  // CHECK-NEXT: %[[GB:.*]] = graph.grad_ref @b : tensor<8xf32>
  // CHECK-NEXT: %[[GG:.*]] = graph.grad_ref @g : tensor<8xf32>
  // CHECK-NEXT: %[[NORM:.*]] = graph.global_norm %[[GWTE]], %[[GW]], %[[GB]], %[[GG]] :
  // CHECK-NEXT: %[[FACTOR:.*]] = graph.clip_factor %[[NORM]] {max_norm = 5.000000e-01 : f64}
  // CHECK-NEXT: %[[LR:.*]] = graph.lr_schedule %[[STEP]] {decay_steps = 10 : i64, lr = 1.000000e-03 : f64, min_lr = 1.000000e-04 : f64, schedule = "linear", warmup_steps = 2 : i64}
  // CHECK-NEXT: graph.adamw_update @wte, %[[GWTE]], %[[LR]], %[[FACTOR]], %[[STEP]] {beta1 = 7.500000e-01 : f64, beta2 = 8.750000e-01 : f64, eps = 3.125000e-02 : f64, weight_decay = 0.000000e+00 : f64}
  // CHECK-NEXT: graph.adamw_update @w, %[[GW]], %[[LR]], %[[FACTOR]], %[[STEP]] {beta1 = 7.500000e-01 : f64, beta2 = 8.750000e-01 : f64, eps = 3.125000e-02 : f64, weight_decay = 2.500000e-01 : f64}
  // CHECK-NEXT: graph.adamw_update @b, %[[GB]], %[[LR]], %[[FACTOR]], %[[STEP]] {{{.*}}weight_decay = 0.000000e+00 : f64}
  // CHECK-NEXT: graph.adamw_update @g, %[[GG]], %[[LR]], %[[FACTOR]], %[[STEP]] {{{.*}}weight_decay = 0.000000e+00 : f64}
  // CHECK-NEXT: graph.zero_grad @wte
  // CHECK-NEXT: graph.zero_grad @w
  // CHECK-NEXT: graph.zero_grad @b
  // CHECK-NEXT: graph.zero_grad @g
  // CHECK-NEXT: return %[[LR]], %[[NORM]] : tensor<f32>, tensor<f32>
}

// -----

// Tests the defaults without ptc.parallel (one rank: 8 / 2 = 4 micro-steps,
// each gradient x 1/4), the embeddings decaying (decay_embeddings' default),
// the output weight decaying too, the cosine schedule and the spec's
// default clip (1.0); and that a tied copy (the head's view of the token
// embedding on another pipeline rank) is updated but counted once in the
// norm, where its original is.

// CHECK-LABEL: module @defaults
module @defaults attributes {ptc.training = #graph.training<lr = 1.0e-03, weight_decay = 0.25, decay_steps = 10, global_batch_size = 8, micro_batch_size = 2, steps = 10, precision = fp32>} {
  graph.param @wpe : tensor<4x8xf32> position_embedding init #graph.init<normal, std = 0.02>
  graph.param @head : tensor<16x8xf32> output_weight init #graph.init<normal, std = 0.02> {ptc.tied_copy}
  // CHECK-LABEL: func.func @micro_step
  // CHECK-SAME: ptc.micro_steps = 4 : i64
  // CHECK: graph.accumulate_grad @wpe, %{{.*}} {scale = 2.500000e-01 : f64}
  // CHECK: graph.accumulate_grad @head, %{{.*}} {scale = 2.500000e-01 : f64}
  func.func @train_step(%loss: tensor<f32>, %dwpe: tensor<4x8xf32>, %dhead: tensor<16x8xf32>) -> (tensor<f32>, tensor<4x8xf32>, tensor<16x8xf32>) attributes {ptc.gradients = [@wpe, @head], ptc.input_gradients = array<i64>} {
    return %loss, %dwpe, %dhead : tensor<f32>, tensor<4x8xf32>, tensor<16x8xf32>
  }
  // CHECK-LABEL: func.func @optimizer_step
  // CHECK: %[[GWPE:.*]] = graph.grad_ref @wpe
  // CHECK: %[[GHEAD:.*]] = graph.grad_ref @head
  // CHECK: %[[NORM:.*]] = graph.global_norm %[[GWPE]] : tensor<4x8xf32> -> tensor<f32>
  // CHECK: graph.clip_factor %[[NORM]] {max_norm = 1.000000e+00 : f64}
  // CHECK: graph.lr_schedule %{{.*}} {{{.*}}schedule = "cosine", warmup_steps = 0 : i64}
  // CHECK: graph.adamw_update @wpe, %[[GWPE]], {{.*}}weight_decay = 2.500000e-01 : f64}
  // CHECK: graph.adamw_update @head, %[[GHEAD]], {{.*}}weight_decay = 2.500000e-01 : f64}
  // CHECK: graph.zero_grad @wpe
  // CHECK: graph.zero_grad @head
}

// -----

// Tests a batch-size ramp-up: @optimizer_step also takes the samples trained
// on (the schedule's position: its warm-up and decay counted in samples,
// 2 and 10 full-batch steps x 8) and the step's gradient scale, which
// multiplies the norm and the clipping factor (the accumulators were scaled
// for the full batch's micro-steps).

// CHECK-LABEL: module @rampup
module @rampup attributes {ptc.training = #graph.training<lr = 1.0e-03, warmup_steps = 2, decay_steps = 10, global_batch_size = 8, micro_batch_size = 2, steps = 10, precision = fp32, rampup_start = 4, rampup_increment = 2, rampup_samples = 64>} {
  graph.param @w : tensor<8x8xf32> weight init #graph.init<normal, std = 0.02>
  func.func @train_step(%loss: tensor<f32>, %dw: tensor<8x8xf32>) -> (tensor<f32>, tensor<8x8xf32>) attributes {ptc.gradients = [@w], ptc.input_gradients = array<i64>} {
    return %loss, %dw : tensor<f32>, tensor<8x8xf32>
  }
  // CHECK-LABEL: func.func @optimizer_step
  // CHECK-SAME: (%[[STEP:.*]]: tensor<i64> {ptc.input = "step"}, %[[SAMPLES:.*]]: tensor<i64> {ptc.input = "samples"}, %[[SCALE:.*]]: tensor<f32> {ptc.input = "grad_scale"})
  // CHECK: %[[G:.*]] = graph.grad_ref @w
  // CHECK: %[[SUM:.*]] = graph.global_norm %[[G]]
  // CHECK: %[[NORM:.*]] = graph.mul %[[SUM]], %[[SCALE]]
  // CHECK: %[[CLIP:.*]] = graph.clip_factor %[[NORM]]
  // CHECK: %[[FACTOR:.*]] = graph.mul %[[CLIP]], %[[SCALE]]
  // CHECK: %[[LR:.*]] = graph.lr_schedule %[[SAMPLES]] {decay_steps = 80 : i64, {{.*}}warmup_steps = 16 : i64}
  // CHECK: graph.adamw_update @w, %[[G]], %[[LR]], %[[FACTOR]], %[[STEP]]
  // CHECK: return %[[LR]], %[[NORM]]
}

// -----

// Tests a pipeline rank's module (after dist-pipeline-split and
// graph-autodiff; no @train_step): the last chunk's forward, which ends in
// the loss, is an entry point whose result is the loss (validation); its
// backward accumulates its gradients x 1/2 and returns the loss and the
// gradient of its stage input (slot stage1.input_grad), not the
// recomputed forward's other results nor its targets' (not float).

// CHECK-LABEL: module @pipeline_rank1
module @pipeline_rank1 attributes {ptc.pipeline_rank = 1 : i64, ptc.training = #graph.training<lr = 1.0e-03, decay_steps = 10, global_batch_size = 4, micro_batch_size = 2, steps = 10, precision = fp32>} {
  graph.param @w : tensor<8x8xf32> weight init #graph.init<normal, std = 0.02>
  // CHECK: func.func @stage1_forward({{.*}}) -> (tensor<f32> {ptc.output = "loss"}) attributes {ptc.entry = "stage1_forward", ptc.stage = 1 : i64}
  func.func @stage1_forward(%x: tensor<2x4x8xf32> {ptc.input = "stage1.input"}, %targets: tensor<2x4xi32> {ptc.input = "targets"}, %loss: tensor<f32>) -> tensor<f32> attributes {ptc.stage = 1 : i64} {
    return %loss : tensor<f32>
  }
  // CHECK-LABEL: func.func @stage1_backward
  // CHECK-SAME: (%{{.*}}: tensor<2x4x8xf32> {ptc.input = "stage1.input"}, %{{.*}}: tensor<2x4xi32> {ptc.input = "targets"}, %[[LOSS:.*]]: tensor<f32>, %[[DX:.*]]: tensor<2x4x8xf32>, %[[DW:.*]]: tensor<8x8xf32>)
  // CHECK-SAME: -> (tensor<f32> {ptc.output = "loss"}, tensor<2x4x8xf32> {ptc.output = "stage1.input_grad"})
  // CHECK-SAME: attributes {ptc.entry = "stage1_backward", ptc.micro_steps = 2 : i64, ptc.stage = 1 : i64} {
  // CHECK-NEXT: graph.accumulate_grad @w, %[[DW]] {scale = 5.000000e-01 : f64}
  // CHECK-NEXT: return %[[LOSS]], %[[DX]]
  func.func @stage1_backward(%x: tensor<2x4x8xf32> {ptc.input = "stage1.input"}, %targets: tensor<2x4xi32> {ptc.input = "targets"}, %loss: tensor<f32>, %dx: tensor<2x4x8xf32>, %dw: tensor<8x8xf32>) -> (tensor<f32>, tensor<2x4x8xf32>, tensor<8x8xf32>) attributes {ptc.gradients = [@w], ptc.input_gradients = array<i64: 0>, ptc.stage = 1 : i64} {
    return %loss, %dx, %dw : tensor<f32>, tensor<2x4x8xf32>, tensor<8x8xf32>
  }
  // CHECK-LABEL: func.func @optimizer_step
  // CHECK: graph.adamw_update @w
  // CHECK: graph.zero_grad @w
}

// -----

// Tests the first chunk: its forward sends an activation (not an entry
// point's loss), its backward receives the tokens (no gradient) and returns
// nothing, only accumulating.

// CHECK-LABEL: module @pipeline_rank0
module @pipeline_rank0 attributes {ptc.pipeline_rank = 0 : i64, ptc.training = #graph.training<lr = 1.0e-03, decay_steps = 10, global_batch_size = 4, micro_batch_size = 2, steps = 10, precision = fp32>} {
  graph.param @wte : tensor<16x8xf32> token_embedding init #graph.init<normal, std = 0.02>
  // CHECK: func.func @stage0_forward({{.*}}) -> (tensor<2x4x8xf32> {ptc.output = "stage0.output"}) attributes {ptc.entry = "stage0_forward", ptc.stage = 0 : i64}
  func.func @stage0_forward(%tokens: tensor<2x4xi32> {ptc.input = "tokens"}, %y: tensor<2x4x8xf32>) -> (tensor<2x4x8xf32> {ptc.output = "stage0.output"}) attributes {ptc.stage = 0 : i64} {
    return %y : tensor<2x4x8xf32>
  }
  // CHECK-LABEL: func.func @stage0_backward
  // CHECK-SAME: tensor<16x8xf32>) attributes {ptc.entry = "stage0_backward", ptc.micro_steps = 2 : i64, ptc.stage = 0 : i64} {
  // CHECK-NEXT: graph.accumulate_grad @wte, %{{.*}} {scale = 5.000000e-01 : f64}
  // CHECK-NEXT: return{{$}}
  func.func @stage0_backward(%tokens: tensor<2x4xi32> {ptc.input = "tokens"}, %dy: tensor<2x4x8xf32> {ptc.input = "stage0.output_grad"}, %y: tensor<2x4x8xf32>, %dwte: tensor<16x8xf32>) -> (tensor<2x4x8xf32>, tensor<16x8xf32>) attributes {ptc.gradients = [@wte], ptc.input_gradients = array<i64>, ptc.stage = 0 : i64} {
    return %y, %dwte : tensor<2x4x8xf32>, tensor<16x8xf32>
  }
}
