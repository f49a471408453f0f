// RUN: ptc-opt %s -split-input-file -verify-diagnostics

// Tests that each verifier rule of the graph dialect reports its error.

// expected-error @+1 {{parameter must have rank >= 1}}
graph.param @p : tensor<f32> weight init #graph.init<zeros>

// -----

// expected-error @+1 {{parameter must have a static, non-empty shape}}
graph.param @p : tensor<0x4xf32> weight init #graph.init<zeros>

// -----

// expected-error @+1 {{normal init needs std > 0, got 0}}
graph.param @p : tensor<4xf32> weight init #graph.init<normal, std = 0.0>

// -----

// expected-error @+1 {{zeros init takes no std or scale}}
graph.param @p : tensor<4xf32> weight init #graph.init<zeros, std = 0.5>

// -----

// expected-error @+1 {{init scale must be > 0, got -1}}
graph.param @p : tensor<4xf32> weight init #graph.init<normal, std = 0.02, scale = -1.0>

// -----

// expected-error @+1 {{unknown init kind 'uniform' (allowed: zeros, ones, normal)}}
graph.param @p : tensor<4xf32> weight init #graph.init<uniform>

// -----

// expected-error @+1 {{unknown field 'mean' of #graph.init (allowed: std, scale)}}
graph.param @p : tensor<4xf32> weight init #graph.init<normal, mean = 0.0>

// -----

func.func @negative_missing_param() {
  // expected-error @+1 {{'missing' does not name a graph.param in the module}}
  %0 = graph.param_ref @missing : tensor<4xf32>
  return
}

// -----

graph.param @p : tensor<4xf32> bias init #graph.init<zeros>
func.func @negative_param_type() {
  // expected-error @+1 {{type 'tensor<5xf32>' differs from the parameter's 'tensor<4xf32>'}}
  %0 = graph.param_ref @p : tensor<5xf32>
  return
}

// -----

func.func @negative_layer_kind(%x: tensor<4xf32>) {
  // expected-error @+1 {{unknown layer kind 'stage' (allowed: embedding, block, head, and their *_backward units)}}
  graph.layer stage 0 (%a = %x : tensor<4xf32>) {
    graph.yield
  }
  return
}

// -----

func.func @negative_layer_yield(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = graph.layer block 0 (%a = %x : tensor<4xf32>) -> tensor<4xf32> {
    // expected-error @+1 {{yields 0 values whose types do not match the layer's results}}
    graph.yield
  }
  return %0 : tensor<4xf32>
}

// -----

func.func @negative_layer_index(%x: tensor<4xf32>) {
  // expected-error @+1 {{index must be >= 0, got -2}}
  graph.layer block -2 (%a = %x : tensor<4xf32>) {
    graph.yield
  }
  return
}

// -----

func.func @negative_layer_isolated(%x: tensor<4xf32>) {
  // expected-note @+1 {{required by region isolation constraints}}
  graph.layer block 0 () {
    // expected-error @+1 {{using value defined outside the region}}
    %0 = graph.gelu %x tanh : tensor<4xf32>
    graph.yield
  }
  return
}

// -----

func.func @negative_layer_args(%x: tensor<4xf32>) {
  // expected-error @+1 {{body has 0 arguments for 1 inputs}}
  "graph.layer"(%x) <{kind = 1 : i32, index = 0 : i64}> ({
    "graph.yield"() : () -> ()
  }) : (tensor<4xf32>) -> ()
  return
}

// -----

func.func @negative_dynamic(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{requires statically shaped tensors, got 'tensor<?x4xf32>'}}
  %0 = graph.transpose %x [1, 0] : tensor<?x4xf32> to tensor<4x?xf32>
  return
}

// -----

func.func @negative_embedding_rank(%t: tensor<11xf32>, %i: tensor<2x5xi32>) {
  // expected-error @+1 {{table must have rank 2 [V, D], got [11]}}
  %0 = graph.embedding %t[%i] : (tensor<11xf32>, tensor<2x5xi32>) -> tensor<2x5x1xf32>
  return
}

