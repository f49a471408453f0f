// RUN: ptc-opt %s | ptc-opt | FileCheck %s
// RUN: ptc-opt %s --mlir-print-op-generic | ptc-opt | FileCheck %s

// Tests that every gradient op and autodiff helper of the graph dialect
// round-trips.

// CHECK-LABEL: func.func @embeddings
func.func @embeddings(%dy: tensor<2x5x8xf32>, %ids: tensor<2x5xi32>,
                      %dp: tensor<5x8xf32>) {
  // CHECK: graph.embedding_grad %{{.*}}, %{{.*}} : (tensor<2x5x8xf32>, tensor<2x5xi32>) -> tensor<11x8xf32>
  %0 = graph.embedding_grad %dy, %ids : (tensor<2x5x8xf32>, tensor<2x5xi32>) -> tensor<11x8xf32>
  // CHECK: graph.position_embedding_grad %{{.*}} : tensor<5x8xf32> -> tensor<6x8xf32>
  %1 = graph.position_embedding_grad %dp : tensor<5x8xf32> -> tensor<6x8xf32>
  return
}

// CHECK-LABEL: func.func @norms
func.func @norms(%dy: tensor<2x5x8xf32>, %x: tensor<2x5x8xf32>, %g: tensor<8xf32>) {
  // CHECK: graph.layer_norm_grad %{{.*}}, %{{.*}}, %{{.*}} {epsilon = {{.*}} : f64} : tensor<2x5x8xf32>, tensor<8xf32> -> tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>
  %dx, %dg, %db = graph.layer_norm_grad %dy, %x, %g {epsilon = 1.0e-6 : f64} : tensor<2x5x8xf32>, tensor<8xf32> -> tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>
  // CHECK: graph.layer_norm_grad %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x5x8xf32>, tensor<8xf32> -> tensor<2x5x8xf32>, tensor<8xf32>{{$}}
  %dx2, %dg2 = graph.layer_norm_grad %dy, %x, %g : tensor<2x5x8xf32>, tensor<8xf32> -> tensor<2x5x8xf32>, tensor<8xf32>
  // CHECK: graph.rms_norm_grad %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x5x8xf32>, tensor<8xf32>
  %dx3, %dg3 = graph.rms_norm_grad %dy, %x, %g : tensor<2x5x8xf32>, tensor<8xf32>
  return
}

// CHECK-LABEL: func.func @attention
func.func @attention(%dy: tensor<2x2x5x2xf32>, %q: tensor<2x2x5x2xf32>,
                     %k: tensor<2x1x5x2xf32>, %v: tensor<2x1x5x2xf32>) {
  // CHECK: graph.attention_grad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {causal} : tensor<2x2x5x2xf32>, tensor<2x1x5x2xf32>, tensor<2x1x5x2xf32>
  %dq, %dk, %dv = graph.attention_grad %dy, %q, %k, %v {causal} : tensor<2x2x5x2xf32>, tensor<2x1x5x2xf32>, tensor<2x1x5x2xf32>
  // CHECK: graph.attention_grad {{.*}} {dropout = 1.000000e-01 : f64, scale = 5.000000e-01 : f64}
  %dq2, %dk2, %dv2 = graph.attention_grad %dy, %q, %k, %v {scale = 0.5 : f64, dropout = 0.1 : f64} : tensor<2x2x5x2xf32>, tensor<2x1x5x2xf32>, tensor<2x1x5x2xf32>
  // CHECK: graph.rope_grad %{{.*}} {theta = 5.000000e+05 : f64} : tensor<2x2x5x2xf32>
  %dr = graph.rope_grad %dy {theta = 5.0e5 : f64} : tensor<2x2x5x2xf32>
  return
}

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%dy: tensor<2x5x8xf32>, %x: tensor<2x5x8xf32>,
                       %u: tensor<2x5x8xf32>) {
  // CHECK: graph.gelu_grad %{{.*}}, %{{.*}} tanh : tensor<2x5x8xf32>
  %0 = graph.gelu_grad %dy, %x tanh : tensor<2x5x8xf32>
  // CHECK: graph.gelu_grad %{{.*}}, %{{.*}} erf : tensor<2x5x8xf32>
  %1 = graph.gelu_grad %dy, %x erf : tensor<2x5x8xf32>
  // CHECK: graph.silu_grad %{{.*}}, %{{.*}} : tensor<2x5x8xf32>
  %2 = graph.silu_grad %dy, %x : tensor<2x5x8xf32>
  // CHECK: graph.swiglu_grad %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x5x8xf32>
  %3, %4 = graph.swiglu_grad %dy, %x, %u : tensor<2x5x8xf32>
  // CHECK: graph.dropout_grad %{{.*}} {p = 1.000000e-01 : f64, stream = 3 : i64} : tensor<2x5x8xf32>
  %5 = graph.dropout_grad %dy {p = 0.1 : f64, stream = 3 : i64} : tensor<2x5x8xf32>
  return
}

