// RUN: ptc-opt %s -split-input-file -verify-diagnostics

// Tests that each verifier rule of the graph gradient ops reports its error.

func.func @negative_embedding_grad_rank(%dy: tensor<2x5x8xf32>, %i: tensor<2x5xi32>) {
  // expected-error @+1 {{result must have rank 2 [V, D], got [11]}}
  %0 = graph.embedding_grad %dy, %i : (tensor<2x5x8xf32>, tensor<2x5xi32>) -> tensor<11xf32>
  return
}

// -----

func.func @negative_embedding_grad_shape(%dy: tensor<2x5x8xf32>, %i: tensor<2x4xi32>) {
  // expected-error @+1 {{dout shape [2, 5, 8] must be [2, 4, 8] (the ids' shape, then D)}}
  %0 = graph.embedding_grad %dy, %i : (tensor<2x5x8xf32>, tensor<2x4xi32>) -> tensor<11x8xf32>
  return
}

// -----

func.func @negative_embedding_grad_type(%dy: tensor<2x5x8xf32>, %i: tensor<2x5xi32>) {
  // expected-error @+1 {{result element type must match dout's}}
  %0 = graph.embedding_grad %dy, %i : (tensor<2x5x8xf32>, tensor<2x5xi32>) -> tensor<11x8xbf16>
  return
}

// -----

func.func @negative_position_embedding_grad_rank(%dp: tensor<2x5x8xf32>) {
  // expected-error @+1 {{dout and result must have rank 2, got [2, 5, 8] and [6, 8]}}
  %0 = graph.position_embedding_grad %dp : tensor<2x5x8xf32> -> tensor<6x8xf32>
  return
}

// -----

func.func @negative_position_embedding_grad_rows(%dp: tensor<7x8xf32>) {
  // expected-error @+1 {{dout [7, 8] must cover the first T <= 6 rows of the result [6, 8]}}
  %0 = graph.position_embedding_grad %dp : tensor<7x8xf32> -> tensor<6x8xf32>
  return
}

// -----

func.func @negative_position_embedding_grad_type(%dp: tensor<5x8xf32>) {
  // expected-error @+1 {{result element type must match dout's}}
  %0 = graph.position_embedding_grad %dp : tensor<5x8xf32> -> tensor<6x8xf16>
  return
}

// -----

func.func @negative_layer_norm_grad_bias(%dy: tensor<2x8xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{bias gradient type 'tensor<7xf32>' differs from the scale's 'tensor<8xf32>'}}
  %0:3 = graph.layer_norm_grad %dy, %dy, %g : tensor<2x8xf32>, tensor<8xf32> -> tensor<2x8xf32>, tensor<8xf32>, tensor<7xf32>
  return
}

// -----

func.func @negative_layer_norm_grad_scale(%dy: tensor<2x8xf32>, %g: tensor<4xf32>) {
  // expected-error @+1 {{scale must have shape [8], got [4]}}
  %0:2 = graph.layer_norm_grad %dy, %dy, %g : tensor<2x8xf32>, tensor<4xf32> -> tensor<2x8xf32>, tensor<4xf32>
  return
}

// -----

func.func @negative_rms_norm_grad_epsilon(%dy: tensor<2x8xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{epsilon must be > 0, got 0}}
  %0:2 = graph.rms_norm_grad %dy, %dy, %g {epsilon = 0.0 : f64} : tensor<2x8xf32>, tensor<8xf32>
  return
}

// -----

func.func @negative_attention_grad_heads(%q: tensor<2x3x5x2xf32>, %k: tensor<2x2x5x2xf32>) {
  // expected-error @+1 {{key/value heads (2) must divide query heads (3)}}
  %0:3 = graph.attention_grad %q, %q, %k, %k : tensor<2x3x5x2xf32>, tensor<2x2x5x2xf32>, tensor<2x2x5x2xf32>
  return
}

// -----

func.func @negative_attention_grad_causal(%q: tensor<2x2x5x2xf32>, %k: tensor<2x2x4x2xf32>) {
  // expected-error @+1 {{causal attention needs equal query and key lengths, got 5 and 4}}
  %0:3 = graph.attention_grad %q, %q, %k, %k {causal} : tensor<2x2x5x2xf32>, tensor<2x2x4x2xf32>, tensor<2x2x4x2xf32>
  return
}

// -----

func.func @negative_attention_grad_dout(%q: tensor<2x2x5x2xf32>, %dy: tensor<2x2x5x4xf32>) {
  // expected-error @+1 {{failed to verify that all of {dout, query, query_grad} have same type}}
  %0:3 = "graph.attention_grad"(%dy, %q, %q, %q) : (tensor<2x2x5x4xf32>, tensor<2x2x5x2xf32>, tensor<2x2x5x2xf32>, tensor<2x2x5x2xf32>) -> (tensor<2x2x5x2xf32>, tensor<2x2x5x2xf32>, tensor<2x2x5x2xf32>)
  return
}

// -----

func.func @negative_rope_grad_head_size(%dy: tensor<2x2x5x3xf32>) {
  // expected-error @+1 {{head size must be even, got 3}}
  %0 = graph.rope_grad %dy : tensor<2x2x5x3xf32>
  return
}

// -----

func.func @negative_gelu_grad_dynamic(%dy: tensor<?x8xf32>) {
  // expected-error @+1 {{requires statically shaped tensors, got 'tensor<?x8xf32>'}}
  %0 = graph.gelu_grad %dy, %dy tanh : tensor<?x8xf32>
  return
}