// -----

func.func @negative_embedding_shape(%t: tensor<11x8xf32>, %i: tensor<2x5xi32>) {
  // expected-error @+1 {{result shape [2, 5, 7] must be [2, 5, 8] (the ids' shape, then D)}}
  %0 = graph.embedding %t[%i] : (tensor<11x8xf32>, tensor<2x5xi32>) -> tensor<2x5x7xf32>
  return
}

// -----

func.func @negative_embedding_type(%t: tensor<11x8xf32>, %i: tensor<2x5xi32>) {
  // expected-error @+1 {{result element type must match the table's}}
  %0 = graph.embedding %t[%i] : (tensor<11x8xf32>, tensor<2x5xi32>) -> tensor<2x5x8xbf16>
  return
}

// -----

func.func @negative_embedding_ids(%t: tensor<11x8xf32>, %i: tensor<2x5xf32>) {
  // expected-error @+1 {{operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = graph.embedding %t[%i] : (tensor<11x8xf32>, tensor<2x5xf32>) -> tensor<2x5x8xf32>
  return
}

// -----

func.func @negative_positions(%t: tensor<6x8xf32>) {
  // expected-error @+1 {{result [7, 8] must take the first T <= 6 rows of the table [6, 8]}}
  %0 = graph.position_embedding %t : tensor<6x8xf32> -> tensor<7x8xf32>
  return
}

// -----

func.func @negative_positions_rank(%t: tensor<6x8xf32>) {
  // expected-error @+1 {{table and result must have rank 2, got [6, 8] and [1, 5, 8]}}
  %0 = graph.position_embedding %t : tensor<6x8xf32> -> tensor<1x5x8xf32>
  return
}

// -----

func.func @negative_norm_scale(%x: tensor<2x8xf32>, %g: tensor<7xf32>) {
  // expected-error @+1 {{scale must have shape [8], got [7]}}
  %0 = graph.layer_norm %x, %g : tensor<2x8xf32>, tensor<7xf32>
  return
}

// -----

func.func @negative_norm_bias(%x: tensor<2x8xf32>, %g: tensor<8xf32>, %b: tensor<2x8xf32>) {
  // expected-error @+1 {{bias must have shape [8], got [2, 8]}}
  %0 = graph.layer_norm %x, %g, %b : tensor<2x8xf32>, tensor<8xf32>, tensor<2x8xf32>
  return
}

// -----

func.func @negative_norm_type(%x: tensor<2x8xf32>, %g: tensor<8xbf16>) {
  // expected-error @+1 {{scale element type 'bf16' differs from the input's 'f32'}}
  %0 = graph.rms_norm %x, %g : tensor<2x8xf32>, tensor<8xbf16>
  return
}

// -----

func.func @negative_norm_epsilon(%x: tensor<2x8xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{epsilon must be > 0, got 0}}
  %0 = graph.rms_norm %x, %g {epsilon = 0.0 : f64} : tensor<2x8xf32>, tensor<8xf32>
  return
}

// -----

func.func @negative_norm_rank(%x: tensor<f32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{input must have rank >= 1}}
  %0 = graph.rms_norm %x, %g : tensor<f32>, tensor<8xf32>
  return
}

// -----

