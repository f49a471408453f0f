//===- PtcBase.td - The ptc dialect: module-level settings --*- tablegen -*-===//
//
// The owner of the `ptc.*` discardable attributes. Its one job is the
// module-level verifier of the spec's settings: `ptc.model`, `ptc.training`
// and `ptc.parallel` must hold #graph.model, #graph.training and
// #dist.parallel, and those must agree with each other.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PTC_BASE_TD
#define PTC_PTC_BASE_TD

include "mlir/IR/OpBase.td"

def Ptc_Dialect : Dialect {
  let name = "ptc";
  let cppNamespace = "::ptc";
  let summary = "The module attributes of ptc: the spec's settings";
  let description = [{
    A module compiled by ptc carries the spec's settings as three module
    attributes: `ptc.model = #graph.model<...>`,
    `ptc.training = #graph.training<...>` and
    `ptc.parallel = #dist.parallel<...>`. Each attribute verifies its own
    fields; this dialect, which owns the `ptc.` prefix, verifies the module:
    that each of the three names holds its kind of attribute, on a
    `builtin.module`, and the checks across them that the spec reader makes
    across sections:

    - `tp` divides `heads`, `kv_heads` and `ffn_hidden`, and the padded
      vocabulary; with `sequence_parallel`, `seq_len`;
    - with `pp > 1`, `pp * virtual_stages` divides `layers`;
    - `micro_batch_size * dp` divides `global_batch_size`, and under
      `interleaved_1f1b` the micro-batches per step are a multiple of `pp`;
    - the largest activation of a micro-batch has at most 2^50 elements.

    The dialect is loaded with the graph, dist and exec dialects
    (`registerPtcDialect`), so every tool that parses or builds a module
    runs these checks. It has no ops.

    ```mlir
    module attributes {
      ptc.model = #graph.model<layers = 2, hidden = 64, heads = 4,
          kv_heads = 4, ffn_hidden = 256, seq_len = 32, vocab_size = 100,
          padded_vocab = 128, vocab_pad_multiple = 64>,
      ptc.parallel = #dist.parallel<tp = 2, dp = 2>,
      ptc.training = #graph.training<decay_steps = 100,
          global_batch_size = 8, micro_batch_size = 4, steps = 100>} {}
    ```
  }];
  let hasOperationAttrVerify = 1;
}

#endif // PTC_PTC_BASE_TD
