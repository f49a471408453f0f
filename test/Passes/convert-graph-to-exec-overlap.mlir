// RUN: ptc-opt %s -split-input-file -convert-graph-to-exec | FileCheck %s

// Tests the exec lowering of dist.reduce_grads: the compute (default)
// stream records @grads_ready after the bucket's accumulations; the
// communication stream @comm waits for it and runs one group of in-place
// all-reduces of the gradient accumulators (count, communicator, avg = 3);
// the entry point ends with a join, @comm recording @comm_done and the
// default stream waiting for it, before the loss is written.

// CHECK-LABEL: module @overlap
// CHECK-DAG: exec.stream @comm
// CHECK-DAG: exec.event @grads_ready
// CHECK-DAG: exec.event @comm_done
// CHECK: func.func @last_micro_step()
// CHECK: exec.launch "axpy"
// CHECK: exec.launch "axpy"
// CHECK-NEXT: exec.event_record @grads_ready
// CHECK-NEXT: exec.stream_wait @comm for @grads_ready
// CHECK-NEXT: exec.launch "group_start"() access [] on @comm
// CHECK-NEXT: %[[A:.*]] = exec.global_ref @a.grad : memref<8xf32>
// CHECK-NEXT: exec.launch "all_reduce"(%[[A]]) access [readwrite] args [8, 0, 3] on @comm : memref<8xf32>
// CHECK-NEXT: %[[B:.*]] = exec.global_ref @b.grad : memref<2x3xf32>
// CHECK-NEXT: exec.launch "all_reduce"(%[[B]]) access [readwrite] args [6, 0, 3] on @comm : memref<2x3xf32>
// CHECK-NEXT: exec.launch "group_end"() access [] on @comm
// CHECK: exec.event_record @comm_done on @comm
// CHECK-NEXT: exec.stream_wait for @comm_done
// CHECK-NEXT: %[[LOSS:.*]] = exec.global_ref @io.loss
// CHECK-NEXT: exec.copy %[[LOSS]]
// CHECK-NEXT: return

module @overlap attributes {ptc.parallel = #dist.parallel<dp = 2>} {
  dist.mesh @mesh axes [pp = 1, dp = 2, tp = 1]
  graph.param @a : tensor<8xf32> bias init <zeros>
  graph.param @b : tensor<2x3xf32> bias init <zeros>
  func.func @last_micro_step(%tok: tensor<2x4xi32> {ptc.input = "tokens"},
                             %tgt: tensor<2x4xi32> {ptc.input = "targets"}) -> tensor<f32>
      attributes {ptc.entry = "last_micro_step"} {
    %z8 = graph.zeros : tensor<8xf32>
    %z6 = graph.zeros : tensor<2x3xf32>
    graph.accumulate_grad @a, %z8 : tensor<8xf32>
    graph.accumulate_grad @b, %z6 : tensor<2x3xf32>
    dist.reduce_grads [@a, @b] on @mesh axes [dp] reduction avg bucket 0
    %loss = graph.zeros : tensor<f32>
    return %loss : tensor<f32>
  }
}

// -----

// Tests ZeRO-1's bucket: an in-place reduce-scatter of each accumulator into
// the rank's chunk (count per rank 4 of 8, avg) on @comm, and graph.grad_chunk
// as a copy_chunk of the accumulator on the dp axis (mesh axis 1).

// CHECK-LABEL: module @zero
// CHECK: func.func @last_micro_step()
// CHECK: exec.launch "group_start"() access [] on @comm
// CHECK-NEXT: %[[A:.*]] = exec.global_ref @a.grad : memref<8xf32>
// CHECK-NEXT: exec.launch "reduce_scatter_inplace"(%[[A]]) access [readwrite] args [4, 0, 3] on @comm : memref<8xf32>
// CHECK-NEXT: exec.launch "group_end"() access [] on @comm
// CHECK: func.func @optimizer_step()
// CHECK: %[[C:.*]] = exec.alloc : memref<4xf32>
// CHECK-NEXT: %[[G:.*]] = exec.global_ref @a.grad : memref<8xf32>
// CHECK-NEXT: exec.launch "copy_chunk"(%[[C]], %[[G]]) access [write, read] args [8, 4, 1]
module @zero attributes {ptc.parallel = #dist.parallel<dp = 2, zero_stage = 1>} {
  dist.mesh @mesh axes [pp = 1, dp = 2, tp = 1]
  graph.param @a : tensor<8xf32> bias init <zeros> {dist.zero_chunk = 4 : i64}
  func.func @last_micro_step(%tok: tensor<2x4xi32> {ptc.input = "tokens"},
                             %tgt: tensor<2x4xi32> {ptc.input = "targets"}) -> tensor<f32>
      attributes {ptc.entry = "last_micro_step"} {
    %z8 = graph.zeros : tensor<8xf32>
    graph.accumulate_grad @a, %z8 : tensor<8xf32>
    dist.reduce_scatter_grads [@a] on @mesh axes [dp] reduction avg bucket 0
    %loss = graph.zeros : tensor<f32>
    return %loss : tensor<f32>
  }
  func.func @optimizer_step(%step: tensor<i64> {ptc.input = "step"}) -> (tensor<f32>, tensor<f32>)
      attributes {ptc.entry = "optimizer_step"} {
    %c = graph.grad_chunk @a {shard_axis = "dp"} : tensor<4xf32>
    %n = graph.global_norm %c : tensor<4xf32> -> tensor<f32>
    return %n, %n : tensor<f32>, tensor<f32>
  }
}
