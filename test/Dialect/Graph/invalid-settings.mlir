// RUN: %ptc-opt %s -split-input-file -verify-diagnostics

// Tests that #graph.model and #graph.training hold a setting read from IR to
// what the spec reader holds the JSON field to (frontend/Spec.cpp), with a
// message that names the setting and what is allowed.

// expected-error @+1 {{model setting layers = 0: expected an integer in [1, 100000]}}
module @negative_layers attributes {ptc.model = #graph.model<layers = 0, hidden = 64, heads = 4, kv_heads = 4, ffn_hidden = 256, seq_len = 64, vocab_size = 256, padded_vocab = 256>} {}

// -----

// expected-error @+1 {{model setting hidden = 2097152: expected an integer in [1, 1048576]}}
module @negative_hidden attributes {ptc.model = #graph.model<layers = 2, hidden = 2097152, heads = 4, kv_heads = 4, ffn_hidden = 256, seq_len = 64, vocab_size = 256, padded_vocab = 256>} {}

// -----

// expected-error @+1 {{model setting heads = 3: does not divide hidden = 64}}
module @negative_heads attributes {ptc.model = #graph.model<layers = 2, hidden = 64, heads = 3, kv_heads = 3, ffn_hidden = 256, seq_len = 64, vocab_size = 256, padded_vocab = 256>} {}

// -----

// expected-error @+1 {{model setting kv_heads = 3: does not divide heads = 4}}
module @negative_kv_heads attributes {ptc.model = #graph.model<layers = 2, hidden = 64, heads = 4, kv_heads = 3, ffn_hidden = 256, seq_len = 64, vocab_size = 256, padded_vocab = 256>} {}

// -----

// expected-error @+1 {{model setting padded_vocab = 200: expected vocab_size = 256 rounded up to a multiple of vocab_pad_multiple = 1 (x tp)}}
module @negative_padded_vocab attributes {ptc.model = #graph.model<layers = 2, hidden = 64, heads = 4, kv_heads = 4, ffn_hidden = 256, seq_len = 64, vocab_size = 256, padded_vocab = 200>} {}

// -----

// expected-error @+1 {{model setting padded_vocab = 260: expected vocab_size = 256 rounded up to a multiple of vocab_pad_multiple = 64 (x tp)}}
module @negative_pad_multiple attributes {ptc.model = #graph.model<layers = 2, hidden = 64, heads = 4, kv_heads = 4, ffn_hidden = 256, seq_len = 64, vocab_size = 256, padded_vocab = 260, vocab_pad_multiple = 64>} {}

// -----

// expected-error @+1 {{struct is missing required parameter: layers}}
module @negative_missing attributes {ptc.model = #graph.model<hidden = 64, heads = 4, kv_heads = 4, ffn_hidden = 256, seq_len = 64, vocab_size = 256, padded_vocab = 256>} {}

// -----

// expected-error @+1 {{model setting family: expected one of gpt, llama}}
module @negative_family attributes {ptc.model = #graph.model<family = bert, layers = 2, hidden = 64, heads = 4, kv_heads = 4, ffn_hidden = 256, seq_len = 64, vocab_size = 256, padded_vocab = 256>} {}

// -----

// A value that is not an integer of 64 bits is a parse error (with a second
// one that names the setting).

// expected-error @+2 {{integer value too large}}
// expected-error @+1 {{failed to parse Graph_ModelAttr parameter 'layers'}}
module @negative_overflow attributes {ptc.model = #graph.model<layers = 9223372036854775808, hidden = 64, heads = 4, kv_heads = 4, ffn_hidden = 256, seq_len = 64, vocab_size = 256, padded_vocab = 256>} {}

// -----

// expected-error @+1 {{training setting lr = -1: expected a finite number >= 0}}
module @negative_lr attributes {ptc.training = #graph.training<lr = -1.0, decay_steps = 10, global_batch_size = 8, micro_batch_size = 4, steps = 10>} {}

// -----

// expected-error @+1 {{training setting lr = nan: expected a finite number >= 0}}
module @negative_lr_nan attributes {ptc.training = #graph.training<lr = 0x7FF8000000000000, decay_steps = 10, global_batch_size = 8, micro_batch_size = 4, steps = 10>} {}

// -----

// expected-error @+1 {{training setting grad_clip = inf: expected a finite number >= 0}}
module @negative_clip_inf attributes {ptc.training = #graph.training<grad_clip = 0x7FF0000000000000, decay_steps = 10, global_batch_size = 8, micro_batch_size = 4, steps = 10>} {}

// -----

// expected-error @+1 {{training setting beta1 = 1: expected a number in [0, 1)}}
module @negative_beta1 attributes {ptc.training = #graph.training<beta1 = 1.0, decay_steps = 10, global_batch_size = 8, micro_batch_size = 4, steps = 10>} {}

// -----

// expected-error @+1 {{training setting eps = 0: expected a finite number > 0}}
module @negative_eps attributes {ptc.training = #graph.training<eps = 0.0, decay_steps = 10, global_batch_size = 8, micro_batch_size = 4, steps = 10>} {}

// -----

// expected-error @+1 {{training setting global_batch_size = 0: expected an integer in [1, 2147483648]}}
module @negative_global_batch attributes {ptc.training = #graph.training<decay_steps = 10, global_batch_size = 0, micro_batch_size = 4, steps = 10>} {}

// -----

// expected-error @+1 {{training setting micro_batch_size = -1: expected an integer in [1, 2147483648]}}
module @negative_micro_batch attributes {ptc.training = #graph.training<decay_steps = 10, global_batch_size = 8, micro_batch_size = -1, steps = 10>} {}

// -----

// expected-error @+1 {{training setting global_batch_size = 10: is not divisible by micro_batch_size = 4}}
module @negative_batch_split attributes {ptc.training = #graph.training<decay_steps = 10, global_batch_size = 10, micro_batch_size = 4, steps = 10>} {}

// -----

// expected-error @+1 {{training setting steps = 0: expected an integer in [1, 1099511627776]}}
module @negative_steps attributes {ptc.training = #graph.training<decay_steps = 10, global_batch_size = 8, micro_batch_size = 4, steps = 0>} {}

// -----

// expected-error @+1 {{training setting eval_steps = 0: expected an integer in [1, 1099511627776]}}
module @negative_eval_steps attributes {ptc.training = #graph.training<decay_steps = 10, global_batch_size = 8, micro_batch_size = 4, steps = 10, eval_steps = 0>} {}

// -----

// expected-error @+1 {{training setting min_lr = 0.01: exceeds lr = 0.001}}
module @negative_min_lr attributes {ptc.training = #graph.training<lr = 1.0e-3, min_lr = 1.0e-2, decay_steps = 10, global_batch_size = 8, micro_batch_size = 4, steps = 10>} {}

// -----

// expected-error @+1 {{training setting warmup_steps = 20: exceeds decay_steps = 10}}
module @negative_warmup attributes {ptc.training = #graph.training<warmup_steps = 20, decay_steps = 10, global_batch_size = 8, micro_batch_size = 4, steps = 10>} {}

// -----

// expected-error @+1 {{training setting precision: expected one of bf16, fp32, fp64}}
module @negative_precision attributes {ptc.training = #graph.training<precision = fp16, decay_steps = 10, global_batch_size = 8, micro_batch_size = 4, steps = 10>} {}

// -----

// expected-error @+2 {{expected true or false}}
// expected-error @+1 {{failed to parse Graph_TrainingAttr parameter 'keep_bf16_weights'}}
module @negative_bool attributes {ptc.training = #graph.training<keep_bf16_weights = 1, decay_steps = 10, global_batch_size = 8, micro_batch_size = 4, steps = 10>} {}

// -----

// expected-error @+1 {{duplicate or unknown struct parameter name: steps}}
module @negative_duplicate attributes {ptc.training = #graph.training<steps = 10, decay_steps = 10, global_batch_size = 8, micro_batch_size = 4, steps = 10>} {}

// -----

// expected-error @+1 {{duplicate or unknown struct parameter name: learning_rate}}
module @negative_unknown_key attributes {ptc.training = #graph.training<learning_rate = 1.0e-3, decay_steps = 10, global_batch_size = 8, micro_batch_size = 4, steps = 10>} {}

// -----

// A batch-size ramp-up needs all three numbers.
// expected-error @+1 {{training settings rampup_start = 4, rampup_increment = 0, rampup_samples = 32: a batch-size ramp-up needs all three > 0}}
module @negative_rampup_partial attributes {ptc.training = #graph.training<decay_steps = 10, global_batch_size = 16, micro_batch_size = 2, steps = 10, rampup_start = 4, rampup_samples = 32>} {}

// -----

// Its increments must reach the global batch exactly.
// expected-error @+1 {{training setting rampup_start = 4 must be below global_batch_size = 16, which rampup_increment = 5 steps reach exactly}}
module @negative_rampup_steps attributes {ptc.training = #graph.training<decay_steps = 10, global_batch_size = 16, micro_batch_size = 2, steps = 10, rampup_start = 4, rampup_increment = 5, rampup_samples = 32>} {}
