// RUN: %ptc-opt %s -dist-tensor-parallel -split-input-file | FileCheck %s

// Tests Megatron tensor parallelism on one GPT block with tied embeddings
// (tp = 2): the token embedding and the tied output projection split over
// the vocabulary, the fused QKV projection split per segment (each rank
// holds its Q, K and V heads), attention on half the heads, row-parallel
// projections reduced before their bias, the MLP split, norms and the
// position embedding replicated, and the loss from reduced row maxima and
// partial sums (the logits are never gathered).

// CHECK-LABEL: module @gpt_block
// CHECK: dist.mesh @mesh axes [pp = 1, dp = 1, tp = 2]
// CHECK: graph.param @wte.weight : tensor<16x16xf32> {{.*}}{dist.global_type = tensor<32x16xf32>, dist.sharding = #dist.sharding<@mesh, {{\[\[}}tp]]>}
// CHECK: graph.param @wpe.weight : tensor<8x16xf32> position_embedding init <normal, std = 2.000000e-02>{{$}}
// CHECK: graph.param @h.0.ln_1.weight : tensor<16xf32> norm_scale init <ones>{{$}}
// CHECK: graph.param @h.0.attn.c_attn.weight : tensor<24x16xf32> {{.*}}{dist.global_type = tensor<48x16xf32>, dist.segments = array<i64: 16, 16, 16>, dist.sharding = #dist.sharding<@mesh, {{\[\[}}tp]]>}
// CHECK: graph.param @h.0.attn.c_attn.bias : tensor<24xf32> {{.*}}dist.segments = array<i64: 16, 16, 16>
// CHECK: graph.param @h.0.attn.c_proj.weight : tensor<16x8xf32> {{.*}}dist.sharding = #dist.sharding<@mesh, {{\[\[}}], [tp]]>}
// CHECK: graph.param @h.0.attn.c_proj.bias : tensor<16xf32> bias init <zeros>{{$}}
// CHECK: graph.param @h.0.mlp.c_fc.weight : tensor<32x16xf32> {{.*}}dist.sharding = #dist.sharding<@mesh, {{\[\[}}tp]]>}
// CHECK: graph.param @h.0.mlp.c_fc.bias : tensor<32xf32> {{.*}}dist.sharding = #dist.sharding<@mesh, {{\[\[}}tp]]>}
// CHECK: graph.param @h.0.mlp.c_proj.weight : tensor<16x32xf32> {{.*}}dist.sharding = #dist.sharding<@mesh, {{\[\[}}], [tp]]>}

// CHECK: graph.layer embedding 0
// CHECK: %[[EMB:.*]] = graph.embedding %{{.*}}[%{{.*}}] {vocab_shard_axis = "tp"} : (tensor<16x16xf32>, tensor<2x8xi32>) -> tensor<2x8x16xf32>
// CHECK-NEXT: %[[SUM:.*]] = dist.all_reduce %[[EMB]] on @mesh axes [tp] reduction sum : tensor<2x8x16xf32>
// CHECK: graph.add %[[SUM]], %{{.*}} : tensor<2x8x16xf32>, tensor<8x16xf32>

