//===- Passes.td - dist passes: the parallel plan as IR -----*- tablegen -*-===//
//
// The dist-* passes split the graph-level training step across the device
// mesh of the spec's `parallel` section and insert every collective
// explicitly (dist dialect ops); the exec lowering turns those into MPI or
// NCCL calls. docs/Dialects/Dist.md gives the rationale.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_DIST_PASSES_TD
#define PTC_PASSES_DIST_PASSES_TD

include "mlir/Pass/PassBase.td"

def DistDataParallel : Pass<"dist-data-parallel", "mlir::ModuleOp"> {
  let summary = "Averages the loss and the gradients over the dp axis; the "
                "global norm over every rank's gradient shards";
  let description = [{
    Runs on the training step that `graph-optimizer` built. The batch split
    itself needs no rewrite: every rank's entry points already see one
    micro-batch of `training.micro_batch_size` sequences and
    `global_batch_size / (micro_batch_size * dp)` micro-steps per step; the
    runtime feeds each data-parallel rank its part of the global batch. This
    pass adds the communication that makes the replicas one model:

    - `micro_step` and `eval_step` return the loss averaged over `dp`
      (`dist.all_reduce ... reduction avg`), so every rank reports the loss
      of the global batch;
    - in `optimizer_step`, each gradient accumulator is averaged over `dp`
      before anything reads it (in place: the accumulator is the buffer),
      and summed over `tp` first where the tensor-parallel pass marked the
      gradient partial (`dist.partial_grad`: norms on sequence shards);
    - the global norm (gradient clipping, the logged grad norm) sums the
      squares of gradients split over `tp` (parameters with a
      `dist.sharding`) across `tp`: `graph.sum_squares`, a
      `dist.all_reduce`, and `graph.global_norm ... plus_squares`.

    With `parallel.zero_stage = 1` the optimizer state is split over `dp`
    instead (ZeRO-1): each gradient is reduce-scattered, each rank updates
    its shard of the parameter with its shard of AdamW's moments, and the
    parameter is all-gathered again (see docs/Dialects/Dist.md).

    With `dp > 1` and `parallel.grad_bucket_mb > 0` (the module's
    `ptc.parallel`; the frontend's default is 25) the gradient reduction
    overlaps the backward: `micro_step` is cloned into `last_micro_step`
    (the schedule runs it for a step's last micro-batch), whose
    accumulations move right after the ops that compute their gradients and
    are cut, in that order, into buckets of about that many MiB at op
    boundaries; after each bucket a `dist.reduce_grads` (ZeRO-1:
    `dist.reduce_scatter_grads`, for the gradients dp divides) reduces the
    accumulators in place, and `optimizer_step` reads them as they are
    (ZeRO-1: `graph.grad_chunk`). On a pipeline rank each model chunk's
    backward `@stage<S>_backward` gets its `@stage<S>_backward_last` the same
    way, which dist-pipeline-schedule runs for the chunk's last backward of
    a step. A parameter several pipeline ranks hold (the tied embedding) is
    reduced in `optimizer_step`, where its copies are also summed over
    those ranks.

    The degrees come from the module's `ptc.parallel`; with `dp = 1` and
    `tp = 1` the pass changes nothing. The mesh is `@mesh` with axes
    `[pp, dp, tp]` (tp fastest), created when missing.

    ```mlir
    // optimizer_step, dp = 2
    %g = graph.grad_ref @fc.w : tensor<32x8xf32>
    %r = dist.all_reduce %g on @mesh axes [dp] reduction avg : tensor<32x8xf32>
    %n = graph.global_norm %r : tensor<32x8xf32> -> tensor<f32>
    ```
  }];
  let dependentDialects = ["ptc::dist::DistDialect"];
}

def DistTensorParallel : Pass<"dist-tensor-parallel", "mlir::ModuleOp"> {
  let summary = "Megatron-LM tensor (and sequence) parallelism of the "
                "forward graph";
  let description = [{
    Runs on the forward function before `graph-mixed-precision` and
    `graph-autodiff`, which differentiates through the collectives it
    inserts (their VJPs are the conjugate collectives). With `parallel.tp
    = T`, in every transformer block:

    - the QKV projection and the first MLP projection(s) are
      column-parallel: their weights and biases keep rows `[c*N/T, (c+1)*N/T)`
      of every output segment (Q, K and V separately, so rank `c` holds its
      heads), their input passes a `dist.all_reduce_grad` (identity forward,
      gradient all-reduced over tp); attention runs on the rank's heads;
    - the attention output and the second MLP projection are row-parallel:
      their weights keep columns `[c*K/T, (c+1)*K/T)`, their partial sums are
      reduced by `dist.all_reduce ... sum` over tp, and their bias is added
      after the reduction;
    - the token embedding is vocabulary-parallel: each rank holds
      `padded_vocab / T` rows, looks up the ids it owns (zeros for the
      others, `graph.embedding {vocab_shard_axis}`) and an all-reduce sums
      the pieces;
    - the output projection (tied or not) is column-parallel over the
      vocabulary and the loss is vocabulary-parallel cross-entropy: the
      row maxima and then the sums of exponentials and the target logits
      are all-reduced over tp; the logits are never gathered;
    - norms and the position embedding are replicated; their gradients are
      equal on every tp rank.

    With `parallel.sequence_parallel` the replicated region between blocks
    is split along the sequence instead: the embedding output is sharded
    (`dist.shard`), column-parallel inputs are all-gathered along the
    sequence and row-parallel outputs reduce-scattered along it, norms run
    on sequence shards, and their gradients are marked `dist.partial_grad`
    for `dist-data-parallel` to sum over tp.

    Split parameters get their local type and a `dist.sharding` (with
    `dist.segments` for fused projections and `dist.global_type`), which
    the lowering uses to initialise the shard and the runtime to write full
    tensors to checkpoints.
  }];
  let dependentDialects = ["ptc::dist::DistDialect"];
}

def DistPipelineSplit : Pass<"dist-pipeline-split", "mlir::ModuleOp"> {
  let summary = "Pipeline stages: one nested module per pipeline rank, one "
                "function per model chunk";
  let description = [{
    Runs first, on the frontend's module, when `parallel.pp > 1` (with
    `pp = 1` it changes nothing). The layer units of `@forward` (the
    embedding, the transformer blocks, the head) are split into
    `pp x virtual_stages` model chunks (global pipeline stages): the
    balance of the units' FLOPs, or the spec's `parallel.pipeline_layout`
    (passes/Dist/StageUnits.h decides, for this pass and `ptc plan`). Chunk
    `s` lives on pipeline rank `s mod pp` (Megatron's interleaved layout).

    Each pipeline rank gets a nested `builtin.module @pipeline_rank<r>`
    with the outer module's settings, `ptc.pipeline_rank = r`, the
    parameters its chunks read, and one function per chunk,
    `@stage<s>_forward`: it takes the token ids (`s = 0`) or the previous
    chunk's output activation (io slot `stage<s>.input`), plus the targets
    on the last chunk, and returns its output activation, or the loss on the
    last chunk. The rest of the graph pipeline then runs on each nested
    module alone: each is the program of one pipeline rank (MPMD).

    Every parameter keeps its place in checkpoint files
    (`ptc.checkpoint_index`: its index in the whole model) and its init
    stream. A parameter read on several pipeline ranks (the tied embedding
    on the first and last) exists on each of them with
    `ptc.tied_ranks = [r...]`: their gradients are summed over those
    ranks before the optimizer step (dist-data-parallel), and checkpoints
    hold the first rank's copy (the others have `ptc.tied_copy`).

    ```mlir
    module @tiny attributes {ptc.parallel = #dist.parallel<pp = 2>, ...} {
      module @pipeline_rank0 attributes {ptc.pipeline_rank = 0 : i64, ...} {
        graph.param @wte.weight ... {ptc.checkpoint_index = 0 : i64,
                                     ptc.tied_ranks = array<i64: 0, 1>}
        func.func @stage0_forward(%tokens: tensor<4x64xi32> {ptc.input = "tokens"})
            -> tensor<4x64x64xf32> attributes {ptc.stage = 0 : i64, ...}
      }
      module @pipeline_rank1 ... {
        func.func @stage1_forward(%x: tensor<4x64x64xf32> {ptc.input = "stage1.input"},
                                  %targets: tensor<4x64xi32> {ptc.input = "targets"})
            -> tensor<f32>
      }
    }
    ```
  }];
  let dependentDialects = ["ptc::graph::GraphDialect",
                           "mlir::func::FuncDialect"];
}

def DistSplitBackward : Pass<"dist-split-backward", "mlir::ModuleOp"> {
  let summary = "Each model chunk's backward as an input-gradient and a "
                "weight-gradient entry point";
  let description = [{
    Runs on a pipeline rank's module (dist-pipeline-split) after the graph
    pipeline, when the plan's schedule may run the two halves of a backward
    apart: `parallel.schedule` = `zero_bubble` (ZB-H1), or a schedule file
    (which may hold `I` and `W` actions). Elsewhere it changes nothing.

    For each chunk backward `@stage<S>_backward` it adds
    `@stage<S>_backward_input` and `@stage<S>_backward_weight`. The cut
    follows the data: the input half holds every op the backward's results
    need (the gradient sent to the previous stage; the loss on the last
    stage), the weight half the rest, which ends in the gradient
    accumulations. Layer units are inlined first, since a unit's ops fall on
    both sides of the cut. The values the weight half reads from the input
    half, or from the backward's inputs (whose io slots the next
    micro-batch's actions overwrite), are carried: the input half returns
    them into io slots "stage<S>.carry.<i>" and the weight half reads them
    from there (dist-pipeline-schedule stashes them per micro-batch in
    between). Ops without operands (parameter reads, constants) are cloned
    into the weight half rather than carried.

    ```mlir
    func.func @stage1_backward_input(%x: tensor<2x32x32xf32> {ptc.input = "stage1.input"}, ...)
        -> (tensor<2x32x32xf32> {ptc.output = "stage1.input_grad"},
            tensor<64x32xf32> {ptc.output = "stage1.carry.0"}, ...)
    func.func @stage1_backward_weight(%c0: tensor<64x32xf32> {ptc.input = "stage1.carry.0"}, ...)
    ```

    The fused `@stage<S>_backward` stays: a schedule file may mix `B` with
    `I`/`W`; dist-pipeline-schedule drops the entry points no action calls.
  }];
  let dependentDialects = ["ptc::dist::DistDialect"];
}

def DistPipelineSchedule : Pass<"dist-pipeline-schedule", "mlir::ModuleOp"> {
  let summary = "The pipeline schedule of every rank, checked, as a "
                "dist.schedule of the outer module";
  let description = [{
    Runs on the outer module of a split program (dist-pipeline-split), after
    the graph pipeline has built each pipeline rank's entry points. It
    generates the spec's schedule (`parallel.schedule`: gpipe, 1f1b,
    interleaved_1f1b) for the micro-batches graph-optimizer decided
    (`ptc.micro_steps`) with the schedule library (passes/Dist/Schedule),
    adds the sends and receives, and proves the lists deadlock-free
    (every send meets its receive in the same order per neighbour pair, no
    cycle of waits) before writing them as a `dist.schedule` with one
    `dist.pipeline_rank` per rank.

    Each rank's list becomes actions that name its module's entry points
    (`@pipeline_rank1::@stage1_backward`): loads of the step's micro-batches
    (again before a first or last stage's backward when another
    micro-batch was loaded since), forwards and backwards, point-to-point
    transfers over one communicator per neighbour pair and direction
    (`pp_fwd<r>`: activations from rank r to r + 1 mod pp; `pp_bwd<r>`:
    gradients back), the loss broadcast from the last stage's rank, and the
    optimizer step. A received tensor waits in a stash slot until its
    backward; the pass assigns the slots (lowest free one) and records how
    many each stage needs in the rank module's `ptc.stash_slots`, which
    convert-graph-to-exec declares as io slots.

    Every rank module and the outer module get the same `ptc.comms` table
    (the mesh axes' groups, the neighbour pairs, the tied embedding's
    group), so that communicator indices mean the same on every rank.

    `zero_bubble` and schedule files with `I` and `W` actions call the two
    halves of a backward that dist-split-backward made: the values the
    weight half needs wait in stash slots of its carried io slots
    ("stage<S>.carry.<i>.stash<K>") from the input half to the weight half.
    Afterwards the chunk backward entry points no action calls are dropped
    (the fused one under zero_bubble, the halves under a schedule of `B`
    only), so that no io slot is declared for them.
  }];
  let dependentDialects = ["ptc::dist::DistDialect"];
}

def DistStepSchedule : Pass<"dist-step-schedule", "mlir::ModuleOp"> {
  let summary = "The order of work in one training step, as a dist.schedule";
  let description = [{
    Runs after `graph-optimizer` and `dist-data-parallel`, on the whole
    training step, and writes the step's order of work as data: a
    `dist.schedule` with the actions of each pipeline rank. The emitters
    print one step function per pipeline rank from it; the runtime calls
    that function once per optimizer step and only feeds the micro-batches
    it asks for.

    Without pipeline stages (`parallel.pp = 1`) the schedule is gradient
    accumulation (`"accumulate"`): for each of the step's micro-batches
    (the count `graph-optimizer` decided, `ptc.micro_steps` of
    `@micro_step`), load it, then run its forward and backward
    (`@micro_step`; the last one through `@last_micro_step` when
    `dist-data-parallel` made one, whose backward reduces the gradients
    over data-parallel ranks bucket by bucket); then `@optimizer_step`.
    With `parallel.pp > 1` it adds nothing: the module is split into one
    module per pipeline rank (dist-pipeline-split) and dist-pipeline-schedule
    writes the schedule of all ranks into the outer module.

    ```mlir
    dist.schedule "accumulate" micro_batches(2) data_parallel(2) {
      dist.pipeline_rank 0 {
        dist.load_micro_batch 0
        dist.forward_backward chunk 0 micro 0 calls @micro_step
        dist.load_micro_batch 1
        dist.forward_backward chunk 0 micro 1 calls @last_micro_step
        dist.optimizer_step calls @optimizer_step
      }
    }
    ```
  }];
  let dependentDialects = ["ptc::dist::DistDialect"];
}

#endif // PTC_PASSES_DIST_PASSES_TD
