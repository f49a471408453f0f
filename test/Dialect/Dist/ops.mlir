// RUN: ptc-opt %s | ptc-opt | FileCheck %s
// RUN: ptc-opt %s --mlir-print-op-generic | ptc-opt | FileCheck %s

// Tests that every dist op and attribute round-trips, in the custom and the
// generic form.

// CHECK: dist.mesh @mesh axes [dp = 2, pp = 1, tp = 4]
dist.mesh @mesh axes [dp = 2, pp = 1, tp = 4]
// CHECK: dist.mesh @pipeline axes [pp = 4]
dist.mesh @pipeline axes [pp = 4]

// CHECK-LABEL: func.func @shard
func.func @shard(%x: tensor<16x1024x768xf32>) {
  // CHECK: dist.shard %{{.*}} to <@mesh, {{\[\[}}], [], [tp]]> : tensor<16x1024x768xf32> -> tensor<16x1024x192xf32>
  %0 = dist.shard %x to <@mesh, [[], [], [tp]]>
      : tensor<16x1024x768xf32> -> tensor<16x1024x192xf32>
  // CHECK: dist.shard %{{.*}} to <@mesh, {{\[\[}}dp], [tp]], partial = [pp]> : tensor<16x1024x768xf32> -> tensor<8x256x768xf32>
  %1 = dist.shard %x to <@mesh, [[dp], [tp]], partial = [pp]>
      : tensor<16x1024x768xf32> -> tensor<8x256x768xf32>
  // Two axes on one dimension: 8 shards, dp outermost.
  // CHECK: dist.shard %{{.*}} to <@mesh, {{\[\[}}dp, tp], [], []]> : tensor<16x1024x768xf32> -> tensor<2x1024x768xf32>
  %2 = dist.shard %x to <@mesh, [[dp, tp], [], []]>
      : tensor<16x1024x768xf32> -> tensor<2x1024x768xf32>
  // Replicated, with pending sums over tp.
  // CHECK: dist.shard %{{.*}} to <@mesh, [], partial = [tp]> : tensor<16x1024x768xf32> -> tensor<16x1024x768xf32>
  %3 = dist.shard %x to <@mesh, [], partial = [tp]>
      : tensor<16x1024x768xf32> -> tensor<16x1024x768xf32>
  return
}

// CHECK-LABEL: func.func @collectives
func.func @collectives(%x: tensor<16x1024x768xf32>, %s: tensor<16x1024x192xbf16>,
                       %b: tensor<768xf32>) {
  // CHECK: dist.all_reduce %{{.*}} on @mesh axes [tp] reduction sum : tensor<16x1024x768xf32>
  %0 = dist.all_reduce %x on @mesh axes [tp] reduction sum : tensor<16x1024x768xf32>
  // CHECK: dist.all_reduce %{{.*}} on @mesh axes [dp, tp] reduction avg : tensor<768xf32>
  %1 = dist.all_reduce %b on @mesh axes [dp, tp] reduction avg : tensor<768xf32>
  // CHECK: dist.all_reduce %{{.*}} on @mesh axes [dp] reduction max : tensor<768xf32>
  %2 = dist.all_reduce %b on @mesh axes [dp] reduction max : tensor<768xf32>
  // CHECK: dist.all_reduce %{{.*}} on @mesh axes [dp] reduction min : tensor<768xf32>
  %3 = dist.all_reduce %b on @mesh axes [dp] reduction min : tensor<768xf32>
  // CHECK: dist.all_gather %{{.*}} on @mesh axes [tp] gather_axis 2 : tensor<16x1024x192xbf16> -> tensor<16x1024x768xbf16>
  %4 = dist.all_gather %s on @mesh axes [tp] gather_axis 2
      : tensor<16x1024x192xbf16> -> tensor<16x1024x768xbf16>
  // CHECK: dist.reduce_scatter %{{.*}} on @mesh axes [tp] scatter_axis 1 reduction sum : tensor<16x1024x768xf32> -> tensor<16x256x768xf32>
  %5 = dist.reduce_scatter %x on @mesh axes [tp] scatter_axis 1 reduction sum
      : tensor<16x1024x768xf32> -> tensor<16x256x768xf32>
  // CHECK: dist.reduce_scatter %{{.*}} on @mesh axes [dp, tp] scatter_axis 0 reduction sum : tensor<768xf32> -> tensor<96xf32>
  %6 = dist.reduce_scatter %b on @mesh axes [dp, tp] scatter_axis 0 reduction sum
      : tensor<768xf32> -> tensor<96xf32>
  return
}

// CHECK-LABEL: func.func @point_to_point
func.func @point_to_point(%x: tensor<4x1024x768xf32>) -> tensor<4x1024x768xf32> {
  // CHECK: dist.send %{{.*}} on @pipeline axis pp to next : tensor<4x1024x768xf32>
  dist.send %x on @pipeline axis pp to next : tensor<4x1024x768xf32>
  // CHECK: dist.send %{{.*}} on @pipeline axis pp to 0 : tensor<4x1024x768xf32>
  dist.send %x on @pipeline axis pp to 0 : tensor<4x1024x768xf32>
  // CHECK: dist.recv on @pipeline axis pp from prev : tensor<4x1024x768xf32>
  %0 = dist.recv on @pipeline axis pp from prev : tensor<4x1024x768xf32>
  // CHECK: dist.recv on @pipeline axis pp from 3 : tensor<4x1024x768xf32>
  %1 = dist.recv on @pipeline axis pp from 3 : tensor<4x1024x768xf32>
  return %0 : tensor<4x1024x768xf32>
}

// CHECK-LABEL: func.func @reduce_grads
func.func @reduce_grads() {
  // CHECK: dist.reduce_grads [@w, @b] on @mesh axes [dp] reduction avg bucket 0
  dist.reduce_grads [@w, @b] on @mesh axes [dp] reduction avg bucket 0
  // CHECK: dist.reduce_grads [@b] on @mesh axes [tp] reduction sum bucket 1
  dist.reduce_grads [@b] on @mesh axes [tp] reduction sum bucket 1
  // CHECK: dist.reduce_scatter_grads [@w] on @mesh axes [dp] reduction avg bucket 2
  dist.reduce_scatter_grads [@w] on @mesh axes [dp] reduction avg bucket 2
  return
}
graph.param @w : tensor<4x4xf32> weight init <normal, std = 2.000000e-02>
graph.param @b : tensor<4xf32> bias init <zeros>

// The sharding is an attribute like any other: it may sit on any op.
// CHECK-LABEL: func.func @sharding_attribute
// CHECK-SAME: dist.sharding = #dist.sharding<@mesh, {{\[\[}}dp], [], []], partial = [tp]>
func.func @sharding_attribute() attributes {
    dist.sharding = #dist.sharding<@mesh, [[dp], [], []], partial = [tp]>} {
  return
}
