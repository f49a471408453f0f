// RUN: ptc-opt %s -convert-graph-to-exec | FileCheck %s

// Tests the exec lowering of the dist ops and of the vocabulary-parallel
// ops: each distinct axis set becomes a communicator (ptc.comms, in order of
// first use) that launches name by index; a split parameter draws its full
// tensor into a scratch buffer and keeps its shard (segment by segment for
// a fused projection); an all-reduce of a value nothing else reads runs in
// place; reduce-scatter and all-gather along a dimension that is not the
// leading one go through a rank-major buffer and a permute; all_reduce_grad
// is the identity (no launch); the vocabulary-parallel kernels get the mesh
// axis of the vocabulary split; the reduction code is 0 sum, 1 max, 3 avg.

// CHECK-LABEL: module @collectives attributes {ptc.comms = {{\[\[}}"tp"], ["dp"]]
// CHECK: exec.global @qkv in @parameters : memref<6x8xf32> {{.*}}dist.global_type = tensor<12x8xf32>
// CHECK: func.func @init_params()
// CHECK: %[[Q:.*]] = exec.global_ref @qkv : memref<6x8xf32>
// CHECK-NEXT: %[[FULL:.*]] = exec.alloc : memref<12x8xf32>
// CHECK: exec.launch "init_normal"(%[[FULL]], %{{.*}}) access [write, read] args [96, 0, 2.000000e-02]
// CHECK-NEXT: exec.launch "shard_slice"(%[[Q]], %[[FULL]]) access [write, read] args [1, 12, 8, 2, 2, 3, 4, 4, 4, 0]
// CHECK: exec.launch "shard_slice"(%{{.*}}, %{{.*}}) access [write, read] args [1, 16, 8, 2, 2, 1, 16, 0, 0, 0] : memref<8x8xf32>, memref<16x8xf32>

// CHECK: func.func @eval_step()
// CHECK: %[[E:.*]] = exec.alloc : memref<2x4x8xf32>
// CHECK-NEXT: exec.launch "embedding_shard_forward"(%[[E]], %{{.*}}, %{{.*}}) access [write, read, read] args [8, 8, 8, 2]
// CHECK-NEXT: exec.launch "all_reduce"(%[[E]]) access [readwrite] args [64, 0, 0] : memref<2x4x8xf32>
// CHECK-NEXT: %[[RANKED:.*]] = exec.alloc : memref<2x2x16xf32>
// CHECK-NEXT: exec.launch "permute"(%[[RANKED]], %[[E]]) access [write, read] args [3, 2, 2, 16, 1, 1, 1, 1, 0, 2, 3, 4, 5]
// CHECK-NEXT: %[[RS:.*]] = exec.alloc : memref<2x2x8xf32>
// CHECK-NEXT: exec.launch "reduce_scatter"(%[[RS]], %[[RANKED]]) access [write, read] args [32, 0, 0]
// CHECK-NEXT: %[[AG:.*]] = exec.alloc : memref<2x4x8xf32>
// CHECK-NEXT: %[[GATHERED:.*]] = exec.alloc : memref<2x2x16xf32>
// CHECK-NEXT: exec.launch "all_gather"(%[[GATHERED]], %[[RS]]) access [write, read] args [32, 0]
// CHECK-NEXT: exec.launch "permute"(%[[AG]], %[[GATHERED]]) access [write, read] args [3, 2, 2, 16, 1, 1, 1, 1, 0, 2, 3, 4, 5]
// CHECK-NOT: all_reduce_grad
// CHECK: exec.gemm
// CHECK: exec.launch "vocab_max"(%[[MAX:.*]], %{{.*}}) access [write, read] args [8, 8, 15, 2]
// CHECK-NEXT: exec.launch "all_reduce"(%[[MAX]]) access [readwrite] args [8, 0, 1]
// CHECK: exec.launch "vocab_partials"(%[[P:.*]], %{{.*}}, %{{.*}}, %[[MAX]]) access [write, read, read, read] args [8, 8, 15, 2]
// CHECK-NEXT: exec.launch "all_reduce"(%[[P]]) access [readwrite] args [16, 0, 0]
// CHECK: exec.launch "ce_from_partials"(%[[L:.*]], %[[P]]) access [write, read] args [8]
// CHECK-NEXT: exec.launch "all_reduce"(%[[L]]) access [readwrite] args [1, 1, 3] : memref<f32>

module @collectives attributes {ptc.parallel = #dist.parallel<tp = 2, dp = 2>} {
  dist.mesh @mesh axes [pp = 1, dp = 2, tp = 2]
  graph.param @qkv : tensor<6x8xf32> weight init #graph.init<normal, std = 0.02> {dist.global_type = tensor<12x8xf32>, dist.segments = array<i64: 4, 4, 4>, dist.sharding = #dist.sharding<@mesh, [[tp]]>}
  graph.param @wte : tensor<8x8xf32> token_embedding init #graph.init<normal, std = 0.02> {dist.global_type = tensor<16x8xf32>, dist.sharding = #dist.sharding<@mesh, [[tp]]>}
  func.func @forward(%tok: tensor<2x4xi32> {ptc.input = "tokens"},
                     %tgt: tensor<2x4xi32> {ptc.input = "targets"}) -> tensor<f32>
      attributes {ptc.entry = "eval_step"} {
    %w = graph.param_ref @wte : tensor<8x8xf32>
    %e = graph.embedding %w[%tok] {vocab_shard_axis = "tp"} : (tensor<8x8xf32>, tensor<2x4xi32>) -> tensor<2x4x8xf32>
    %s = dist.all_reduce %e on @mesh axes [tp] reduction sum : tensor<2x4x8xf32>
    %r = dist.reduce_scatter %s on @mesh axes [tp] scatter_axis 1 reduction sum : tensor<2x4x8xf32> -> tensor<2x2x8xf32>
    %g = dist.all_gather %r on @mesh axes [tp] gather_axis 1 : tensor<2x2x8xf32> -> tensor<2x4x8xf32>
    %i = dist.all_reduce_grad %g on @mesh axes [tp] : tensor<2x4x8xf32>
    %logits = graph.linear %i, %w : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
    %m = graph.vocab_parallel_max %logits {num_classes = 15 : i64, shard_axis = "tp"} : tensor<2x4x8xf32> -> tensor<2x4xf32>
    %mm = dist.all_reduce %m on @mesh axes [tp] reduction max : tensor<2x4xf32>
    %p = graph.vocab_parallel_partials %logits, %tgt, %mm {num_classes = 15 : i64, shard_axis = "tp"} : (tensor<2x4x8xf32>, tensor<2x4xi32>, tensor<2x4xf32>) -> tensor<2x2x4xf32>
    %ps = dist.all_reduce %p on @mesh axes [tp] reduction sum : tensor<2x2x4xf32>
    %l = graph.cross_entropy_from_partials %ps : tensor<2x2x4xf32> -> tensor<f32>
    %la = dist.all_reduce %l on @mesh axes [dp] reduction avg : tensor<f32>
    return %la : tensor<f32>
  }
}
