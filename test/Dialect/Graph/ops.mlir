// RUN: ptc-opt %s | ptc-opt | FileCheck %s
// RUN: ptc-opt %s --mlir-print-op-generic | ptc-opt | FileCheck %s

// Tests that every graph op, attribute and the layer syntax round-trip.

// CHECK: graph.param @wte : tensor<11x8xf32> token_embedding init <normal, std = 2.000000e-02>
graph.param @wte : tensor<11x8xf32> token_embedding init #graph.init<normal, std = 0.02>
// CHECK: graph.param @wpe : tensor<6x8xf32> position_embedding init <normal, std = 1.000000e-02>
graph.param @wpe : tensor<6x8xf32> position_embedding init #graph.init<normal, std = 0.01>
// CHECK: graph.param @proj : tensor<8x8xf32> weight init <normal, std = 2.000000e-02, scale = 5.000000e-01>
graph.param @proj : tensor<8x8xf32> weight init #graph.init<normal, std = 0.02, scale = 0.5>
// CHECK: graph.param @b : tensor<8xf32> bias init <zeros>
graph.param @b : tensor<8xf32> bias init #graph.init<zeros>
// CHECK: graph.param @g : tensor<8xf32> norm_scale init <ones>
graph.param @g : tensor<8xf32> norm_scale init #graph.init<ones>

