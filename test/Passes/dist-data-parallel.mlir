// RUN: %ptc-opt %s -dist-data-parallel -split-input-file | FileCheck %s

// Tests data parallelism with tensor parallelism (dp = 2, tp = 2): the loss
// of micro_step and eval_step averaged over dp; in optimizer_step every
// gradient averaged over dp in place before its first reader; the global
// norm with the squares of the tp-split gradient (@w) summed over tp while
// the replicated one (@b) is counted once; the clip factor and AdamW read
// the reduced gradients.

// CHECK-LABEL: module @dp_tp
module @dp_tp attributes {ptc.parallel = #dist.parallel<dp = 2, tp = 2, grad_bucket_mb = 0.0>} {
  dist.mesh @mesh axes [pp = 1, dp = 2, tp = 2]
  graph.param @w : tensor<4x4xf32> weight init <normal, std = 2.000000e-02> {dist.global_type = tensor<8x4xf32>, dist.sharding = #dist.sharding<@mesh, [[tp]]>}
  graph.param @b : tensor<4xf32> bias init <zeros>
  // CHECK: func.func @micro_step(%[[L:.*]]: tensor<f32>)
  // CHECK-NEXT: %[[A:.*]] = dist.all_reduce %[[L]] on @mesh axes [dp] reduction avg : tensor<f32>
  // CHECK-NEXT: return %[[A]]
  func.func @micro_step(%loss: tensor<f32>) -> tensor<f32> attributes {ptc.entry = "micro_step"} {
    return %loss : tensor<f32>
  }
  // CHECK: func.func @eval_step
  // CHECK-NEXT: dist.all_reduce {{.*}} axes [dp] reduction avg
  func.func @eval_step(%loss: tensor<f32>) -> tensor<f32> attributes {ptc.entry = "eval_step"} {
    return %loss : tensor<f32>
  }
  // CHECK: func.func @optimizer_step
  // CHECK-NEXT: %[[GW:.*]] = graph.grad_ref @w : tensor<4x4xf32>
  // CHECK-NEXT: %[[RW:.*]] = dist.all_reduce %[[GW]] on @mesh axes [dp] reduction avg : tensor<4x4xf32>
  // CHECK-NEXT: %[[GB:.*]] = graph.grad_ref @b : tensor<4xf32>
  // CHECK-NEXT: %[[RB:.*]] = dist.all_reduce %[[GB]] on @mesh axes [dp] reduction avg : tensor<4xf32>
  // CHECK-NEXT: %[[SQ:.*]] = graph.sum_squares %[[RW]] : tensor<4x4xf32> -> tensor<f64>
  // CHECK-NEXT: %[[ST:.*]] = dist.all_reduce %[[SQ]] on @mesh axes [tp] reduction sum : tensor<f64>
  // CHECK-NEXT: %[[N:.*]] = graph.global_norm %[[RB]] plus_squares(%[[ST]] : tensor<f64>) : tensor<4xf32> -> tensor<f32>
  // CHECK-NEXT: %[[C:.*]] = graph.clip_factor %[[N]]
  // CHECK: graph.adamw_update @w, %[[RW]], %{{.*}}, %[[C]]
  // CHECK: graph.adamw_update @b, %[[RB]], %{{.*}}, %[[C]]
  func.func @optimizer_step(%step: tensor<i64>) -> (tensor<f32>, tensor<f32>) attributes {ptc.entry = "optimizer_step"} {
    %gw = graph.grad_ref @w : tensor<4x4xf32>
    %gb = graph.grad_ref @b : tensor<4xf32>
    %n = graph.global_norm %gw, %gb : tensor<4x4xf32>, tensor<4xf32> -> tensor<f32>
    %c = graph.clip_factor %n {max_norm = 1.000000e+00 : f64} : tensor<f32>
    %lr = graph.lr_schedule %step {decay_steps = 10 : i64, lr = 1.000000e-03 : f64, min_lr = 1.000000e-04 : f64, schedule = "cosine", warmup_steps = 2 : i64} : tensor<i64> -> tensor<f32>
    graph.adamw_update @w, %gw, %lr, %c, %step {beta1 = 9.000000e-01 : f64, beta2 = 0.95 : f64, eps = 1.000000e-08 : f64, weight_decay = 1.000000e-01 : f64} : tensor<4x4xf32>, tensor<f32>, tensor<f32>, tensor<i64>
    graph.adamw_update @b, %gb, %lr, %c, %step {beta1 = 9.000000e-01 : f64, beta2 = 0.95 : f64, eps = 1.000000e-08 : f64, weight_decay = 0.000000e+00 : f64} : tensor<4xf32>, tensor<f32>, tensor<f32>, tensor<i64>
    return %lr, %n : tensor<f32>, tensor<f32>
  }
}

// -----

// Tests that a single-device plan changes nothing (no mesh, no collectives).

// CHECK-LABEL: module @single attributes {ptc.parallel = #dist.parallel<>}
// CHECK-NOT: dist.
module @single attributes {ptc.parallel = #dist.parallel<dp = 1, tp = 1>} {
  graph.param @b : tensor<4xf32> bias init <zeros>
  func.func @micro_step(%loss: tensor<f32>) -> tensor<f32> attributes {ptc.entry = "micro_step"} {
    return %loss : tensor<f32>
  }
}

// -----

// Tests that a gradient marked partial over tp (a norm on sequence shards)
// is summed over tp before it is averaged over dp.

// CHECK-LABEL: module @partial
// CHECK: %[[G:.*]] = graph.grad_ref @g
// CHECK-NEXT: %[[T:.*]] = dist.all_reduce %[[G]] on @mesh axes [tp] reduction sum
// CHECK-NEXT: %[[D:.*]] = dist.all_reduce %[[T]] on @mesh axes [dp] reduction avg
// CHECK-NEXT: graph.global_norm %[[D]]
module @partial attributes {ptc.parallel = #dist.parallel<dp = 2, tp = 2, grad_bucket_mb = 0.0>} {
  graph.param @g : tensor<4xf32> norm_scale init <ones> {dist.partial_grad = ["tp"]}
  func.func @optimizer_step(%step: tensor<i64>) -> tensor<f32> attributes {ptc.entry = "optimizer_step"} {
    %g = graph.grad_ref @g : tensor<4xf32>
    %n = graph.global_norm %g : tensor<4xf32> -> tensor<f32>
    return %n : tensor<f32>
  }
}

// -----

// Tests ZeRO-1 (dp = 2): the 9-element gradient flattened and zero-padded
// to 10, reduce-scattered (averaged) into chunks of 5; the norm from the
// chunks' squares summed over dp; AdamW on the rank's chunk (moments of 5
// elements: dist.zero_chunk); the updated chunks all-gathered into the
// parameter.

// CHECK-LABEL: module @zero
// CHECK: graph.param @w : tensor<3x3xf32> {{.*}} {dist.zero_chunk = 5 : i64}
// CHECK: %[[G:.*]] = graph.grad_ref @w : tensor<3x3xf32>
// CHECK-NEXT: %[[F:.*]] = graph.reshape %[[G]] : tensor<3x3xf32> to tensor<9xf32>
// CHECK-NEXT: %[[Z:.*]] = graph.zeros : tensor<1xf32>
// CHECK-NEXT: %[[P:.*]] = graph.concat %[[F]], %[[Z]] {axis = 0 : i64} : tensor<9xf32>, tensor<1xf32> -> tensor<10xf32>
// CHECK-NEXT: %[[C:.*]] = dist.reduce_scatter %[[P]] on @mesh axes [dp] scatter_axis 0 reduction avg : tensor<10xf32> -> tensor<5xf32>
// CHECK-NEXT: %[[SQ:.*]] = graph.sum_squares %[[C]] : tensor<5xf32> -> tensor<f64>
// CHECK-NEXT: %[[S:.*]] = dist.all_reduce %[[SQ]] on @mesh axes [dp] reduction sum : tensor<f64>
// CHECK-NEXT: graph.global_norm plus_squares(%[[S]] : tensor<f64>) -> tensor<f32>
// CHECK: graph.adamw_update @w, %[[C]], {{.*}}shard_axis = "dp"{{.*}} : tensor<5xf32>
// CHECK-NEXT: %[[MINE:.*]] = graph.param_chunk @w {shard_axis = "dp"} : tensor<5xf32>
// CHECK-NEXT: %[[ALL:.*]] = dist.all_gather %[[MINE]] on @mesh axes [dp] gather_axis 0 : tensor<5xf32> -> tensor<10xf32>
// CHECK-NEXT: graph.set_param @w, %[[ALL]] : tensor<10xf32>
// CHECK-NEXT: graph.zero_grad @w
module @zero attributes {ptc.parallel = #dist.parallel<dp = 2, tp = 1, zero_stage = 1, grad_bucket_mb = 0.0>} {
  graph.param @w : tensor<3x3xf32> weight init <normal, std = 2.000000e-02>
  func.func @optimizer_step(%step: tensor<i64>) -> (tensor<f32>, tensor<f32>) attributes {ptc.entry = "optimizer_step"} {
    %gw = graph.grad_ref @w : tensor<3x3xf32>
    %n = graph.global_norm %gw : tensor<3x3xf32> -> tensor<f32>
    %c = graph.clip_factor %n {max_norm = 1.000000e+00 : f64} : tensor<f32>
    %lr = graph.lr_schedule %step {decay_steps = 10 : i64, lr = 1.000000e-03 : f64, min_lr = 1.000000e-04 : f64, schedule = "cosine", warmup_steps = 2 : i64} : tensor<i64> -> tensor<f32>
    graph.adamw_update @w, %gw, %lr, %c, %step {beta1 = 9.000000e-01 : f64, beta2 = 0.95 : f64, eps = 1.000000e-08 : f64, weight_decay = 1.000000e-01 : f64} : tensor<3x3xf32>, tensor<f32>, tensor<f32>, tensor<i64>
    graph.zero_grad @w
    return %lr, %n : tensor<f32>, tensor<f32>
  }
}

// -----

// Tests the overlapped, bucketed reduction (dp = 2, tp = 2, buckets of
// 1e-4 MiB = 104.9 bytes). micro_step keeps its accumulations and reduces
// nothing; last_micro_step, its copy for a step's last micro-batch, moves
// each accumulation right after the op that computes its gradient and walks
// them in that order (@c 64 bytes, @n 32, @b 32, @a 32): the first bucket
// closes after @b (128 bytes), with its parameters in declaration order and
// the partial gradient of @n summed over tp before the dp average; the rest
// (@a) forms the last bucket. optimizer_step then reads the reduced
// accumulators as they are.

// CHECK-LABEL: module @overlap
// CHECK: func.func @micro_step
// CHECK-NOT: dist.reduce_grads
// CHECK: graph.accumulate_grad @a
// CHECK-NEXT: graph.accumulate_grad @b
// CHECK-NEXT: graph.accumulate_grad @c
// CHECK-NEXT: graph.accumulate_grad @n
// CHECK-NEXT: %[[ML:.*]] = dist.all_reduce %{{.*}} on @mesh axes [dp] reduction avg : tensor<f32>
// CHECK-NEXT: return %[[ML]]
// CHECK: func.func @last_micro_step({{.*}}) -> tensor<f32> attributes {ptc.entry = "last_micro_step"}
// CHECK-NEXT: %[[GC:.*]] = graph.add
// CHECK-NEXT: graph.accumulate_grad @c, %[[GC]]
// CHECK-NEXT: %[[GN:.*]] = graph.add
// CHECK-NEXT: graph.accumulate_grad @n, %[[GN]]
// CHECK-NEXT: %[[GB:.*]] = graph.add
// CHECK-NEXT: graph.accumulate_grad @b, %[[GB]]
// CHECK-NEXT: dist.reduce_grads [@n] on @mesh axes [tp] reduction sum bucket 0
// CHECK-NEXT: dist.reduce_grads [@b, @c, @n] on @mesh axes [dp] reduction avg bucket 0
// CHECK-NEXT: %[[GA:.*]] = graph.add
// CHECK-NEXT: graph.accumulate_grad @a, %[[GA]]
// CHECK-NEXT: dist.reduce_grads [@a] on @mesh axes [dp] reduction avg bucket 1
// CHECK-NEXT: dist.all_reduce %{{.*}} on @mesh axes [dp] reduction avg : tensor<f32>
// CHECK: func.func @optimizer_step
// CHECK-NOT: axes [dp]
// CHECK: return
module @overlap attributes {ptc.parallel = #dist.parallel<dp = 2, tp = 2, grad_bucket_mb = 1.000000e-04>} {
  graph.param @a : tensor<8xf32> bias init <zeros>
  graph.param @b : tensor<8xf32> bias init <zeros>
  graph.param @c : tensor<16xf32> bias init <zeros>
  graph.param @n : tensor<8xf32> norm_scale init <ones> {dist.partial_grad = ["tp"]}
  func.func @micro_step(%loss: tensor<f32>, %x8: tensor<8xf32>, %x16: tensor<16xf32>) -> tensor<f32> attributes {ptc.entry = "micro_step"} {
    %gc = graph.add %x16, %x16 : tensor<16xf32>, tensor<16xf32>
    %gn = graph.add %x8, %x8 : tensor<8xf32>, tensor<8xf32>
    %gb = graph.add %gn, %x8 : tensor<8xf32>, tensor<8xf32>
    %ga = graph.add %gb, %x8 : tensor<8xf32>, tensor<8xf32>
    graph.accumulate_grad @a, %ga : tensor<8xf32>
    graph.accumulate_grad @b, %gb : tensor<8xf32>
    graph.accumulate_grad @c, %gc : tensor<16xf32>
    graph.accumulate_grad @n, %gn : tensor<8xf32>
    return %loss : tensor<f32>
  }
  func.func @optimizer_step(%step: tensor<i64>) -> tensor<f32> attributes {ptc.entry = "optimizer_step"} {
    %ga = graph.grad_ref @a : tensor<8xf32>
    %gb = graph.grad_ref @b : tensor<8xf32>
    %gc = graph.grad_ref @c : tensor<16xf32>
    %gn = graph.grad_ref @n : tensor<8xf32>
    %norm = graph.global_norm %ga, %gb, %gc, %gn : tensor<8xf32>, tensor<8xf32>, tensor<16xf32>, tensor<8xf32> -> tensor<f32>
    return %norm : tensor<f32>
  }
}

// -----

// Tests ZeRO-1 with the overlapped reduction (dp = 2, buckets of 1e-4 MiB,
// one bucket here): @w (8 elements, dp divides it) is reduce-scattered in
// place by last_micro_step and optimizer_step reads its chunk
// (graph.grad_chunk); @o (3 elements) is left out of the bucket and keeps its
// padded reduce-scatter in optimizer_step.

// CHECK-LABEL: module @zero_overlap
// CHECK: func.func @last_micro_step
// CHECK: graph.accumulate_grad @w
// CHECK: graph.accumulate_grad @o
// CHECK-NEXT: dist.reduce_scatter_grads [@w] on @mesh axes [dp] reduction avg bucket 0
// CHECK-NOT: dist.reduce_scatter_grads
// CHECK: func.func @optimizer_step
// CHECK: %[[GW:.*]] = graph.grad_chunk @w {shard_axis = "dp"} : tensor<4xf32>
// CHECK: %[[GO:.*]] = graph.grad_ref @o : tensor<3xf32>
// CHECK: dist.reduce_scatter %{{.*}} on @mesh axes [dp] scatter_axis 0 reduction avg : tensor<4xf32> -> tensor<2xf32>
// CHECK: graph.adamw_update @w, %[[GW]]
module @zero_overlap attributes {ptc.parallel = #dist.parallel<dp = 2, tp = 1, zero_stage = 1, grad_bucket_mb = 1.000000e-04>} {
  graph.param @w : tensor<8xf32> bias init <zeros>
  graph.param @o : tensor<3xf32> bias init <zeros>
  func.func @micro_step(%loss: tensor<f32>, %x8: tensor<8xf32>, %x3: tensor<3xf32>) -> tensor<f32> attributes {ptc.entry = "micro_step"} {
    %gw = graph.add %x8, %x8 : tensor<8xf32>, tensor<8xf32>
    %go = graph.add %x3, %x3 : tensor<3xf32>, tensor<3xf32>
    graph.accumulate_grad @o, %go : tensor<3xf32>
    graph.accumulate_grad @w, %gw : tensor<8xf32>
    return %loss : tensor<f32>
  }
  func.func @optimizer_step(%step: tensor<i64>) -> (tensor<f32>, tensor<f32>) attributes {ptc.entry = "optimizer_step"} {
    %gw = graph.grad_ref @w : tensor<8xf32>
    %go = graph.grad_ref @o : tensor<3xf32>
    %n = graph.global_norm %gw, %go : tensor<8xf32>, tensor<3xf32> -> tensor<f32>
    %c = graph.clip_factor %n {max_norm = 1.000000e+00 : f64} : tensor<f32>
    %lr = graph.lr_schedule %step {decay_steps = 10 : i64, lr = 1.000000e-03 : f64, min_lr = 1.000000e-04 : f64, schedule = "cosine", warmup_steps = 2 : i64} : tensor<i64> -> tensor<f32>
    graph.adamw_update @w, %gw, %lr, %c, %step {beta1 = 9.000000e-01 : f64, beta2 = 0.95 : f64, eps = 1.000000e-08 : f64, weight_decay = 0.000000e+00 : f64} : tensor<8xf32>, tensor<f32>, tensor<f32>, tensor<i64>
    graph.adamw_update @o, %go, %lr, %c, %step {beta1 = 9.000000e-01 : f64, beta2 = 0.95 : f64, eps = 1.000000e-08 : f64, weight_decay = 0.000000e+00 : f64} : tensor<3xf32>, tensor<f32>, tensor<f32>, tensor<i64>
    return %lr, %n : tensor<f32>, tensor<f32>
  }
}