// CHECK: graph.layer block 0
// CHECK: %[[LN1:.*]] = graph.layer_norm %{{.*}} : tensor<2x8x16xf32>, tensor<16xf32>, tensor<16xf32>
// CHECK-NEXT: %[[IN1:.*]] = dist.all_reduce_grad %[[LN1]] on @mesh axes [tp] : tensor<2x8x16xf32>
// CHECK: %[[QKV:.*]] = graph.linear %[[IN1]], %{{.*}}, %{{.*}} : (tensor<2x8x16xf32>, tensor<24x16xf32>, tensor<24xf32>) -> tensor<2x8x24xf32>
// CHECK-NEXT: graph.split %[[QKV]] {axis = 2 : i64} : tensor<2x8x24xf32> -> tensor<2x8x8xf32>, tensor<2x8x8xf32>, tensor<2x8x8xf32>
// CHECK-NEXT: graph.reshape %{{.*}} : tensor<2x8x8xf32> to tensor<2x8x1x8xf32>
// CHECK: graph.attention %{{.*}} {causal} : tensor<2x1x8x8xf32>, tensor<2x1x8x8xf32>, tensor<2x1x8x8xf32>
// CHECK: %[[CTX:.*]] = graph.reshape %{{.*}} : tensor<2x8x1x8xf32> to tensor<2x8x8xf32>
// CHECK: %[[PROJB:.*]] = graph.param_ref @h.0.attn.c_proj.bias
// CHECK-NEXT: %[[PART:.*]] = graph.linear %[[CTX]], %{{.*}} : (tensor<2x8x8xf32>, tensor<16x8xf32>) -> tensor<2x8x16xf32>
// CHECK-NEXT: %[[RED:.*]] = dist.all_reduce %[[PART]] on @mesh axes [tp] reduction sum : tensor<2x8x16xf32>
// CHECK-NEXT: graph.add %[[RED]], %[[PROJB]] : tensor<2x8x16xf32>, tensor<16xf32>
// CHECK: dist.all_reduce_grad
// CHECK: graph.linear {{.*}} -> tensor<2x8x32xf32>
// CHECK-NEXT: graph.gelu %{{.*}} tanh : tensor<2x8x32xf32>
// CHECK: graph.linear {{.*}} : (tensor<2x8x32xf32>, tensor<16x32xf32>) -> tensor<2x8x16xf32>
// CHECK-NEXT: dist.all_reduce {{.*}} reduction sum : tensor<2x8x16xf32>

// CHECK: graph.layer head 0
// CHECK: %[[H:.*]] = dist.all_reduce_grad
// CHECK: %[[LOGITS:.*]] = graph.linear %[[H]], %{{.*}} : (tensor<2x8x16xf32>, tensor<16x16xf32>) -> tensor<2x8x16xf32>
// CHECK-NEXT: %[[LMAX:.*]] = graph.vocab_parallel_max %[[LOGITS]] {num_classes = 32 : i64, shard_axis = "tp"} : tensor<2x8x16xf32> -> tensor<2x8xf32>
// CHECK-NEXT: %[[MAX:.*]] = dist.all_reduce %[[LMAX]] on @mesh axes [tp] reduction max : tensor<2x8xf32>
// CHECK-NEXT: %[[P:.*]] = graph.vocab_parallel_partials %[[LOGITS]], %{{.*}}, %[[MAX]] {num_classes = 32 : i64, shard_axis = "tp"}
// CHECK-NEXT: %[[PS:.*]] = dist.all_reduce %[[P]] on @mesh axes [tp] reduction sum : tensor<2x2x8xf32>
// CHECK-NEXT: graph.cross_entropy_from_partials %[[PS]] : tensor<2x2x8xf32> -> tensor<f32>
// CHECK-NOT: graph.cross_entropy %

