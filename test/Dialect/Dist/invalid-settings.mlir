// RUN: %ptc-opt %s -split-input-file -verify-diagnostics

// Tests that #dist.parallel holds the parallel settings read from IR to what
// the spec reader holds the JSON fields to, and that the module-level checks
// across ptc.model, ptc.training and ptc.parallel run in every tool that
// parses a module.

// Each degree in [1, 2^20]: tp = 0 made `ptc plan` and every tool die of SIGFPE.

// expected-error @+1 {{parallel setting tp = 0: expected an integer in [1, 1048576]}}
module @negative_tp_zero attributes {ptc.parallel = #dist.parallel<tp = 0>} {}

// -----

// expected-error @+1 {{parallel setting dp = 1048577: expected an integer in [1, 1048576]}}
module @negative_dp_huge attributes {ptc.parallel = #dist.parallel<dp = 1048577>} {}

// -----

// expected-error @+1 {{parallel settings tp * pp * dp = 33554432 ranks: too many (at most 16777216)}}
module @negative_world attributes {ptc.parallel = #dist.parallel<tp = 1024, pp = 32, dp = 1024>} {}

// -----

// expected-error @+1 {{parallel setting zero_stage = 2: expected 0 or 1 (ZeRO stages 2 and 3 are not supported yet)}}
module @negative_zero_stage attributes {ptc.parallel = #dist.parallel<zero_stage = 2>} {}

// -----

// expected-error @+1 {{parallel setting grad_bucket_mb = -1: expected a number in [0, 65536] (MiB; 0 turns the overlapped reduction off)}}
module @negative_bucket attributes {ptc.parallel = #dist.parallel<grad_bucket_mb = -1.0>} {}

// -----

// expected-error @+1 {{parallel setting grad_bucket_mb = inf: expected a number in [0, 65536] (MiB; 0 turns the overlapped reduction off)}}
module @negative_bucket_inf attributes {ptc.parallel = #dist.parallel<grad_bucket_mb = 0x7FF0000000000000>} {}

// -----

// expected-error @+1 {{parallel setting virtual_stages = 2: more than 1 needs schedule interleaved_1f1b, not 1f1b}}
module @negative_virtual_stages attributes {ptc.parallel = #dist.parallel<pp = 2, virtual_stages = 2>} {}

// -----

// expected-error @+1 {{parallel setting virtual_stages = 1: schedule interleaved_1f1b needs at least 2}}
module @negative_interleaved_one_stage attributes {ptc.parallel = #dist.parallel<pp = 2, schedule = interleaved_1f1b>} {}

// -----

// expected-error @+1 {{parallel setting schedule = interleaved_1f1b: needs pp >= 2, got 1}}
module @negative_interleaved_pp attributes {ptc.parallel = #dist.parallel<schedule = interleaved_1f1b, virtual_stages = 2>} {}

// -----

// expected-error @+1 {{parallel setting schedule: expected one of gpipe, 1f1b, interleaved_1f1b, zero_bubble}}
module @negative_schedule attributes {ptc.parallel = #dist.parallel<schedule = "2f2b">} {}

// -----

// An enum setting names its allowed values.

// expected-error @+1 {{parallel setting recompute: expected one of none, selective, full}}
module @negative_recompute attributes {ptc.parallel = #dist.parallel<recompute = attention>} {}

// -----

// The checks across settings (the ptc dialect, on the module).

// expected-error @+1 {{parallel setting tp = 8 does not divide model setting heads = 4}}
module @negative_tp_heads attributes {ptc.model = #graph.model<layers = 2, hidden = 64, heads = 4, kv_heads = 4, ffn_hidden = 256, seq_len = 64, vocab_size = 256, padded_vocab = 256>, ptc.parallel = #dist.parallel<tp = 8>} {}

// -----

// expected-error @+1 {{parallel setting tp = 3 does not divide model setting ffn_hidden = 256}}
module @negative_tp_ffn attributes {ptc.model = #graph.model<layers = 2, hidden = 63, heads = 3, kv_heads = 3, ffn_hidden = 256, seq_len = 64, vocab_size = 256, padded_vocab = 256>, ptc.parallel = #dist.parallel<tp = 3>} {}

// -----

// expected-error @+1 {{model setting padded_vocab = 258 is not a multiple of vocab_pad_multiple * tp = 1 * 4 = 4}}
module @negative_tp_vocab attributes {ptc.model = #graph.model<layers = 2, hidden = 64, heads = 4, kv_heads = 4, ffn_hidden = 256, seq_len = 64, vocab_size = 257, padded_vocab = 258>, ptc.parallel = #dist.parallel<tp = 4>} {}

// -----

// expected-error @+1 {{parallel setting sequence_parallel = true needs tp = 4 to divide model setting seq_len = 66}}
module @negative_sequence_parallel attributes {ptc.model = #graph.model<layers = 2, hidden = 64, heads = 4, kv_heads = 4, ffn_hidden = 256, seq_len = 66, vocab_size = 256, padded_vocab = 256>, ptc.parallel = #dist.parallel<tp = 4, sequence_parallel = true>} {}

// -----

// expected-error @+1 {{parallel settings pp * virtual_stages = 3 * 1 = 3 do not divide model setting layers = 2}}
module @negative_pp_layers attributes {ptc.model = #graph.model<layers = 2, hidden = 64, heads = 4, kv_heads = 4, ffn_hidden = 256, seq_len = 64, vocab_size = 256, padded_vocab = 256>, ptc.parallel = #dist.parallel<pp = 3>} {}

// -----

// micro_batch_size x dp divides global_batch_size.

// expected-error @+1 {{training setting global_batch_size = 8 is not divisible by micro_batch_size * dp = 4 * 4 = 16}}
module @negative_batch_dp attributes {ptc.parallel = #dist.parallel<dp = 4>, ptc.training = #graph.training<decay_steps = 10, global_batch_size = 8, micro_batch_size = 4, steps = 10>} {}

// -----

// expected-error @+1 {{parallel setting schedule = interleaved_1f1b needs the micro-batches per step (global_batch_size / (micro_batch_size * dp) = 2) to be a multiple of pp = 4}}
module @negative_interleaved_micro attributes {ptc.parallel = #dist.parallel<pp = 4, schedule = interleaved_1f1b, virtual_stages = 2>, ptc.training = #graph.training<decay_steps = 10, global_batch_size = 8, micro_batch_size = 4, steps = 10>} {}

// -----

// Tests that the settings attributes hold their kind of attribute: the old
// untyped dictionaries are an error that says what is expected.

// expected-error @+1 {{ptc.parallel must be a #dist.parallel<...> attribute, got {tp = 2 : i64}}}
module @negative_dictionary attributes {ptc.parallel = {tp = 2 : i64}} {}

// -----

// expected-error @+1 {{ptc.model must be a #graph.model<...> attribute, got #dist.parallel<>}}
module @negative_wrong_kind attributes {ptc.model = #dist.parallel<>} {}

// -----

// Tests that the settings are module attributes.

module @negative_not_module {
  // expected-error @+1 {{ptc.training is a module attribute, not one of 'func.func'}}
  func.func @f() attributes {ptc.training = #graph.training<decay_steps = 10, global_batch_size = 8, micro_batch_size = 4, steps = 10>} {
    return
  }
}

// -----

// Tests that a pipeline layout read from IR is held to the model: its chunk
// count and block count.

// expected-error @+1 {{parallel setting pipeline_layout = "Et|tL": the layout places 2 transformer blocks; the model has 4}}
module @negative_pipeline_layout attributes {ptc.model = #graph.model<layers = 4, hidden = 64, heads = 4, kv_heads = 4, ffn_hidden = 256, seq_len = 64, vocab_size = 256, padded_vocab = 256>, ptc.parallel = #dist.parallel<pp = 2, pipeline_layout = "Et|tL">} {}

// -----

// A schedule file needs pipeline stages.
// expected-error @+1 {{parallel setting schedule_file = "my.sched": a pipeline schedule needs pp >= 2, got 1}}
module @negative_schedule_file attributes {ptc.parallel = #dist.parallel<schedule_file = "my.sched">} {}