func.func @negative_linear_weight_rank(%x: tensor<2x8xf32>, %w: tensor<8xf32>) {
  // expected-error @+1 {{weight must have rank 2 [N, K], got [8]}}
  %0 = graph.linear %x, %w : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @negative_linear_k(%x: tensor<2x8xf32>, %w: tensor<4x7xf32>) {
  // expected-error @+1 {{weight [4, 7] must be [N, 8] to match the input's last dimension}}
  %0 = graph.linear %x, %w : (tensor<2x8xf32>, tensor<4x7xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @negative_linear_result(%x: tensor<2x8xf32>, %w: tensor<4x8xf32>) {
  // expected-error @+1 {{result shape [2, 8] must be [2, 4]}}
  %0 = graph.linear %x, %w : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @negative_linear_types(%x: tensor<2x8xf32>, %w: tensor<4x8xbf16>) {
  // expected-error @+1 {{input, weight and result element types must match}}
  %0 = graph.linear %x, %w : (tensor<2x8xf32>, tensor<4x8xbf16>) -> tensor<2x4xf32>
  return
}

// -----

func.func @negative_linear_bias(%x: tensor<2x8xf32>, %w: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{bias must have shape [4], got [8]}}
  %0 = graph.linear %x, %w, %b : (tensor<2x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @negative_matmul_rank(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{operands must have the same rank >= 2, got [2, 3, 4] and [4, 5]}}
  %0 = graph.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  return
}

// -----

func.func @negative_matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<3x4x5xf32>) {
  // expected-error @+1 {{batch dimensions differ: [2, 3, 4] and [3, 4, 5]}}
  %0 = graph.matmul %a, %b : (tensor<2x3x4xf32>, tensor<3x4x5xf32>) -> tensor<2x3x5xf32>
  return
}

// -----

func.func @negative_matmul_k(%a: tensor<3x4xf32>, %b: tensor<5x4xf32>) {
  // expected-error @+1 {{contraction sizes differ: 4 (lhs) and 5 (rhs)}}
  %0 = graph.matmul %a, %b : (tensor<3x4xf32>, tensor<5x4xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @negative_matmul_result(%a: tensor<4x3xf32>, %b: tensor<5x4xf32>) {
  // expected-error @+1 {{result shape [3, 4] must be [3, 5]}}
  %0 = graph.matmul %a, %b {transpose_lhs, transpose_rhs} : (tensor<4x3xf32>, tensor<5x4xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @negative_matmul_types(%a: tensor<3x4xf32>, %b: tensor<4x5xbf16>) {
  // expected-error @+1 {{operand and result element types must match}}
  %0 = graph.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xbf16>) -> tensor<3x5xf32>
  return
}

// -----

func.func @negative_attention_rank(%q: tensor<2x5x8xf32>) {
  // expected-error @+1 {{query, key and value must have rank 4 [B, H, T, Dh]}}
  %0 = graph.attention %q, %q, %q {causal} : tensor<2x5x8xf32>, tensor<2x5x8xf32>, tensor<2x5x8xf32>
  return
}

// -----

func.func @negative_attention_kv(%q: tensor<2x4x5x8xf32>, %k: tensor<2x4x5x8xf32>, %v: tensor<2x2x5x8xf32>) {
  // expected-error @+1 {{key [2, 4, 5, 8] and value [2, 2, 5, 8] shapes differ}}
  %0 = graph.attention %q, %k, %v {causal} : tensor<2x4x5x8xf32>, tensor<2x4x5x8xf32>, tensor<2x2x5x8xf32>
  return
}

// -----

func.func @negative_attention_head_size(%q: tensor<2x4x5x8xf32>, %k: tensor<2x4x5x6xf32>) {
  // expected-error @+1 {{query [2, 4, 5, 8] and key [2, 4, 5, 6] differ in batch or head size}}
  %0 = graph.attention %q, %k, %k {causal} : tensor<2x4x5x8xf32>, tensor<2x4x5x6xf32>, tensor<2x4x5x6xf32>
  return
}

// -----

func.func @negative_attention_groups(%q: tensor<2x4x5x8xf32>, %k: tensor<2x3x5x8xf32>) {
  // expected-error @+1 {{key/value heads (3) must divide query heads (4)}}
  %0 = graph.attention %q, %k, %k {causal} : tensor<2x4x5x8xf32>, tensor<2x3x5x8xf32>, tensor<2x3x5x8xf32>
  return
}

// -----

func.func @negative_attention_causal(%q: tensor<2x4x5x8xf32>, %k: tensor<2x4x6x8xf32>) {
  // expected-error @+1 {{causal attention needs equal query and key lengths, got 5 and 6}}
  %0 = graph.attention %q, %k, %k {causal} : tensor<2x4x5x8xf32>, tensor<2x4x6x8xf32>, tensor<2x4x6x8xf32>
  return
}

// -----

func.func @negative_attention_types(%q: tensor<2x4x5x8xf32>, %k: tensor<2x4x5x8xbf16>) {
  // expected-error @+1 {{query, key and value element types must match}}
  %0 = graph.attention %q, %k, %k : tensor<2x4x5x8xf32>, tensor<2x4x5x8xbf16>, tensor<2x4x5x8xbf16>
  return
}

// -----

func.func @negative_attention_scale(%q: tensor<2x4x5x8xf32>) {
  // expected-error @+1 {{scale must be > 0}}
  %0 = graph.attention %q, %q, %q {scale = -1.0 : f64} : tensor<2x4x5x8xf32>, tensor<2x4x5x8xf32>, tensor<2x4x5x8xf32>
  return
}

// -----

func.func @negative_attention_dropout(%q: tensor<2x4x5x8xf32>) {
  // expected-error @+1 {{dropout must be in [0, 1), got 1}}
  %0 = graph.attention %q, %q, %q {dropout = 1.0 : f64} : tensor<2x4x5x8xf32>, tensor<2x4x5x8xf32>, tensor<2x4x5x8xf32>
  return
}

// -----

func.func @negative_rope_rank(%x: tensor<5x8xf32>) {
  // expected-error @+1 {{input must have rank 4 [B, H, T, Dh], got [5, 8]}}
  %0 = graph.rope %x : tensor<5x8xf32>
  return
}

// -----

func.func @negative_rope_odd(%x: tensor<2x4x5x7xf32>) {
  // expected-error @+1 {{head size must be even, got 7}}
  %0 = graph.rope %x : tensor<2x4x5x7xf32>
  return
}

// -----

func.func @negative_rope_theta(%x: tensor<2x4x5x8xf32>) {
  // expected-error @+1 {{theta must be > 0}}
  %0 = graph.rope %x {theta = 0.0 : f64} : tensor<2x4x5x8xf32>
  return
}

// -----

func.func @negative_add_broadcast(%a: tensor<2x5x8xf32>, %b: tensor<4x8xf32>) {
  // expected-error @+1 {{rhs shape [4, 8] is not a suffix of the lhs shape [2, 5, 8]}}
  %0 = graph.add %a, %b : tensor<2x5x8xf32>, tensor<4x8xf32>
  return
}

// -----

func.func @negative_mul_types(%a: tensor<2x8xf32>, %b: tensor<8xbf16>) {
  // expected-error @+1 {{element types differ: 'f32' and 'bf16'}}
  %0 = graph.mul %a, %b : tensor<2x8xf32>, tensor<8xbf16>
  return
}

// -----

func.func @negative_dropout_p(%x: tensor<4xf32>) {
  // expected-error @+1 {{p must be in [0, 1), got 1.5}}
  %0 = graph.dropout %x {p = 1.5 : f64, stream = 0 : i64} : tensor<4xf32>
  return
}

// -----

func.func @negative_dropout_stream(%x: tensor<4xf32>) {
  // expected-error @+1 {{stream must be >= 0}}
  %0 = graph.dropout %x {p = 0.1 : f64, stream = -1 : i64} : tensor<4xf32>
  return
}

// -----

func.func @negative_cast(%x: tensor<4xf32>) {
  // expected-error @+1 {{cast changes the element type only; shapes differ}}
  %0 = graph.cast %x : tensor<4xf32> to tensor<2x2xbf16>
  return
}

// -----

func.func @negative_reshape(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{cannot reshape [2, 6] (12 elements) to [5, 2] (10 elements)}}
  %0 = graph.reshape %x : tensor<2x6xf32> to tensor<5x2xf32>
  return
}

// -----

func.func @negative_reshape_type(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{reshape must keep the element type}}
  %0 = graph.reshape %x : tensor<2x6xf32> to tensor<12xbf16>
  return
}

// -----

func.func @negative_transpose_rank(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{permutation, input and result must have rank 2}}
  %0 = graph.transpose %x [0, 1, 2] : tensor<2x3xf32> to tensor<2x3xf32>
  return
}

// -----

func.func @negative_transpose_perm(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{permutation [0, 0] is not a permutation of [0, 2)}}
  %0 = graph.transpose %x [0, 0] : tensor<2x3xf32> to tensor<2x2xf32>
  return
}

// -----

func.func @negative_transpose_shape(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{result shape [2, 3] does not match the permuted input shape}}
  %0 = graph.transpose %x [1, 0] : tensor<2x3xf32> to tensor<2x3xf32>
  return
}

// -----

func.func @negative_transpose_type(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{transpose must keep the element type}}
  %0 = graph.transpose %x [1, 0] : tensor<2x3xf32> to tensor<3x2xbf16>
  return
}

