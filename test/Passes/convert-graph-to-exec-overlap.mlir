// RUN: ptc-opt %s -convert-graph-to-exec | FileCheck %s

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

module @overlap attributes {ptc.parallel = {dp = 2 : i64}} {
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
