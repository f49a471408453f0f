// RUN: ptc-opt %s -split-input-file -convert-graph-to-exec -verify-diagnostics

// Tests that a module without ptc.entry functions is rejected.

// expected-error @+1 {{convert-graph-to-exec: no entry points (functions with ptc.entry; run graph-autodiff and graph-optimizer first)}}
module @negative_no_entry {
  graph.param @w : tensor<8xf32> bias init #graph.init<zeros>
  func.func @forward(%tok: tensor<2x5xi32> {ptc.input = "tokens"}) -> tensor<f32> {
    %z = graph.zeros : tensor<f32>
    return %z : tensor<f32>
  }
}

// -----

// Tests that a module whose entries do not read the tokens slot is rejected
// (the token and target buffers take its shape).

// expected-error @+1 {{convert-graph-to-exec: no entry point reads "tokens" (ptc.input)}}
module @negative_no_tokens {
  func.func @optimizer_step(%step: tensor<i64> {ptc.input = "step"}) -> (tensor<f32>, tensor<f32>)
      attributes {ptc.entry = "optimizer_step"} {
    %z = graph.zeros : tensor<f32>
    return %z, %z : tensor<f32>, tensor<f32>
  }
}

// -----

// Tests that an entry argument without a ptc.input slot is rejected.

module @negative_argument_without_slot {
  // expected-error @+1 {{convert-graph-to-exec: argument #1 of @forward is not an input slot of the runtime (ptc.input = tokens, targets or step; a pipeline chunk's stage<S>.*)}}
  func.func @forward(%tok: tensor<2x5xi32> {ptc.input = "tokens"},
                     %x: tensor<2x5x8xf32>) -> tensor<f32>
      attributes {ptc.entry = "eval_step"} {
    %z = graph.zeros : tensor<f32>
    return %z : tensor<f32>
  }
}

// -----

// Tests that an entry argument naming a slot the runtime does not have is
// rejected.

module @negative_unknown_slot {
  // expected-error @+1 {{convert-graph-to-exec: argument #1 of @forward is not an input slot of the runtime}}
  func.func @forward(%tok: tensor<2x5xi32> {ptc.input = "tokens"},
                     %x: tensor<2x5xi32> {ptc.input = "labels"}) -> tensor<f32>
      attributes {ptc.entry = "eval_step"} {
    %z = graph.zeros : tensor<f32>
    return %z : tensor<f32>
  }
}

// -----

// Tests that an entry must return one value per output slot of its role:
// optimizer_step returns lr and grad_norm.

module @negative_result_count {
  func.func @micro_step(%tok: tensor<2x5xi32> {ptc.input = "tokens"}) -> tensor<f32>
      attributes {ptc.entry = "micro_step"} {
    %z = graph.zeros : tensor<f32>
    return %z : tensor<f32>
  }
  // expected-error @+1 {{convert-graph-to-exec: entry 'optimizer_step' must return 2 values}}
  func.func @optimizer_step(%step: tensor<i64> {ptc.input = "step"}) -> tensor<f32>
      attributes {ptc.entry = "optimizer_step"} {
    %z = graph.zeros : tensor<f32>
    return %z : tensor<f32>
  }
}

// -----

// Tests that non-causal attention is rejected: the kernel library has causal
// attention only.

module @negative_non_causal {
  graph.param @q : tensor<2x2x5x4xf32> weight init #graph.init<zeros>
  func.func @forward(%tok: tensor<2x5xi32> {ptc.input = "tokens"}) -> tensor<f32>
      attributes {ptc.entry = "eval_step"} {
    %q = graph.param_ref @q : tensor<2x2x5x4xf32>
    // expected-error @+1 {{'graph.attention' op the kernel library has causal attention only}}
    %o = graph.attention %q, %q, %q : tensor<2x2x5x4xf32>, tensor<2x2x5x4xf32>, tensor<2x2x5x4xf32>
    %z = graph.zeros : tensor<f32>
    return %z : tensor<f32>
  }
}

// -----

// Tests that attention dropout is rejected in the forward.

module @negative_attention_dropout {
  graph.param @q : tensor<2x2x5x4xf32> weight init #graph.init<zeros>
  func.func @forward(%tok: tensor<2x5xi32> {ptc.input = "tokens"}) -> tensor<f32>
      attributes {ptc.entry = "eval_step"} {
    %q = graph.param_ref @q : tensor<2x2x5x4xf32>
    // expected-error @+1 {{'graph.attention' op attention dropout is not supported yet}}
    %o = graph.attention %q, %q, %q {causal, dropout = 0.1 : f64} : tensor<2x2x5x4xf32>, tensor<2x2x5x4xf32>, tensor<2x2x5x4xf32>
    %z = graph.zeros : tensor<f32>
    return %z : tensor<f32>
  }
}

// -----

// Tests that attention dropout is rejected in the gradient too.

module @negative_attention_grad_dropout {
  graph.param @q : tensor<2x2x5x4xf32> weight init #graph.init<zeros>
  func.func @micro_step(%tok: tensor<2x5xi32> {ptc.input = "tokens"}) -> tensor<f32>
      attributes {ptc.entry = "micro_step"} {
    %q = graph.param_ref @q : tensor<2x2x5x4xf32>
    // expected-error @+1 {{'graph.attention_grad' op attention dropout is not supported yet}}
    %dq, %dk, %dv = graph.attention_grad %q, %q, %q, %q {causal, dropout = 0.1 : f64} : tensor<2x2x5x4xf32>, tensor<2x2x5x4xf32>, tensor<2x2x5x4xf32>
    %z = graph.zeros : tensor<f32>
    return %z : tensor<f32>
  }
}

// -----

// Tests that a transpose of more than 6 dimensions is rejected: the permute
// kernel takes at most 6.

module @negative_transpose_rank {
  graph.param @x : tensor<1x2x1x2x1x2x3xf32> weight init #graph.init<zeros>
  func.func @forward(%tok: tensor<2x5xi32> {ptc.input = "tokens"}) -> tensor<f32>
      attributes {ptc.entry = "eval_step"} {
    %x = graph.param_ref @x : tensor<1x2x1x2x1x2x3xf32>
    // expected-error @+1 {{'graph.transpose' op the kernel library permutes at most 6 dimensions}}
    %t = graph.transpose %x [6, 5, 4, 3, 2, 1, 0] : tensor<1x2x1x2x1x2x3xf32> to tensor<3x2x1x2x1x2x1xf32>
    %z = graph.zeros : tensor<f32>
    return %z : tensor<f32>
  }
}
