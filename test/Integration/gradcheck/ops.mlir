// Tests the gradients of the graph ops that no shipped architecture uses
// (matmul with every transpose combination, mul with and without broadcast,
// silu, split into unequal pieces, concat, scale, reduce_sum, a 3-d transpose) against fourth-order finite differences in
// f64, through the cpu target: the module is compiled like a spec and the
// program's --gradcheck compares micro_step's gradients with eval_step's
// losses.
// RUN: %ptc compile %s -o %t
// RUN: %t --gradcheck 10 | FileCheck %s
// CHECK: gradient check of 'ops'
// CHECK-DAG: a {{.*}} max rel. error
// CHECK-DAG: b {{.*}} max rel. error
// CHECK-DAG: scale {{.*}} max rel. error
// CHECK: checked {{[0-9]+}} elements of 5 tensors
module @ops attributes {
    ptc.model = #graph.model<layers = 1, hidden = 6, heads = 1, kv_heads = 1,
                             ffn_hidden = 7, seq_len = 5, vocab_size = 11,
                             padded_vocab = 11>,
    ptc.parallel = #dist.parallel<>,
    ptc.training = #graph.training<lr = 1.0e-3, min_lr = 1.0e-4, warmup_steps = 1,
                                   decay_steps = 10, global_batch_size = 2,
                                   micro_batch_size = 2, steps = 10, seed = 5,
                                   precision = fp64>} {
  graph.param @table : tensor<11x6xf64> token_embedding init <normal, std = 5.000000e-01>
  graph.param @a : tensor<2x6x7xf64> weight init <normal, std = 5.000000e-01>
  graph.param @b : tensor<2x7x5xf64> weight init <normal, std = 5.000000e-01>
  graph.param @scale : tensor<6xf64> norm_scale init <normal, std = 1.000000e+00>
  graph.param @out : tensor<11x6xf64> weight init <normal, std = 5.000000e-01>
  func.func @forward(%tokens: tensor<2x5xi32> {ptc.input = "tokens"},
                     %targets: tensor<2x5xi32> {ptc.input = "targets"}) -> tensor<f64> {
    %t = graph.param_ref @table : tensor<11x6xf64>
    %x = graph.embedding %t[%tokens] : (tensor<11x6xf64>, tensor<2x5xi32>) -> tensor<2x5x6xf64>
    %a = graph.param_ref @a : tensor<2x6x7xf64>
    %b = graph.param_ref @b : tensor<2x7x5xf64>
    // x a: [2,5,7]; (x a) b: [2,5,5]
    %xa = graph.matmul %x, %a : (tensor<2x5x6xf64>, tensor<2x6x7xf64>) -> tensor<2x5x7xf64>
    %xab = graph.matmul %xa, %b : (tensor<2x5x7xf64>, tensor<2x7x5xf64>) -> tensor<2x5x5xf64>
    // transpose_lhs: (x a b)^T x: [2,5,6]
    %tl = graph.matmul %xab, %x {transpose_lhs} : (tensor<2x5x5xf64>, tensor<2x5x6xf64>) -> tensor<2x5x6xf64>
    // transpose_rhs: tl x^T: [2,5,5]; both: tl^T tr^T: [2,6,5], transposed back
    %tr = graph.matmul %tl, %x {transpose_rhs} : (tensor<2x5x6xf64>, tensor<2x5x6xf64>) -> tensor<2x5x5xf64>
    %tbt = graph.matmul %tl, %tr {transpose_lhs, transpose_rhs} : (tensor<2x5x6xf64>, tensor<2x5x5xf64>) -> tensor<2x6x5xf64>
    %tb = graph.transpose %tbt [0, 2, 1] : tensor<2x6x5xf64> to tensor<2x5x6xf64>
    %s = graph.param_ref @scale : tensor<6xf64>
    %m = graph.mul %tb, %s : tensor<2x5x6xf64>, tensor<6xf64>
    %mm = graph.mul %m, %x : tensor<2x5x6xf64>, tensor<2x5x6xf64>
    %act = graph.silu %mm : tensor<2x5x6xf64>
    %p:2 = graph.split %act {axis = 2 : i64} : tensor<2x5x6xf64> -> tensor<2x5x2xf64>, tensor<2x5x4xf64>
    %q = graph.concat %p#1, %p#0 {axis = 2 : i64} : tensor<2x5x4xf64>, tensor<2x5x2xf64> -> tensor<2x5x6xf64>
    %q2 = graph.scale %q {factor = 1.5 : f64} : tensor<2x5x6xf64>
    %r = graph.reduce_sum %q2 [0] : tensor<2x5x6xf64> -> tensor<5x6xf64>
    %qr = graph.add %q2, %r : tensor<2x5x6xf64>, tensor<5x6xf64>
    %h = graph.add %qr, %x : tensor<2x5x6xf64>, tensor<2x5x6xf64>
    %o = graph.param_ref @out : tensor<11x6xf64>
    %logits = graph.linear %h, %o : (tensor<2x5x6xf64>, tensor<11x6xf64>) -> tensor<2x5x11xf64>
    %loss = graph.cross_entropy %logits, %targets {num_classes = 11 : i64} : (tensor<2x5x11xf64>, tensor<2x5xi32>) -> tensor<f64>
    return %loss : tensor<f64>
  }
}