// CHECK-LABEL: func.func @loss
func.func @loss(%dl: tensor<f32>, %logits: tensor<2x5x11xf32>, %t: tensor<2x5xi32>) {
  // CHECK: graph.cross_entropy_grad %{{.*}}, %{{.*}}, %{{.*}} {num_classes = 10 : i64} : tensor<f32>, tensor<2x5x11xf32>, tensor<2x5xi32>
  %0 = graph.cross_entropy_grad %dl, %logits, %t {num_classes = 10 : i64} : tensor<f32>, tensor<2x5x11xf32>, tensor<2x5xi32>
  return
}

// CHECK-LABEL: func.func @helpers
func.func @helpers(%dy: tensor<2x5x8xf32>, %a: tensor<2x5x4xf32>,
                   %b: tensor<2x5x2xf32>, %dl: tensor<f32>) {
  // CHECK: graph.reduce_sum %{{.*}} [0, 1] : tensor<2x5x8xf32> -> tensor<8xf32>
  %0 = graph.reduce_sum %dy [0, 1] : tensor<2x5x8xf32> -> tensor<8xf32>
  // CHECK: graph.reduce_sum %{{.*}} [0] : tensor<2x5x8xf32> -> tensor<5x8xf32>
  %1 = graph.reduce_sum %dy [0] : tensor<2x5x8xf32> -> tensor<5x8xf32>
  // CHECK: graph.concat %{{.*}}, %{{.*}}, %{{.*}} {axis = 2 : i64} : tensor<2x5x4xf32>, tensor<2x5x2xf32>, tensor<2x5x2xf32> -> tensor<2x5x8xf32>
  %2 = graph.concat %a, %b, %b {axis = 2 : i64} : tensor<2x5x4xf32>, tensor<2x5x2xf32>, tensor<2x5x2xf32> -> tensor<2x5x8xf32>
  // CHECK: graph.zeros : tensor<2x5x8xf32>
  %3 = graph.zeros : tensor<2x5x8xf32>
  // CHECK: graph.scale %{{.*}} {factor = 2.500000e-01 : f64} : tensor<f32>
  %4 = graph.scale %dl {factor = 0.25 : f64} : tensor<f32>
  return
}

// The VJP of graph.linear needs no op of its own: y = x Wᵀ + b with
// x [2, 5, 8], W [6, 8] gives dx, dW and db through reshape, matmul and
// reduce_sum (the recipe of GraphGradOps.td).
// CHECK-LABEL: func.func @linear_vjp
func.func @linear_vjp(%dy: tensor<2x5x6xf32>, %x: tensor<2x5x8xf32>,
                      %w: tensor<6x8xf32>) {
  %dy2 = graph.reshape %dy : tensor<2x5x6xf32> to tensor<10x6xf32>
  %x2 = graph.reshape %x : tensor<2x5x8xf32> to tensor<10x8xf32>
  // CHECK: graph.matmul %{{.*}}, %{{.*}} : (tensor<10x6xf32>, tensor<6x8xf32>) -> tensor<10x8xf32>
  %dx2 = graph.matmul %dy2, %w : (tensor<10x6xf32>, tensor<6x8xf32>) -> tensor<10x8xf32>
  %dx = graph.reshape %dx2 : tensor<10x8xf32> to tensor<2x5x8xf32>
  // CHECK: graph.matmul %{{.*}}, %{{.*}} {transpose_lhs} : (tensor<10x6xf32>, tensor<10x8xf32>) -> tensor<6x8xf32>
  %dw = graph.matmul %dy2, %x2 {transpose_lhs} : (tensor<10x6xf32>, tensor<10x8xf32>) -> tensor<6x8xf32>
  // CHECK: graph.reduce_sum %{{.*}} [0, 1] : tensor<2x5x6xf32> -> tensor<6xf32>
  %db = graph.reduce_sum %dy [0, 1] : tensor<2x5x6xf32> -> tensor<6xf32>
  return
}