// CHECK-LABEL: func.func @layers
func.func @layers(%ids: tensor<2x5xi32>, %targets: tensor<2x5xi32>) -> tensor<f32> {
  // CHECK: %[[X:.*]] = graph.layer embedding 0 (%[[A:.*]] = %{{.*}} : tensor<2x5xi32>) -> tensor<2x5x8xf32> {
  %x = graph.layer embedding 0 (%a = %ids : tensor<2x5xi32>) -> tensor<2x5x8xf32> {
    // CHECK: graph.param_ref @wte : tensor<11x8xf32>
    %w = graph.param_ref @wte : tensor<11x8xf32>
    // CHECK: graph.embedding %{{.*}}[%[[A]]] : (tensor<11x8xf32>, tensor<2x5xi32>) -> tensor<2x5x8xf32>
    %e = graph.embedding %w[%a] : (tensor<11x8xf32>, tensor<2x5xi32>) -> tensor<2x5x8xf32>
    %p = graph.param_ref @wpe : tensor<6x8xf32>
    // CHECK: graph.position_embedding %{{.*}} : tensor<6x8xf32> -> tensor<5x8xf32>
    %pos = graph.position_embedding %p : tensor<6x8xf32> -> tensor<5x8xf32>
    // CHECK: graph.add %{{.*}}, %{{.*}} : tensor<2x5x8xf32>, tensor<5x8xf32>
    %s = graph.add %e, %pos : tensor<2x5x8xf32>, tensor<5x8xf32>
    // CHECK: graph.yield %{{.*}} : tensor<2x5x8xf32>
    graph.yield %s : tensor<2x5x8xf32>
  }
  // CHECK: graph.layer block 0
  %y = graph.layer block 0 (%h = %x : tensor<2x5x8xf32>) -> tensor<2x5x8xf32> {
    %g = graph.param_ref @g : tensor<8xf32>
    %b = graph.param_ref @b : tensor<8xf32>
    // CHECK: graph.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon = {{.*}} : f64} : tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>
    %n = graph.layer_norm %h, %g, %b {epsilon = 1.0e-6 : f64} : tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>
    // CHECK: graph.layer_norm %{{.*}}, %{{.*}} : tensor<2x5x8xf32>, tensor<8xf32>
    %n2 = graph.layer_norm %h, %g : tensor<2x5x8xf32>, tensor<8xf32>
    // CHECK: graph.rms_norm
    %r = graph.rms_norm %n2, %g : tensor<2x5x8xf32>, tensor<8xf32>
    %w = graph.param_ref @proj : tensor<8x8xf32>
    // CHECK: graph.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x5x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>
    %l = graph.linear %n, %w, %b : (tensor<2x5x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>
    // CHECK: graph.linear %{{.*}}, %{{.*}} : (tensor<2x5x8xf32>, tensor<8x8xf32>) -> tensor<2x5x8xf32>
    %l2 = graph.linear %r, %w : (tensor<2x5x8xf32>, tensor<8x8xf32>) -> tensor<2x5x8xf32>
    // CHECK: graph.split %{{.*}} {axis = 2 : i64} : tensor<2x5x8xf32> -> tensor<2x5x4xf32>, tensor<2x5x2xf32>, tensor<2x5x2xf32>
    %q, %k, %v = graph.split %l {axis = 2 : i64} : tensor<2x5x8xf32> -> tensor<2x5x4xf32>, tensor<2x5x2xf32>, tensor<2x5x2xf32>
    // CHECK: graph.reshape %{{.*}} : tensor<2x5x4xf32> to tensor<2x5x2x2xf32>
    %q4 = graph.reshape %q : tensor<2x5x4xf32> to tensor<2x5x2x2xf32>
    %k4 = graph.reshape %k : tensor<2x5x2xf32> to tensor<2x5x1x2xf32>
    %v4 = graph.reshape %v : tensor<2x5x2xf32> to tensor<2x5x1x2xf32>
    // CHECK: graph.transpose %{{.*}} [0, 2, 1, 3] : tensor<2x5x2x2xf32> to tensor<2x2x5x2xf32>
    %qt = graph.transpose %q4 [0, 2, 1, 3] : tensor<2x5x2x2xf32> to tensor<2x2x5x2xf32>
    %kt = graph.transpose %k4 [0, 2, 1, 3] : tensor<2x5x1x2xf32> to tensor<2x1x5x2xf32>
    %vt = graph.transpose %v4 [0, 2, 1, 3] : tensor<2x5x1x2xf32> to tensor<2x1x5x2xf32>
    // CHECK: graph.rope %{{.*}} {theta = 5.000000e+05 : f64} : tensor<2x2x5x2xf32>
    %qr = graph.rope %qt {theta = 5.0e5 : f64} : tensor<2x2x5x2xf32>
    // CHECK: graph.attention %{{.*}}, %{{.*}}, %{{.*}} {causal} : tensor<2x2x5x2xf32>, tensor<2x1x5x2xf32>, tensor<2x1x5x2xf32>
    %o = graph.attention %qr, %kt, %vt {causal} : tensor<2x2x5x2xf32>, tensor<2x1x5x2xf32>, tensor<2x1x5x2xf32>
    // CHECK: graph.matmul %{{.*}}, %{{.*}} {transpose_rhs} : (tensor<2x2x5x2xf32>, tensor<2x2x5x2xf32>) -> tensor<2x2x5x5xf32>
    %sc = graph.matmul %o, %qr {transpose_rhs} : (tensor<2x2x5x2xf32>, tensor<2x2x5x2xf32>) -> tensor<2x2x5x5xf32>
    // CHECK: graph.gelu %{{.*}} tanh : tensor<2x5x8xf32>
    %g1 = graph.gelu %l tanh : tensor<2x5x8xf32>
    // CHECK: graph.gelu %{{.*}} erf : tensor<2x5x8xf32>
    %g2 = graph.gelu %g1 erf : tensor<2x5x8xf32>
    // CHECK: graph.silu %{{.*}} : tensor<2x5x8xf32>
    %si = graph.silu %g2 : tensor<2x5x8xf32>
    // CHECK: graph.swiglu %{{.*}}, %{{.*}} : tensor<2x5x8xf32>
    %sw = graph.swiglu %si, %l2 : tensor<2x5x8xf32>
    // CHECK: graph.dropout %{{.*}} {p = 1.000000e-01 : f64, stream = 0 : i64} : tensor<2x5x8xf32>
    %d = graph.dropout %sw {p = 0.1 : f64, stream = 0 : i64} : tensor<2x5x8xf32>
    // CHECK: graph.mul %{{.*}}, %{{.*}} : tensor<2x5x8xf32>, tensor<8xf32>
    %m = graph.mul %d, %g : tensor<2x5x8xf32>, tensor<8xf32>
    // CHECK: graph.cast %{{.*}} : tensor<2x5x8xf32> to tensor<2x5x8xbf16>
    %c = graph.cast %m : tensor<2x5x8xf32> to tensor<2x5x8xbf16>
    %c2 = graph.cast %c : tensor<2x5x8xbf16> to tensor<2x5x8xf32>
    %out = graph.add %h, %c2 : tensor<2x5x8xf32>, tensor<2x5x8xf32>
    graph.yield %out : tensor<2x5x8xf32>
  }
  // CHECK: graph.layer head 0 (%{{.*}} = %{{.*}} : tensor<2x5x8xf32>, %{{.*}} = %{{.*}} : tensor<2x5xi32>) -> tensor<f32>
  %loss = graph.layer head 0 (%h = %y : tensor<2x5x8xf32>, %t = %targets : tensor<2x5xi32>) -> tensor<f32> {
    %w = graph.param_ref @wte : tensor<11x8xf32>
    %logits = graph.linear %h, %w : (tensor<2x5x8xf32>, tensor<11x8xf32>) -> tensor<2x5x11xf32>
    // CHECK: graph.cross_entropy %{{.*}}, %{{.*}} {num_classes = 10 : i64} : (tensor<2x5x11xf32>, tensor<2x5xi32>) -> tensor<f32>
    %l = graph.cross_entropy %logits, %t {num_classes = 10 : i64} : (tensor<2x5x11xf32>, tensor<2x5xi32>) -> tensor<f32>
    graph.yield %l : tensor<f32>
  }
  return %loss : tensor<f32>
}

// CHECK-LABEL: func.func @empty_layer
func.func @empty_layer() {
  // CHECK: graph.layer block 7 () {
  graph.layer block 7 () {
    graph.yield
  }
  return
}
