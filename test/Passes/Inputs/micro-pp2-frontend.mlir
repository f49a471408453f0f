module @micro attributes {ptc.flops_per_token = 10751.999999999998 : f64, ptc.model = #graph.model<layers = 2, hidden = 8, heads = 2, kv_heads = 2, ffn_hidden = 32, seq_len = 4, vocab_size = 16, padded_vocab = 16>, ptc.parallel = #dist.parallel<pp = 2>, ptc.training = #graph.training<lr = 1.000000e-03, decay_steps = 2, global_batch_size = 4, micro_batch_size = 2, steps = 2, precision = fp32, seed = 1>} {
  graph.param @wte.weight : tensor<16x8xf32> token_embedding init <normal, std = 2.000000e-02>
  graph.param @wpe.weight : tensor<4x8xf32> position_embedding init <normal, std = 2.000000e-02>
  graph.param @h.0.ln_1.weight : tensor<8xf32> norm_scale init <ones>
  graph.param @h.0.ln_1.bias : tensor<8xf32> norm_bias init <zeros>
  graph.param @h.0.attn.c_attn.weight : tensor<24x8xf32> weight init <normal, std = 2.000000e-02>
  graph.param @h.0.attn.c_attn.bias : tensor<24xf32> bias init <zeros>
  graph.param @h.0.attn.c_proj.weight : tensor<8x8xf32> weight init <normal, std = 2.000000e-02, scale = 5.000000e-01>
  graph.param @h.0.attn.c_proj.bias : tensor<8xf32> bias init <zeros>
  graph.param @h.0.ln_2.weight : tensor<8xf32> norm_scale init <ones>
  graph.param @h.0.ln_2.bias : tensor<8xf32> norm_bias init <zeros>
  graph.param @h.0.mlp.c_fc.weight : tensor<32x8xf32> weight init <normal, std = 2.000000e-02>
  graph.param @h.0.mlp.c_fc.bias : tensor<32xf32> bias init <zeros>
  graph.param @h.0.mlp.c_proj.weight : tensor<8x32xf32> weight init <normal, std = 2.000000e-02, scale = 5.000000e-01>
  graph.param @h.0.mlp.c_proj.bias : tensor<8xf32> bias init <zeros>
  graph.param @h.1.ln_1.weight : tensor<8xf32> norm_scale init <ones>
  graph.param @h.1.ln_1.bias : tensor<8xf32> norm_bias init <zeros>
  graph.param @h.1.attn.c_attn.weight : tensor<24x8xf32> weight init <normal, std = 2.000000e-02>
  graph.param @h.1.attn.c_attn.bias : tensor<24xf32> bias init <zeros>
  graph.param @h.1.attn.c_proj.weight : tensor<8x8xf32> weight init <normal, std = 2.000000e-02, scale = 5.000000e-01>
  graph.param @h.1.attn.c_proj.bias : tensor<8xf32> bias init <zeros>
  graph.param @h.1.ln_2.weight : tensor<8xf32> norm_scale init <ones>
  graph.param @h.1.ln_2.bias : tensor<8xf32> norm_bias init <zeros>
  graph.param @h.1.mlp.c_fc.weight : tensor<32x8xf32> weight init <normal, std = 2.000000e-02>
  graph.param @h.1.mlp.c_fc.bias : tensor<32xf32> bias init <zeros>
  graph.param @h.1.mlp.c_proj.weight : tensor<8x32xf32> weight init <normal, std = 2.000000e-02, scale = 5.000000e-01>
  graph.param @h.1.mlp.c_proj.bias : tensor<8xf32> bias init <zeros>
  graph.param @ln_f.weight : tensor<8xf32> norm_scale init <ones>
  graph.param @ln_f.bias : tensor<8xf32> norm_bias init <zeros>
  func.func @forward(%arg0: tensor<2x4xi32> {ptc.input = "tokens"}, %arg1: tensor<2x4xi32> {ptc.input = "targets"}) -> tensor<f32> {
    %0 = graph.layer embedding 0 (%arg2 = %arg0 : tensor<2x4xi32>) -> tensor<2x4x8xf32> {
      %4 = graph.param_ref @wte.weight : tensor<16x8xf32>
      %5 = graph.embedding %4[%arg2] : (tensor<16x8xf32>, tensor<2x4xi32>) -> tensor<2x4x8xf32>
      %6 = graph.param_ref @wpe.weight : tensor<4x8xf32>
      %7 = graph.position_embedding %6 : tensor<4x8xf32> -> tensor<4x8xf32>
      %8 = graph.add %5, %7 : tensor<2x4x8xf32>, tensor<4x8xf32>
      graph.yield %8 : tensor<2x4x8xf32>
    }
    %1 = graph.layer block 0 (%arg2 = %0 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
      %4 = graph.param_ref @h.0.ln_1.weight : tensor<8xf32>
      %5 = graph.param_ref @h.0.ln_1.bias : tensor<8xf32>
      %6 = graph.layer_norm %arg2, %4, %5 : tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>
      %7 = graph.param_ref @h.0.attn.c_attn.weight : tensor<24x8xf32>
      %8 = graph.param_ref @h.0.attn.c_attn.bias : tensor<24xf32>
      %9 = graph.linear %6, %7, %8 : (tensor<2x4x8xf32>, tensor<24x8xf32>, tensor<24xf32>) -> tensor<2x4x24xf32>
      %10:3 = graph.split %9 {axis = 2 : i64} : tensor<2x4x24xf32> -> tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>
      %11 = graph.reshape %10#0 : tensor<2x4x8xf32> to tensor<2x4x2x4xf32>
      %12 = graph.transpose %11 [0, 2, 1, 3] : tensor<2x4x2x4xf32> to tensor<2x2x4x4xf32>
      %13 = graph.reshape %10#1 : tensor<2x4x8xf32> to tensor<2x4x2x4xf32>
      %14 = graph.transpose %13 [0, 2, 1, 3] : tensor<2x4x2x4xf32> to tensor<2x2x4x4xf32>
      %15 = graph.reshape %10#2 : tensor<2x4x8xf32> to tensor<2x4x2x4xf32>
      %16 = graph.transpose %15 [0, 2, 1, 3] : tensor<2x4x2x4xf32> to tensor<2x2x4x4xf32>
      %17 = graph.attention %12, %14, %16 {causal} : tensor<2x2x4x4xf32>, tensor<2x2x4x4xf32>, tensor<2x2x4x4xf32>
      %18 = graph.transpose %17 [0, 2, 1, 3] : tensor<2x2x4x4xf32> to tensor<2x4x2x4xf32>
      %19 = graph.reshape %18 : tensor<2x4x2x4xf32> to tensor<2x4x8xf32>
      %20 = graph.param_ref @h.0.attn.c_proj.weight : tensor<8x8xf32>
      %21 = graph.param_ref @h.0.attn.c_proj.bias : tensor<8xf32>
      %22 = graph.linear %19, %20, %21 : (tensor<2x4x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
      %23 = graph.add %arg2, %22 : tensor<2x4x8xf32>, tensor<2x4x8xf32>
      %24 = graph.param_ref @h.0.ln_2.weight : tensor<8xf32>
      %25 = graph.param_ref @h.0.ln_2.bias : tensor<8xf32>
      %26 = graph.layer_norm %23, %24, %25 : tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>
      %27 = graph.param_ref @h.0.mlp.c_fc.weight : tensor<32x8xf32>
      %28 = graph.param_ref @h.0.mlp.c_fc.bias : tensor<32xf32>
      %29 = graph.linear %26, %27, %28 : (tensor<2x4x8xf32>, tensor<32x8xf32>, tensor<32xf32>) -> tensor<2x4x32xf32>
      %30 = graph.gelu %29 tanh : tensor<2x4x32xf32>
      %31 = graph.param_ref @h.0.mlp.c_proj.weight : tensor<8x32xf32>
      %32 = graph.param_ref @h.0.mlp.c_proj.bias : tensor<8xf32>
      %33 = graph.linear %30, %31, %32 : (tensor<2x4x32xf32>, tensor<8x32xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
      %34 = graph.add %23, %33 : tensor<2x4x8xf32>, tensor<2x4x8xf32>
      graph.yield %34 : tensor<2x4x8xf32>
    }
    %2 = graph.layer block 1 (%arg2 = %1 : tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
      %4 = graph.param_ref @h.1.ln_1.weight : tensor<8xf32>
      %5 = graph.param_ref @h.1.ln_1.bias : tensor<8xf32>
      %6 = graph.layer_norm %arg2, %4, %5 : tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>
      %7 = graph.param_ref @h.1.attn.c_attn.weight : tensor<24x8xf32>
      %8 = graph.param_ref @h.1.attn.c_attn.bias : tensor<24xf32>
      %9 = graph.linear %6, %7, %8 : (tensor<2x4x8xf32>, tensor<24x8xf32>, tensor<24xf32>) -> tensor<2x4x24xf32>
      %10:3 = graph.split %9 {axis = 2 : i64} : tensor<2x4x24xf32> -> tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>
      %11 = graph.reshape %10#0 : tensor<2x4x8xf32> to tensor<2x4x2x4xf32>
      %12 = graph.transpose %11 [0, 2, 1, 3] : tensor<2x4x2x4xf32> to tensor<2x2x4x4xf32>
      %13 = graph.reshape %10#1 : tensor<2x4x8xf32> to tensor<2x4x2x4xf32>
      %14 = graph.transpose %13 [0, 2, 1, 3] : tensor<2x4x2x4xf32> to tensor<2x2x4x4xf32>
      %15 = graph.reshape %10#2 : tensor<2x4x8xf32> to tensor<2x4x2x4xf32>
      %16 = graph.transpose %15 [0, 2, 1, 3] : tensor<2x4x2x4xf32> to tensor<2x2x4x4xf32>
      %17 = graph.attention %12, %14, %16 {causal} : tensor<2x2x4x4xf32>, tensor<2x2x4x4xf32>, tensor<2x2x4x4xf32>
      %18 = graph.transpose %17 [0, 2, 1, 3] : tensor<2x2x4x4xf32> to tensor<2x4x2x4xf32>
      %19 = graph.reshape %18 : tensor<2x4x2x4xf32> to tensor<2x4x8xf32>
      %20 = graph.param_ref @h.1.attn.c_proj.weight : tensor<8x8xf32>
      %21 = graph.param_ref @h.1.attn.c_proj.bias : tensor<8xf32>
      %22 = graph.linear %19, %20, %21 : (tensor<2x4x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
      %23 = graph.add %arg2, %22 : tensor<2x4x8xf32>, tensor<2x4x8xf32>
      %24 = graph.param_ref @h.1.ln_2.weight : tensor<8xf32>
      %25 = graph.param_ref @h.1.ln_2.bias : tensor<8xf32>
      %26 = graph.layer_norm %23, %24, %25 : tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>
      %27 = graph.param_ref @h.1.mlp.c_fc.weight : tensor<32x8xf32>
      %28 = graph.param_ref @h.1.mlp.c_fc.bias : tensor<32xf32>
      %29 = graph.linear %26, %27, %28 : (tensor<2x4x8xf32>, tensor<32x8xf32>, tensor<32xf32>) -> tensor<2x4x32xf32>
      %30 = graph.gelu %29 tanh : tensor<2x4x32xf32>
      %31 = graph.param_ref @h.1.mlp.c_proj.weight : tensor<8x32xf32>
      %32 = graph.param_ref @h.1.mlp.c_proj.bias : tensor<8xf32>
      %33 = graph.linear %30, %31, %32 : (tensor<2x4x32xf32>, tensor<8x32xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
      %34 = graph.add %23, %33 : tensor<2x4x8xf32>, tensor<2x4x8xf32>
      graph.yield %34 : tensor<2x4x8xf32>
    }
    %3 = graph.layer head 0 (%arg2 = %2 : tensor<2x4x8xf32>, %arg3 = %arg1 : tensor<2x4xi32>) -> tensor<f32> {
      %4 = graph.param_ref @ln_f.weight : tensor<8xf32>
      %5 = graph.param_ref @ln_f.bias : tensor<8xf32>
      %6 = graph.layer_norm %arg2, %4, %5 : tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>
      %7 = graph.param_ref @wte.weight : tensor<16x8xf32>
      %8 = graph.linear %6, %7 : (tensor<2x4x8xf32>, tensor<16x8xf32>) -> tensor<2x4x16xf32>
      %9 = graph.cross_entropy %8, %arg3 {num_classes = 16 : i64} : (tensor<2x4x16xf32>, tensor<2x4xi32>) -> tensor<f32>
      graph.yield %9 : tensor<f32>
    }
    return %3 : tensor<f32>
  }
}
