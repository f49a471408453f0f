// RUN: ptc-opt %s --canonicalize --split-input-file | FileCheck %s

// Tests that a reshape or transpose to the same shape and a cast to the same
// type fold away.
// CHECK-LABEL: func.func @identity
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = graph.reshape %x : tensor<2x3xf32> to tensor<2x3xf32>
  %1 = graph.transpose %0 [0, 1] : tensor<2x3xf32> to tensor<2x3xf32>
  %2 = graph.cast %1 : tensor<2x3xf32> to tensor<2x3xf32>
  %3 = graph.scale %2 {factor = 1.0 : f64} : tensor<2x3xf32>
  return %3 : tensor<2x3xf32>
}

// -----

// Tests that back-to-back reshapes become one.
// CHECK-LABEL: func.func @reshape_chain
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[R:.*]] = graph.reshape %[[X]] : tensor<2x3x4xf32> to tensor<24xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_chain(%x: tensor<2x3x4xf32>) -> tensor<24xf32> {
  %0 = graph.reshape %x : tensor<2x3x4xf32> to tensor<6x4xf32>
  %1 = graph.reshape %0 : tensor<6x4xf32> to tensor<24xf32>
  return %1 : tensor<24xf32>
}

// -----

// Tests that a transpose undone by its inverse disappears (the head split
// and merge around attention).
// CHECK-LABEL: func.func @transpose_inverse
// CHECK-SAME: (%[[X:.*]]: tensor<2x5x3x4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @transpose_inverse(%x: tensor<2x5x3x4xf32>) -> tensor<2x5x3x4xf32> {
  %0 = graph.transpose %x [0, 2, 1, 3] : tensor<2x5x3x4xf32> to tensor<2x3x5x4xf32>
  %1 = graph.transpose %0 [0, 2, 1, 3] : tensor<2x3x5x4xf32> to tensor<2x5x3x4xf32>
  return %1 : tensor<2x5x3x4xf32>
}

// -----

// Tests that two transposes compose into one.
// CHECK-LABEL: func.func @transpose_compose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[T:.*]] = graph.transpose %[[X]] [2, 0, 1] : tensor<2x3x4xf32> to tensor<4x2x3xf32>
// CHECK-NEXT: return %[[T]]
func.func @transpose_compose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = graph.transpose %x [1, 0, 2] : tensor<2x3x4xf32> to tensor<3x2x4xf32>
  %1 = graph.transpose %0 [2, 1, 0] : tensor<3x2x4xf32> to tensor<4x2x3xf32>
  return %1 : tensor<4x2x3xf32>
}

// -----

// Tests that consecutive scales multiply their factors.
// CHECK-LABEL: func.func @scale_chain
// CHECK-NEXT: %[[S:.*]] = graph.scale %{{.*}} {factor = 1.250000e-01 : f64} : tensor<f32>
// CHECK-NEXT: return %[[S]]
func.func @scale_chain(%x: tensor<f32>) -> tensor<f32> {
  %0 = graph.scale %x {factor = 0.5 : f64} : tensor<f32>
  %1 = graph.scale %0 {factor = 0.25 : f64} : tensor<f32>
  return %1 : tensor<f32>
}

// -----

// Tests that a round trip through bf16 is kept: it rounds.
// CHECK-LABEL: func.func @negative_cast_round_trip
// CHECK: graph.cast
// CHECK: graph.cast
func.func @negative_cast_round_trip(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = graph.cast %x : tensor<4xf32> to tensor<4xbf16>
  %1 = graph.cast %0 : tensor<4xbf16> to tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Tests that a reshape that changes the shape stays.
// CHECK-LABEL: func.func @negative_reshape
// CHECK: graph.reshape
func.func @negative_reshape(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = graph.reshape %x : tensor<2x3xf32> to tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Tests that a transpose of the two minor dimensions folds into the matmul's
// operand flags, on either side and toggling a flag already set.
// CHECK-LABEL: func.func @fold_transpose_into_matmul
// CHECK-SAME: (%[[A:.*]]: tensor<2x3x4xf32>, %[[B:.*]]: tensor<2x5x3xf32>, %[[C:.*]]: tensor<2x4x6xf32>)
// CHECK-NOT: graph.transpose
// CHECK: %[[R:.*]] = graph.matmul %[[A]], %[[B]] {transpose_lhs, transpose_rhs} : (tensor<2x3x4xf32>, tensor<2x5x3xf32>) -> tensor<2x4x5xf32>
// CHECK: %[[S:.*]] = graph.matmul %[[R]], %[[C]] {transpose_lhs} : (tensor<2x4x5xf32>, tensor<2x4x6xf32>) -> tensor<2x5x6xf32>
// CHECK: return %[[S]]
func.func @fold_transpose_into_matmul(%a: tensor<2x3x4xf32>, %b: tensor<2x5x3xf32>, %c: tensor<2x4x6xf32>) -> tensor<2x5x6xf32> {
  %at = graph.transpose %a [0, 2, 1] : tensor<2x3x4xf32> to tensor<2x4x3xf32>
  %r = graph.matmul %at, %b {transpose_rhs} : (tensor<2x4x3xf32>, tensor<2x5x3xf32>) -> tensor<2x4x5xf32>
  %rt = graph.transpose %r [0, 2, 1] : tensor<2x4x5xf32> to tensor<2x5x4xf32>
  %s = graph.matmul %rt, %c : (tensor<2x5x4xf32>, tensor<2x4x6xf32>) -> tensor<2x5x6xf32>
  return %s : tensor<2x5x6xf32>
}

// -----

// Tests that a transpose of other dimensions is not folded.
// CHECK-LABEL: func.func @negative_batch_transpose
// CHECK: graph.transpose
// CHECK: graph.matmul
func.func @negative_batch_transpose(%a: tensor<3x2x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  %at = graph.transpose %a [1, 0, 2] : tensor<3x2x4xf32> to tensor<2x3x4xf32>
  %r = graph.matmul %at, %b : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  return %r : tensor<2x3x5xf32>
}