module @gpt_block attributes {ptc.parallel = #dist.parallel<tp = 2>} {
  graph.param @wte.weight : tensor<32x16xf32> token_embedding init <normal, std = 2.000000e-02>
  graph.param @wpe.weight : tensor<8x16xf32> position_embedding init <normal, std = 2.000000e-02>
  graph.param @h.0.ln_1.weight : tensor<16xf32> norm_scale init <ones>
  graph.param @h.0.ln_1.bias : tensor<16xf32> norm_bias init <zeros>
  graph.param @h.0.attn.c_attn.weight : tensor<48x16xf32> weight init <normal, std = 2.000000e-02>
  graph.param @h.0.attn.c_attn.bias : tensor<48xf32> bias init <zeros>
  graph.param @h.0.attn.c_proj.weight : tensor<16x16xf32> weight init <normal, std = 2.000000e-02, scale = 0.70710678118654746>
  graph.param @h.0.attn.c_proj.bias : tensor<16xf32> bias init <zeros>
  graph.param @h.0.ln_2.weight : tensor<16xf32> norm_scale init <ones>
  graph.param @h.0.ln_2.bias : tensor<16xf32> norm_bias init <zeros>
  graph.param @h.0.mlp.c_fc.weight : tensor<64x16xf32> weight init <normal, std = 2.000000e-02>
  graph.param @h.0.mlp.c_fc.bias : tensor<64xf32> bias init <zeros>
  graph.param @h.0.mlp.c_proj.weight : tensor<16x64xf32> weight init <normal, std = 2.000000e-02, scale = 0.70710678118654746>
  graph.param @h.0.mlp.c_proj.bias : tensor<16xf32> bias init <zeros>
  graph.param @ln_f.weight : tensor<16xf32> norm_scale init <ones>
  graph.param @ln_f.bias : tensor<16xf32> norm_bias init <zeros>
  func.func @forward(%arg0: tensor<2x8xi32> {ptc.input = "tokens"}, %arg1: tensor<2x8xi32> {ptc.input = "targets"}) -> tensor<f32> {
    %0 = graph.layer embedding 0 (%arg2 = %arg0 : tensor<2x8xi32>) -> tensor<2x8x16xf32> {
      %3 = graph.param_ref @wte.weight : tensor<32x16xf32>
      %4 = graph.embedding %3[%arg2] : (tensor<32x16xf32>, tensor<2x8xi32>) -> tensor<2x8x16xf32>
      %5 = graph.param_ref @wpe.weight : tensor<8x16xf32>
      %6 = graph.position_embedding %5 : tensor<8x16xf32> -> tensor<8x16xf32>
      %7 = graph.add %4, %6 : tensor<2x8x16xf32>, tensor<8x16xf32>
      graph.yield %7 : tensor<2x8x16xf32>
    }
    %1 = graph.layer block 0 (%arg2 = %0 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32> {
      %3 = graph.param_ref @h.0.ln_1.weight : tensor<16xf32>
      %4 = graph.param_ref @h.0.ln_1.bias : tensor<16xf32>
      %5 = graph.layer_norm %arg2, %3, %4 : tensor<2x8x16xf32>, tensor<16xf32>, tensor<16xf32>
      %6 = graph.param_ref @h.0.attn.c_attn.weight : tensor<48x16xf32>
      %7 = graph.param_ref @h.0.attn.c_attn.bias : tensor<48xf32>
      %8 = graph.linear %5, %6, %7 : (tensor<2x8x16xf32>, tensor<48x16xf32>, tensor<48xf32>) -> tensor<2x8x48xf32>
      %9:3 = graph.split %8 {axis = 2 : i64} : tensor<2x8x48xf32> -> tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<2x8x16xf32>
      %10 = graph.reshape %9#0 : tensor<2x8x16xf32> to tensor<2x8x2x8xf32>
      %11 = graph.transpose %10 [0, 2, 1, 3] : tensor<2x8x2x8xf32> to tensor<2x2x8x8xf32>
      %12 = graph.reshape %9#1 : tensor<2x8x16xf32> to tensor<2x8x2x8xf32>
      %13 = graph.transpose %12 [0, 2, 1, 3] : tensor<2x8x2x8xf32> to tensor<2x2x8x8xf32>
      %14 = graph.reshape %9#2 : tensor<2x8x16xf32> to tensor<2x8x2x8xf32>
      %15 = graph.transpose %14 [0, 2, 1, 3] : tensor<2x8x2x8xf32> to tensor<2x2x8x8xf32>
      %16 = graph.attention %11, %13, %15 {causal} : tensor<2x2x8x8xf32>, tensor<2x2x8x8xf32>, tensor<2x2x8x8xf32>
      %17 = graph.transpose %16 [0, 2, 1, 3] : tensor<2x2x8x8xf32> to tensor<2x8x2x8xf32>
      %18 = graph.reshape %17 : tensor<2x8x2x8xf32> to tensor<2x8x16xf32>
      %19 = graph.param_ref @h.0.attn.c_proj.weight : tensor<16x16xf32>
      %20 = graph.param_ref @h.0.attn.c_proj.bias : tensor<16xf32>
      %21 = graph.linear %18, %19, %20 : (tensor<2x8x16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
      %22 = graph.add %arg2, %21 : tensor<2x8x16xf32>, tensor<2x8x16xf32>
      %23 = graph.param_ref @h.0.ln_2.weight : tensor<16xf32>
      %24 = graph.param_ref @h.0.ln_2.bias : tensor<16xf32>
      %25 = graph.layer_norm %22, %23, %24 : tensor<2x8x16xf32>, tensor<16xf32>, tensor<16xf32>
      %26 = graph.param_ref @h.0.mlp.c_fc.weight : tensor<64x16xf32>
      %27 = graph.param_ref @h.0.mlp.c_fc.bias : tensor<64xf32>
      %28 = graph.linear %25, %26, %27 : (tensor<2x8x16xf32>, tensor<64x16xf32>, tensor<64xf32>) -> tensor<2x8x64xf32>
      %29 = graph.gelu %28 tanh : tensor<2x8x64xf32>
      %30 = graph.param_ref @h.0.mlp.c_proj.weight : tensor<16x64xf32>
      %31 = graph.param_ref @h.0.mlp.c_proj.bias : tensor<16xf32>
      %32 = graph.linear %29, %30, %31 : (tensor<2x8x64xf32>, tensor<16x64xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
      %33 = graph.add %22, %32 : tensor<2x8x16xf32>, tensor<2x8x16xf32>
      graph.yield %33 : tensor<2x8x16xf32>
    }
    %2 = graph.layer head 0 (%arg2 = %1 : tensor<2x8x16xf32>, %arg3 = %arg1 : tensor<2x8xi32>) -> tensor<f32> {
      %3 = graph.param_ref @ln_f.weight : tensor<16xf32>
      %4 = graph.param_ref @ln_f.bias : tensor<16xf32>
      %5 = graph.layer_norm %arg2, %3, %4 : tensor<2x8x16xf32>, tensor<16xf32>, tensor<16xf32>
      %6 = graph.param_ref @wte.weight : tensor<32x16xf32>
      %7 = graph.linear %5, %6 : (tensor<2x8x16xf32>, tensor<32x16xf32>) -> tensor<2x8x32xf32>
      %8 = graph.cross_entropy %7, %arg3 {num_classes = 32 : i64} : (tensor<2x8x32xf32>, tensor<2x8xi32>) -> tensor<f32>
      graph.yield %8 : tensor<f32>
    }
    return %2 : tensor<f32>
  }
}

// -----

// Tests sequence parallelism on the same block (tp = 2): the embedding's
// partial sums reduce-scattered along the sequence and the position
// embedding sharded to match; norms on sequence shards with partial
// gradients (dist.partial_grad, summed by dist-data-parallel); the inputs of
// column-parallel projections all-gathered along the sequence, the outputs
// of row-parallel ones reduce-scattered along it, their biases partial too.

// CHECK-LABEL: module @gpt_block_sp
// CHECK: graph.param @h.0.ln_1.weight : tensor<16xf32> norm_scale init <ones> {dist.partial_grad = ["tp"]}
// CHECK: graph.param @h.0.attn.c_proj.bias : tensor<16xf32> bias init <zeros> {dist.partial_grad = ["tp"]}
// CHECK: graph.param @ln_f.bias : tensor<16xf32> norm_bias init <zeros> {dist.partial_grad = ["tp"]}
// CHECK: graph.layer embedding 0
// CHECK: %[[E:.*]] = graph.embedding {{.*}} {vocab_shard_axis = "tp"}
// CHECK-NEXT: %[[S:.*]] = dist.reduce_scatter %[[E]] on @mesh axes [tp] scatter_axis 1 reduction sum : tensor<2x8x16xf32> -> tensor<2x4x16xf32>
// CHECK: %[[P:.*]] = graph.position_embedding
// CHECK-NEXT: %[[PS:.*]] = dist.shard %[[P]] to <@mesh, {{\[\[}}tp]]> : tensor<8x16xf32> -> tensor<4x16xf32>
// CHECK-NEXT: graph.add %[[S]], %[[PS]] : tensor<2x4x16xf32>, tensor<4x16xf32>
// CHECK: graph.layer block 0 (%{{.*}} = %{{.*}} : tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
// CHECK: %[[LN:.*]] = graph.layer_norm %{{.*}} : tensor<2x4x16xf32>, tensor<16xf32>, tensor<16xf32>
// CHECK-NEXT: %[[G:.*]] = dist.all_gather %[[LN]] on @mesh axes [tp] gather_axis 1 : tensor<2x4x16xf32> -> tensor<2x8x16xf32>
// CHECK: graph.linear %[[G]], {{.*}} -> tensor<2x8x24xf32>
// CHECK: %[[PART:.*]] = graph.linear {{.*}} : (tensor<2x8x8xf32>, tensor<16x8xf32>) -> tensor<2x8x16xf32>
// CHECK-NEXT: %[[RS:.*]] = dist.reduce_scatter %[[PART]] on @mesh axes [tp] scatter_axis 1 reduction sum : tensor<2x8x16xf32> -> tensor<2x4x16xf32>
// CHECK-NEXT: graph.add %[[RS]], %{{.*}} : tensor<2x4x16xf32>, tensor<16xf32>
// CHECK: graph.layer head 0 (%{{.*}} = %{{.*}} : tensor<2x4x16xf32>
// CHECK: dist.all_gather {{.*}} gather_axis 1 : tensor<2x4x16xf32> -> tensor<2x8x16xf32>
// CHECK: graph.vocab_parallel_max

module @gpt_block_sp attributes {ptc.parallel = #dist.parallel<tp = 2, sequence_parallel = true>} {
  graph.param @wte.weight : tensor<32x16xf32> token_embedding init <normal, std = 2.000000e-02>
  graph.param @wpe.weight : tensor<8x16xf32> position_embedding init <normal, std = 2.000000e-02>
  graph.param @h.0.ln_1.weight : tensor<16xf32> norm_scale init <ones>
  graph.param @h.0.ln_1.bias : tensor<16xf32> norm_bias init <zeros>
  graph.param @h.0.attn.c_attn.weight : tensor<48x16xf32> weight init <normal, std = 2.000000e-02>
  graph.param @h.0.attn.c_attn.bias : tensor<48xf32> bias init <zeros>
  graph.param @h.0.attn.c_proj.weight : tensor<16x16xf32> weight init <normal, std = 2.000000e-02, scale = 0.70710678118654746>
  graph.param @h.0.attn.c_proj.bias : tensor<16xf32> bias init <zeros>
  graph.param @h.0.ln_2.weight : tensor<16xf32> norm_scale init <ones>
  graph.param @h.0.ln_2.bias : tensor<16xf32> norm_bias init <zeros>
  graph.param @h.0.mlp.c_fc.weight : tensor<64x16xf32> weight init <normal, std = 2.000000e-02>
  graph.param @h.0.mlp.c_fc.bias : tensor<64xf32> bias init <zeros>
  graph.param @h.0.mlp.c_proj.weight : tensor<16x64xf32> weight init <normal, std = 2.000000e-02, scale = 0.70710678118654746>
  graph.param @h.0.mlp.c_proj.bias : tensor<16xf32> bias init <zeros>
  graph.param @ln_f.weight : tensor<16xf32> norm_scale init <ones>
  graph.param @ln_f.bias : tensor<16xf32> norm_bias init <zeros>
  func.func @forward(%arg0: tensor<2x8xi32> {ptc.input = "tokens"}, %arg1: tensor<2x8xi32> {ptc.input = "targets"}) -> tensor<f32> {
    %0 = graph.layer embedding 0 (%arg2 = %arg0 : tensor<2x8xi32>) -> tensor<2x8x16xf32> {
      %3 = graph.param_ref @wte.weight : tensor<32x16xf32>
      %4 = graph.embedding %3[%arg2] : (tensor<32x16xf32>, tensor<2x8xi32>) -> tensor<2x8x16xf32>
      %5 = graph.param_ref @wpe.weight : tensor<8x16xf32>
      %6 = graph.position_embedding %5 : tensor<8x16xf32> -> tensor<8x16xf32>
      %7 = graph.add %4, %6 : tensor<2x8x16xf32>, tensor<8x16xf32>
      graph.yield %7 : tensor<2x8x16xf32>
    }
    %1 = graph.layer block 0 (%arg2 = %0 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32> {
      %3 = graph.param_ref @h.0.ln_1.weight : tensor<16xf32>
      %4 = graph.param_ref @h.0.ln_1.bias : tensor<16xf32>
      %5 = graph.layer_norm %arg2, %3, %4 : tensor<2x8x16xf32>, tensor<16xf32>, tensor<16xf32>
      %6 = graph.param_ref @h.0.attn.c_attn.weight : tensor<48x16xf32>
      %7 = graph.param_ref @h.0.attn.c_attn.bias : tensor<48xf32>
      %8 = graph.linear %5, %6, %7 : (tensor<2x8x16xf32>, tensor<48x16xf32>, tensor<48xf32>) -> tensor<2x8x48xf32>
      %9:3 = graph.split %8 {axis = 2 : i64} : tensor<2x8x48xf32> -> tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<2x8x16xf32>
      %10 = graph.reshape %9#0 : tensor<2x8x16xf32> to tensor<2x8x2x8xf32>
      %11 = graph.transpose %10 [0, 2, 1, 3] : tensor<2x8x2x8xf32> to tensor<2x2x8x8xf32>
      %12 = graph.reshape %9#1 : tensor<2x8x16xf32> to tensor<2x8x2x8xf32>
      %13 = graph.transpose %12 [0, 2, 1, 3] : tensor<2x8x2x8xf32> to tensor<2x2x8x8xf32>
      %14 = graph.reshape %9#2 : tensor<2x8x16xf32> to tensor<2x8x2x8xf32>
      %15 = graph.transpose %14 [0, 2, 1, 3] : tensor<2x8x2x8xf32> to tensor<2x2x8x8xf32>
      %16 = graph.attention %11, %13, %15 {causal} : tensor<2x2x8x8xf32>, tensor<2x2x8x8xf32>, tensor<2x2x8x8xf32>
      %17 = graph.transpose %16 [0, 2, 1, 3] : tensor<2x2x8x8xf32> to tensor<2x8x2x8xf32>
      %18 = graph.reshape %17 : tensor<2x8x2x8xf32> to tensor<2x8x16xf32>
      %19 = graph.param_ref @h.0.attn.c_proj.weight : tensor<16x16xf32>
      %20 = graph.param_ref @h.0.attn.c_proj.bias : tensor<16xf32>
      %21 = graph.linear %18, %19, %20 : (tensor<2x8x16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
      %22 = graph.add %arg2, %21 : tensor<2x8x16xf32>, tensor<2x8x16xf32>
      %23 = graph.param_ref @h.0.ln_2.weight : tensor<16xf32>
      %24 = graph.param_ref @h.0.ln_2.bias : tensor<16xf32>
      %25 = graph.layer_norm %22, %23, %24 : tensor<2x8x16xf32>, tensor<16xf32>, tensor<16xf32>
      %26 = graph.param_ref @h.0.mlp.c_fc.weight : tensor<64x16xf32>
      %27 = graph.param_ref @h.0.mlp.c_fc.bias : tensor<64xf32>
      %28 = graph.linear %25, %26, %27 : (tensor<2x8x16xf32>, tensor<64x16xf32>, tensor<64xf32>) -> tensor<2x8x64xf32>
      %29 = graph.gelu %28 tanh : tensor<2x8x64xf32>
      %30 = graph.param_ref @h.0.mlp.c_proj.weight : tensor<16x64xf32>
      %31 = graph.param_ref @h.0.mlp.c_proj.bias : tensor<16xf32>
      %32 = graph.linear %29, %30, %31 : (tensor<2x8x64xf32>, tensor<16x64xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
      %33 = graph.add %22, %32 : tensor<2x8x16xf32>, tensor<2x8x16xf32>
      graph.yield %33 : tensor<2x8x16xf32>
    }
    %2 = graph.layer head 0 (%arg2 = %1 : tensor<2x8x16xf32>, %arg3 = %arg1 : tensor<2x8xi32>) -> tensor<f32> {
      %3 = graph.param_ref @ln_f.weight : tensor<16xf32>
      %4 = graph.param_ref @ln_f.bias : tensor<16xf32>
      %5 = graph.layer_norm %arg2, %3, %4 : tensor<2x8x16xf32>, tensor<16xf32>, tensor<16xf32>
      %6 = graph.param_ref @wte.weight : tensor<32x16xf32>
      %7 = graph.linear %5, %6 : (tensor<2x8x16xf32>, tensor<32x16xf32>) -> tensor<2x8x32xf32>
      %8 = graph.cross_entropy %7, %arg3 {num_classes = 32 : i64} : (tensor<2x8x32xf32>, tensor<2x8xi32>) -> tensor<f32>
      graph.yield %8 : tensor<f32>
    }
    return %2 : tensor<f32>
  }
}

// -----

// Tests that tp = 1 changes nothing.

// CHECK-LABEL: module @single attributes {ptc.parallel = #dist.parallel<>}
// CHECK-NOT: dist.
module @single attributes {ptc.parallel = #dist.parallel<tp = 1>} {
  graph.param @w : tensor<8x4xf32> weight init <normal, std = 2.000000e-02>
  func.func @forward(%x: tensor<2x4xf32>) -> tensor<2x8xf32> {
    %w = graph.param_ref @w : tensor<8x4xf32>
    %y = graph.linear %x, %w : (tensor<2x4xf32>, tensor<8x4xf32>) -> tensor<2x8xf32>
    return %y : tensor<2x8xf32>
  }
}