// -----

func.func @negative_split_axis(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{axis 2 out of range for rank 2}}
  %0:2 = graph.split %x {axis = 2 : i64} : tensor<2x6xf32> -> tensor<2x3xf32>, tensor<2x3xf32>
  return
}

// -----

func.func @negative_split_empty(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{needs at least one result}}
  "graph.split"(%x) <{axis = 1 : i64}> : (tensor<2x6xf32>) -> ()
  return
}

// -----

func.func @negative_split_rank(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{each result must have the input's rank and element type}}
  %0:2 = graph.split %x {axis = 1 : i64} : tensor<2x6xf32> -> tensor<2x3xf32>, tensor<6xf32>
  return
}

// -----

func.func @negative_split_other_dims(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{result [3, 3] differs from the input outside the split axis}}
  %0:2 = graph.split %x {axis = 1 : i64} : tensor<2x6xf32> -> tensor<2x3xf32>, tensor<3x3xf32>
  return
}

// -----

func.func @negative_split_sum(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{result sizes along axis 1 add up to 5, not 6}}
  %0:2 = graph.split %x {axis = 1 : i64} : tensor<2x6xf32> -> tensor<2x3xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @negative_ce_targets(%l: tensor<2x5x11xf32>, %t: tensor<2x4xi32>) {
  // expected-error @+1 {{targets shape [2, 4] must equal the logits shape without its last dimension, [2, 5]}}
  %0 = graph.cross_entropy %l, %t {num_classes = 11 : i64} : (tensor<2x5x11xf32>, tensor<2x4xi32>) -> tensor<f32>
  return
}

// -----

func.func @negative_ce_classes(%l: tensor<2x5x11xf32>, %t: tensor<2x5xi32>) {
  // expected-error @+1 {{num_classes must be in [1, 11], got 12}}
  %0 = graph.cross_entropy %l, %t {num_classes = 12 : i64} : (tensor<2x5x11xf32>, tensor<2x5xi32>) -> tensor<f32>
  return
}

// -----

func.func @negative_ce_result(%l: tensor<2x5x11xf32>, %t: tensor<2x5xi32>) {
  // expected-error @+1 {{result #0 must be 0D tensor of 32-bit float or 64-bit float values}}
  %0 = graph.cross_entropy %l, %t {num_classes = 11 : i64} : (tensor<2x5x11xf32>, tensor<2x5xi32>) -> tensor<1xf32>
  return
}

// -----

func.func @negative_ce_rank(%l: tensor<f32>, %t: tensor<i32>) {
  // expected-error @+1 {{logits must have rank >= 1}}
  %0 = graph.cross_entropy %l, %t {num_classes = 11 : i64} : (tensor<f32>, tensor<i32>) -> tensor<f32>
  return
}
