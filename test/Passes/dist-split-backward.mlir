// Tests dist-split-backward on a pipeline rank's chunk backward (one linear
// layer unit under zero_bubble): the input half keeps what the input
// gradient needs and returns the values the weight half reads (the layer's
// input and the output gradient, each carried once, in the order of
// definition); the weight half reads them from the carry slots and
// accumulates the gradients; the fused backward stays
// (dist-pipeline-schedule drops what no action calls).
// RUN: ptc-opt %s --dist-split-backward | FileCheck %s
// A plan whose schedule runs every backward whole is left alone.
// RUN: sed 's/schedule = zero_bubble/schedule = gpipe/' %s | ptc-opt --dist-split-backward | FileCheck %s --check-prefix=WHOLE
// WHOLE-NOT: backward_input
// WHOLE-NOT: backward_weight

// CHECK-LABEL: func.func @stage1_backward(
// CHECK-LABEL: func.func @stage1_backward_input(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<4x8xf32> {ptc.input = "stage1.input"}
// CHECK-SAME: %[[DY:[a-z0-9]+]]: tensor<4x6xf32> {ptc.input = "stage1.output_grad"}
// CHECK-SAME: -> (tensor<4x8xf32> {ptc.output = "stage1.input_grad"}, tensor<4x8xf32> {ptc.output = "stage1.carry.0"}, tensor<4x6xf32> {ptc.output = "stage1.carry.1"})
// CHECK-SAME: ptc.entry = "stage1_backward_input"
// CHECK-NEXT: %[[W:.*]] = graph.param_ref @w
// CHECK-NEXT: %[[DX:.*]] = graph.matmul %[[DY]], %[[W]]
// CHECK-NEXT: return %[[DX]], %[[X]], %[[DY]]
// CHECK-LABEL: func.func @stage1_backward_weight(
// CHECK-SAME: %[[CX:[a-z0-9]+]]: tensor<4x8xf32> {ptc.input = "stage1.carry.0"}
// CHECK-SAME: %[[CDY:[a-z0-9]+]]: tensor<4x6xf32> {ptc.input = "stage1.carry.1"})
// CHECK-SAME: ptc.entry = "stage1_backward_weight"
// CHECK-NEXT: %[[DW:.*]] = graph.matmul %[[CDY]], %[[CX]] {transpose_lhs}
// CHECK-NEXT: %[[B:.*]] = graph.reduce_sum %[[CDY]] [0]
// CHECK-NEXT: graph.accumulate_grad @w, %[[DW]] {scale = 5.000000e-01 : f64}
// CHECK-NEXT: graph.accumulate_grad @b, %[[B]] {scale = 5.000000e-01 : f64}
// CHECK-NEXT: return
// CHECK-NEXT: }

module @pipeline_rank1 attributes {ptc.pipeline_rank = 1 : i64, ptc.parallel = #dist.parallel<pp = 2, schedule = zero_bubble>} {
  graph.param @w : tensor<6x8xf32> weight init <normal, std = 2.000000e-02>
  graph.param @b : tensor<6xf32> bias init <zeros>
  func.func @stage1_backward(%x: tensor<4x8xf32> {ptc.input = "stage1.input"}, %dy: tensor<4x6xf32> {ptc.input = "stage1.output_grad"}) -> (tensor<4x8xf32> {ptc.output = "stage1.input_grad"}) attributes {ptc.entry = "stage1_backward", ptc.micro_steps = 2 : i64, ptc.stage = 1 : i64} {
    %0:3 = graph.layer block_backward 1 (%a = %x : tensor<4x8xf32>, %g = %dy : tensor<4x6xf32>) -> (tensor<4x8xf32>, tensor<6x8xf32>, tensor<6xf32>) {
      %w = graph.param_ref @w : tensor<6x8xf32>
      %dx = graph.matmul %g, %w : (tensor<4x6xf32>, tensor<6x8xf32>) -> tensor<4x8xf32>
      %dw = graph.matmul %g, %a {transpose_lhs} : (tensor<4x6xf32>, tensor<4x8xf32>) -> tensor<6x8xf32>
      %db = graph.reduce_sum %g [0] : tensor<4x6xf32> -> tensor<6xf32>
      graph.yield %dx, %dw, %db : tensor<4x8xf32>, tensor<6x8xf32>, tensor<6xf32>
    }
    graph.accumulate_grad @w, %0#1 {scale = 5.000000e-01 : f64} : tensor<6x8xf32>
    graph.accumulate_grad @b, %0#2 {scale = 5.000000e-01 : f64} : tensor<6xf32>
    return %0#0 : tensor<4x8xf32>
  }
}
