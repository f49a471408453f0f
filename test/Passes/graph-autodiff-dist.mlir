// RUN: %ptc-opt %s -graph-autodiff | FileCheck %s

// Tests that graph-autodiff differentiates through the collectives with
// their conjugates (DistVJP.cpp): all_reduce sum -> identity, all_gather ->
// reduce_scatter along the same dimension, shard -> all_gather of the
// shard's gradient, reduce_scatter -> all_gather, all_reduce_grad ->
// all_reduce sum; so the backward's communication is explicit too.

// CHECK-LABEL: func.func @train_step
// CHECK-SAME: (%{{.*}}: tensor<2x4x8xf32>, %{{.*}}: tensor<4x8xf32>, %[[DY:.*]]: tensor<2x4x8xf32> {ptc.cotangent = 0 : i64})
// The forward, then the backward from the cotangent: all_reduce's VJP is
// the identity, so all_gather's reduce-scatter reads the cotangent itself.
// CHECK: %[[Y:.*]] = dist.all_reduce %{{.*}} on @mesh axes [tp] reduction sum : tensor<2x4x8xf32>
// CHECK-NEXT: %[[DC:.*]] = dist.reduce_scatter %[[DY]] on @mesh axes [tp] scatter_axis 1 reduction sum : tensor<2x4x8xf32> -> tensor<2x2x8xf32>
// The broadcast operand's gradient is summed, then gathered whole (shard).
// CHECK-NEXT: %[[DPS:.*]] = graph.reduce_sum %[[DC]] [0] : tensor<2x2x8xf32> -> tensor<2x8xf32>
// CHECK-NEXT: %[[DP:.*]] = dist.all_gather %[[DPS]] on @mesh axes [tp] gather_axis 0 : tensor<2x8xf32> -> tensor<4x8xf32>
// reduce_scatter's VJP all-gathers; all_reduce_grad's sums over tp.
// CHECK-NEXT: %[[DA:.*]] = dist.all_gather %[[DC]] on @mesh axes [tp] gather_axis 1 : tensor<2x2x8xf32> -> tensor<2x4x8xf32>
// CHECK-NEXT: %[[DX:.*]] = dist.all_reduce %[[DA]] on @mesh axes [tp] reduction sum : tensor<2x4x8xf32>
// CHECK-NEXT: return %[[Y]], %[[DX]], %[[DP]]
module @collectives {
  dist.mesh @mesh axes [pp = 1, dp = 1, tp = 2]
  func.func @forward(%x: tensor<2x4x8xf32>, %p: tensor<4x8xf32>) -> tensor<2x4x8xf32> {
    %a = dist.all_reduce_grad %x on @mesh axes [tp] : tensor<2x4x8xf32>
    %b = dist.reduce_scatter %a on @mesh axes [tp] scatter_axis 1 reduction sum : tensor<2x4x8xf32> -> tensor<2x2x8xf32>
    %ps = dist.shard %p to <@mesh, [[tp]]> : tensor<4x8xf32> -> tensor<2x8xf32>
    %c = graph.add %b, %ps : tensor<2x2x8xf32>, tensor<2x8xf32>
    %d = dist.all_gather %c on @mesh axes [tp] gather_axis 1 : tensor<2x2x8xf32> -> tensor<2x4x8xf32>
    %e = dist.all_reduce %d on @mesh axes [tp] reduction sum : tensor<2x4x8xf32>
    return %e : tensor<2x4x8xf32>
  }
}