// -----

func.func @negative_swiglu_grad_type(%dy: tensor<2x8xf32>, %g: tensor<2x4xf32>) {
  // expected-error @+1 {{failed to verify that all of {dout, gate, up, gate_grad, up_grad} have same type}}
  %0:2 = "graph.swiglu_grad"(%dy, %g, %dy) : (tensor<2x8xf32>, tensor<2x4xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>)
  return
}

// -----

func.func @negative_dropout_grad_p(%dy: tensor<2x8xf32>) {
  // expected-error @+1 {{p must be in [0, 1), got 1}}
  %0 = graph.dropout_grad %dy {p = 1.0 : f64, stream = 0 : i64} : tensor<2x8xf32>
  return
}

// -----

func.func @negative_dropout_grad_stream(%dy: tensor<2x8xf32>) {
  // expected-error @+1 {{stream must be >= 0}}
  %0 = graph.dropout_grad %dy {p = 0.1 : f64, stream = -1 : i64} : tensor<2x8xf32>
  return
}

// -----

func.func @negative_cross_entropy_grad_targets(%dl: tensor<f32>, %l: tensor<2x5x11xf32>, %t: tensor<2x4xi32>) {
  // expected-error @+1 {{targets shape [2, 4] must equal the logits shape without its last dimension, [2, 5]}}
  %0 = graph.cross_entropy_grad %dl, %l, %t {num_classes = 10 : i64} : tensor<f32>, tensor<2x5x11xf32>, tensor<2x4xi32>
  return
}

// -----

func.func @negative_cross_entropy_grad_classes(%dl: tensor<f32>, %l: tensor<2x5x11xf32>, %t: tensor<2x5xi32>) {
  // expected-error @+1 {{num_classes must be in [1, 11], got 12}}
  %0 = graph.cross_entropy_grad %dl, %l, %t {num_classes = 12 : i64} : tensor<f32>, tensor<2x5x11xf32>, tensor<2x5xi32>
  return
}

// -----

func.func @negative_reduce_sum_not_leading(%x: tensor<2x5x8xf32>) {
  // expected-error @+1 {{dims [1] must be the leading dimensions [0, k) with 1 <= k <= 3}}
  %0 = graph.reduce_sum %x [1] : tensor<2x5x8xf32> -> tensor<2x8xf32>
  return
}

// -----

func.func @negative_reduce_sum_empty(%x: tensor<2x5x8xf32>) {
  // expected-error @+1 {{dims [] must be the leading dimensions [0, k) with 1 <= k <= 3}}
  %0 = graph.reduce_sum %x [] : tensor<2x5x8xf32> -> tensor<2x5x8xf32>
  return
}

// -----

func.func @negative_reduce_sum_shape(%x: tensor<2x5x8xf32>) {
  // expected-error @+1 {{result shape [8] must be [5, 8] (the input's without dims)}}
  %0 = graph.reduce_sum %x [0] : tensor<2x5x8xf32> -> tensor<8xf32>
  return
}

// -----

func.func @negative_reduce_sum_type(%x: tensor<2x5x8xf32>) {
  // expected-error @+1 {{reduce_sum must keep the element type}}
  %0 = graph.reduce_sum %x [0] : tensor<2x5x8xf32> -> tensor<5x8xbf16>
  return
}

// -----

func.func @negative_concat_axis(%a: tensor<2x4xf32>) {
  // expected-error @+1 {{axis 2 out of range for rank 2}}
  %0 = graph.concat %a, %a {axis = 2 : i64} : tensor<2x4xf32>, tensor<2x4xf32> -> tensor<2x8xf32>
  return
}

// -----

func.func @negative_concat_empty() {
  // expected-error @+1 {{needs at least one input}}
  %0 = "graph.concat"() <{axis = 0 : i64}> : () -> tensor<2xf32>
  return
}

// -----

func.func @negative_concat_rank(%a: tensor<2x4xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{each input must have the result's rank and element type}}
  %0 = graph.concat %a, %b {axis = 1 : i64} : tensor<2x4xf32>, tensor<8xf32> -> tensor<2x8xf32>
  return
}

// -----

func.func @negative_concat_other_dims(%a: tensor<2x4xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{input [3, 4] differs from the result outside the concat axis}}
  %0 = graph.concat %a, %b {axis = 1 : i64} : tensor<2x4xf32>, tensor<3x4xf32> -> tensor<2x8xf32>
  return
}

// -----

func.func @negative_concat_sizes(%a: tensor<2x4xf32>) {
  // expected-error @+1 {{input sizes along axis 1 add up to 8, not 9}}
  %0 = graph.concat %a, %a {axis = 1 : i64} : tensor<2x4xf32>, tensor<2x4xf32> -> tensor<2x9xf32>
  return
}

// -----

func.func @negative_zeros_dynamic() {
  // expected-error @+1 {{requires statically shaped tensors, got 'tensor<?x4xf32>'}}
  %0 = graph.zeros : tensor<?x4xf32>
  return
}

// -----

func.func @negative_scale_factor(%x: tensor<4xf32>) {
  // expected-error @+1 {{factor must be finite, got INF}}
  %0 = graph.scale %x {factor = 0x7FF0000000000000 : f64} : tensor<4xf32>
  return
}
