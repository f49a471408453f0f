// RUN: %ptc-opt %s -split-input-file | FileCheck %s
// RUN: %ptc-opt %s -split-input-file | %ptc-opt -split-input-file | FileCheck %s

// Tests that the settings attributes read and print as `key = value` in any
// order, leave out what equals its default (the spec's), print reals so that
// they read back, and take the schedule `1f1b` (no keyword) as a string.

// CHECK-LABEL: module @full
// CHECK-SAME: ptc.model = #graph.model<family = llama, layers = 4, hidden = 64, heads = 4, kv_heads = 2, ffn_hidden = 256, seq_len = 32, vocab_size = 100, padded_vocab = 128, vocab_pad_multiple = 64, tied_embeddings = false>
// CHECK-SAME: ptc.parallel = #dist.parallel<tp = 2, pp = 2, dp = 2, sequence_parallel = true, zero_stage = 1, grad_bucket_mb = 5.000000e-01, recompute = full>
// CHECK-SAME: ptc.training = #graph.training<lr = 1.000000e-03, lr_schedule = linear, decay_steps = 90, min_lr = 1.000000e-04, global_batch_size = 16, micro_batch_size = 4, steps = 100, precision = fp64, keep_bf16_weights = true, seed = 18446744073709551615, grad_clip = 0.000000e+00>
module @full attributes {
  ptc.model = #graph.model<family = llama, layers = 4, hidden = 64, heads = 4, kv_heads = 2, ffn_hidden = 256, seq_len = 32, vocab_size = 100, padded_vocab = 128, vocab_pad_multiple = 64, tied_embeddings = false>,
  ptc.parallel = #dist.parallel<automatic = false, tp = 2, pp = 2, dp = 2, schedule = "1f1b", virtual_stages = 1, sequence_parallel = true, zero_stage = 1, grad_bucket_mb = 0.5, recompute = full>,
  ptc.training = #graph.training<steps = 100, decay_steps = 90, global_batch_size = 16, micro_batch_size = 4, lr = 1.0e-3, min_lr = 1.0e-4, lr_schedule = linear, precision = fp64, seed = 18446744073709551615, keep_bf16_weights = true, grad_clip = 0.0>} {}

// -----

// CHECK-LABEL: module @interleaved
// CHECK-SAME: ptc.parallel = #dist.parallel<automatic = true, pp = 2, schedule = interleaved_1f1b, virtual_stages = 2>
module @interleaved attributes {ptc.parallel = #dist.parallel<pp = 2, schedule = interleaved_1f1b, virtual_stages = 2, automatic = true>} {}

// -----

// CHECK-LABEL: module @defaults
// CHECK-SAME: ptc.parallel = #dist.parallel<>
// CHECK-SAME: ptc.training = #graph.training<decay_steps = 1000, global_batch_size = 1, micro_batch_size = 1, steps = 1000>
module @defaults attributes {ptc.parallel = #dist.parallel<>, ptc.training = #graph.training<steps = 1000, decay_steps = 1000, global_batch_size = 1, micro_batch_size = 1, lr = 6.0e-4, precision = bf16, seed = 1234>} {}
