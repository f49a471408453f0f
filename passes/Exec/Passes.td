//===- Passes.td - exec-level passes -------------------------*- tablegen -*-===//
//
// Passes on the exec dialect: what runs, where its buffers live.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_EXEC_PASSES_TD
#define PTC_PASSES_EXEC_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def ExecFuse : Pass<"exec-fuse", "mlir::ModuleOp"> {
  let summary = "Merges kernel pairs so that fewer passes go over memory";
  let description = [{
    Peepholes on the straight-line body of each entry point (a function with
    `exec.entry`), applied until none matches. Each removes a pass over a
    buffer and usually the buffer itself; what is computed is unchanged
    except that a product accumulated into an f32 gradient is no longer
    rounded to bf16 on the way.

    1. In place: `fill(d, 0)` then `cross_entropy_backward(d, logits, ...)`
       or `gelu_backward(d, x, dout)`, where the logits (dout) die at the
       kernel and have d's size and type: the kernel writes over them (the
       kernels replace instead of add when the two are one buffer). This
       halves the loss's memory.
    2. `fill(y, 0)`, kernels named `*_backward` that add into y, then
       `add_forward(z, x, y)` with x dying there: the kernels add into x and
       z is x (the residual gradient of a block).
    3. `axpy(g, f)` (alpha 1) into a global g (a gradient accumulator):
       a GEMM that produced f, possibly through a `convert`, accumulates into
       g directly (bf16 operands into an f32 output); kernels that added into
       a zeroed f add into g; `f = add_forward(x, y)` becomes two axpys.
       Other ops in between may only add to g.
    4. `layernorm_forward` into an f32 buffer that only a `convert` to bf16
       reads: the norm writes the bf16 buffer.
    5. A residual connection, `t = gemm(a, b, bias)` in bf16, `f = convert(t)`
       to f32, `z = add_forward(x, f)`: one `gemm_bias_add(z, a, b, bias, x)`
       (`gemm_add` without a bias) adds the f32 product and the f32 bias
       (read from its parameter, not its bf16 copy) to x in the GEMM's
       epilogue.
    6. `f = convert(t)` from bf16 to f32 read only by a `layernorm_backward`
       as its output gradient: the kernel reads t (its mixed overload).
    7. A `permute` beside a `copy_rows` becomes one `permute_view` (a
       permute between strided views): `copy_rows` filling a buffer that
       only a `permute` reads (a head split out of the fused QKV product),
       or a `permute` whose output only a `copy_rows` reads (head gradients
       into their slice of the fused QKV gradient).
    8. `b = convert(d)` to bf16 where the last writer of d is a
       `layernorm_backward` (with a bf16 output gradient): the norm's backward
       writes b as well (`layernorm_backward_copy`).

    ```mlir
    exec.fill %d, 0.0 : memref<8x16xbf16>
    exec.launch "gelu_backward"(%d, %x, %dy) access [readwrite, read, read]
        args [128, 1] : ...
    // becomes, when %dy dies there
    exec.launch "gelu_backward"(%dy, %x, %dy) access [readwrite, read, read]
        args [128, 1] : ...
    ```
  }];
  let dependentDialects = ["::ptc::exec::ExecDialect"];
}

def ExecGemmGelu : Pass<"exec-gemm-gelu", "mlir::ModuleOp"> {
  let summary = "GELU and its gradient in the epilogues of the GEMMs around them";
  let description = [{
    Runs right after `exec-fuse` (whose in-place `gelu_backward` it
    matches). cuBLASLt applies GELU, the tanh approximation, in a GEMM's
    epilogue (`CUBLASLT_EPILOGUE_GELU_AUX_BIAS`, `GELU_BIAS`, `DGELU_BGRAD`),
    so in each entry point's straight-line body:

    1. `h = gemm(a, b, bias)` then `gelu_forward(g, h)` (h's next user, tanh)
       becomes `gemm_bias_gelu_aux(g, h, a, b, bias)` at the GEMM, which
       writes both g and GELU's input h (the backward reads h), or
       `gemm_bias_gelu(g, a, b, bias)` when nothing else reads h (the
       evaluation step; h's buffer goes).
    2. `dh = gemm(a, b)`, then `gelu_backward(dh, x, dh)` in place (dh's next
       user, tanh) with x unwritten in between, then, with dh only read by
       what comes between (the GEMMs of the input and weight gradients),
       `reduce_leading(db, dh)` over dh's rows: one
       `gemm_dgelu_bgrad(dh, db, a, b, x)` at the GEMM writes GELU's input
       gradient and its column sums, the bias gradient; db's alloc moves
       before it.

    Only exact matches: one packed product (batch 1, no `accumulate`, alpha
    1), one element type for operands and output, an `exec.alloc` for each
    buffer written earlier than before (g, dh, db) and for x, nothing on a
    stream, no use of g or db from the GEMM to the op that wrote them, and
    accesses as the kernels declare them. The exact (erf) GELU, a GEMM
    without a bias in the forward and a gradient without the column sums
    are left as they are. The kernel library (runtime/cuda/gemm.cuh) runs
    the unfused kernels where cuBLASLt has no algorithm for the epilogue or
    where they time faster (the gradient's column sums usually stay with
    `reduce_leading`); the cpu target always runs them, in the same order,
    with the same results.

    ```mlir
    exec.gemm %h, %x, %w, %b m 64 n 256 k 32 epilogue bias transpose_b
        : memref<64x256xbf16>, memref<64x32xbf16>, memref<256x32xbf16>,
          memref<256xbf16>
    %g = exec.alloc : memref<64x256xbf16>
    exec.launch "gelu_forward"(%g, %h) access [write, read] args [16384, 1]
        : memref<64x256xbf16>, memref<64x256xbf16>
    // becomes, when the backward reads %h
    %g = exec.alloc : memref<64x256xbf16>
    exec.launch "gemm_bias_gelu_aux"(%g, %h, %x, %w, %b)
        access [write, write, read, read, read] args [64, 256, 32, 0, 1] : ...
    ```
  }];
  let dependentDialects = ["::ptc::exec::ExecDialect"];
}

def ExecAttentionLayout : Pass<"exec-attention-layout", "mlir::ModuleOp"> {
  let summary = "Attention reads and writes the projections' layout: no head permutes";
  let description = [{
    Runs right after `exec-gemm-gelu`. The lowering feeds attention
    [B, H, T, Dh] copies made by head splits and merges (`permute` or
    `permute_view`, rank 4, perm [0, 2, 1, 3]) of the projections'
    [B, T, H*Dh] rows: per layer three splits of q, k, v out of the fused
    QKV product, a merge of the output, a split of its gradient and three
    merges of dq, dk, dv into the fused gradient. The strided kernels
    (`attention_forward_strided`, `attention_backward_strided`) take each
    operand as a view (offset, batch, head and row strides in elements, Dh
    contiguous), so in each entry point:

    1. A buffer that a split writes whole (its first use) and that only
       attention launches read, as q, k, v or dout with the split's shape:
       every one of them reads the split's source through a view, and the
       split goes, when nothing writes the source from the split to the
       last of those reads (the source then lives until then instead).
    2. `attention_forward`'s out, read only by merges that read all of it
       and by `attention_backward` as out: the forward writes the first
       merge's target y through a view (y may be a column block of a wider
       row) and the backward reads it there. Later merges of out (the copy
       that the weight gradient reads after recomputation) are whole copies
       of y: their targets, of y's type and read only, become y. Needs y
       unused before the first merge and unwritten until the last read.
    3. `attention_backward`'s dq, dk, dv, when each is zero-filled with no
       other use before the kernel: the fills go and the kernel overwrites
       (accumulate 0; otherwise nothing of 3 applies and the kernel keeps
       adding). A gradient that only a merge reads afterwards is written
       into the merge's target, when the merges into one target write
       disjoint elements and nothing else reaches that target between the
       kernel and the last merge (reads redirected by 1 and 2 included).

    Splits whose row layout is not affine in (b, h, t), buffers that are
    not `exec.alloc`s, launches on a stream, a q or k that RoPE reads
    between the split and attention (only v is then read in place), and an
    out that anything else reads are left as they are. A launch that none of
    this changes stays `attention_forward`/`attention_backward`.

    ```mlir
    exec.launch "permute_view"(%q, %qkv) access [write, read]
        args [4, 2, 3, 2, 4, 1, 1, 0, 2, 1, 3, 4, 5, 8, 24, 0, 48, 48, 0]
        : memref<2x2x3x4xf32>, memref<2x3x24xf32>
    // (and k, v at column offsets 8 and 16) becomes q read from %qkv at
    // offset 0, batch stride 72, head stride 4, row stride 24:
    exec.launch "attention_forward_strided"(%y, %lse, %qkv, %qkv, %qkv) ...
        args [2, 2, 2, 3, 4, 5.000000e-01, 0, 72, 4, 24, 8, 72, 4, 24, ...]
    ```
  }];
  let dependentDialects = ["::ptc::exec::ExecDialect"];
}

def ExecPersistWeightCopies : Pass<"exec-persist-weight-copies", "mlir::ModuleOp"> {
  let summary = "Keeps the bf16 copies of the weights instead of converting them every micro-step";
  let description = [{
    In mixed precision the products read bf16 copies of the f32 weights;
    the lowering converts each weight where it is read, in every micro-step
    (and again in the backward, where recomputing a conversion is cheaper
    than keeping it alive): 170 conversions per micro-step for gpt2-124m.
    The weights only change in `optimizer_step`, so this pass makes each
    converted copy a global of its own, `<param>.compute` in the parameters'
    arena (marked `exec.copy_of`; checkpoints and the parameter table leave
    it out), read where the conversions were, and converts every copy once:
    at the end of `init_params` and of `optimizer_step`, and in a new entry
    point `refresh_weight_copies` that the runtime calls after it has loaded
    weights from a file. Runs before `exec-plan-memory`; `exec-coalesce`
    then merges the refreshes into one launch.

    Only conversions of a parameter into a transient buffer of its own
    shape, in the entry points that never write a parameter (`micro_step`,
    `last_micro_step`, `eval_step`, and every pipeline chunk's forward and
    backward: what their ops declare of the parameters' buffers says so),
    are replaced.

    It trades memory for time: 2 bytes per parameter stay allocated (the
    transient conversions were recomputed in the backward to keep the peak
    low), so it runs when the module's `ptc.training` says
    `keep_bf16_weights = true` (the spec's `training.keep_bf16_weights`), or
    with the option `force`.

    Under ZeRO-1 (`ptc.parallel`: `zero_stage = 1`, `dp > 1`) it also runs
    for the parameters that `exec-shard-master-weights` can shard: those the
    weight-reading entry points read only through conversions. Their f32
    tensors then only feed the copies, so each rank can keep just its chunk.
    With `same-type`, the direct reads of a ZeRO-1 parameter go through a
    whole copy of the same element type (`<param>.whole`, refreshed by
    `copy`), which makes every parameter shardable: it costs memory and
    serves to check the sharded masters on the cpu target, which converts
    nothing.
  }];
  let options = [
    Option<"force", "force", "bool", /*default=*/"false",
           "keep the copies whatever the module's training settings say">,
    Option<"sameType", "same-type", "bool", /*default=*/"false",
           "under ZeRO-1, also give the weights read in their own element "
           "type a whole copy (`<param>.whole`), so that their masters can "
           "be sharded too (more memory; the cpu target's check of the "
           "sharded masters, where nothing is converted)">
  ];
  let dependentDialects = ["::ptc::exec::ExecDialect"];
}

def ExecShardMasterWeights : Pass<"exec-shard-master-weights", "mlir::ModuleOp"> {
  let summary = "ZeRO-1: each data-parallel rank keeps its chunk of the f32 "
                "weights that the micro-steps only read through copies";
  let description = [{
    Runs after `exec-persist-weight-copies` when the module trains with
    ZeRO-1 (`ptc.parallel`: `zero_stage = 1`, `dp > 1`). `dist-data-parallel`
    already splits AdamW's moments: each rank updates chunk `c` (its dp
    coordinate) of the flattened, zero-padded parameter (`dist.zero_chunk`
    elements) and the f32 chunks are all-gathered back into the whole
    parameter. Where the entry points that compute (`micro_step`,
    `last_micro_step`, `eval_step`) read a parameter only through its copies
    (`exec.copy_of`: the bf16 weights of mixed precision), the whole f32
    tensor has no reader left but the copies' refreshes, so this pass makes
    the parameter's global its chunk, as Megatron-LM's distributed
    optimizer does with its main parameters:

    - the global becomes `memref<chunk x f32>`, its whole type kept in
      `exec.zero_master` (the emitter's parameter table: checkpoints gather
      the chunks over dp and loading slices them);
    - `optimizer_step`: `adamw_update_chunk` becomes `adamw_update` of the
      whole chunk (the padding has zero gradients and moments and stays
      zero); the f32 all-gather after it goes away; the refreshes convert
      every chunk, then one NCCL group all-gathers the bf16 chunks over dp
      (half the bytes of the f32 gathers) straight into the copies (through
      a padded buffer and a copy where dp does not divide the parameter);
    - `init_params` initializes the whole tensor (the same on every rank)
      into a transient buffer, keeps the rank's chunk (`copy_chunk`) and
      refreshes the copies from it right after its last write;
    - `refresh_weight_copies` (after a load) gathers like `optimizer_step`.

    Parameters read in f32 by a computing entry point (norms, the token
    embedding's lookup) keep their whole f32 tensor. Per rank this saves
    4 (dp - 1) / dp bytes per sharded parameter. Those whole masters still
    gather their updated chunks back; where dp divides the parameter, the
    rank's chunk already sits at its place, so `copy_chunk`, `all_gather`
    and `copy` become one `all_gather_inplace`, and an entry point's
    in-place gathers form one NCCL group after its last update.

    ```mlir
    // optimizer_step, dp = 2: @w is memref<8192xf32>, the chunk of 256x64
    exec.launch "adamw_update"(%w, %m, %v, %g, %lr, %clip, %step) ...
        args [8192, 9.0e-01, 9.5e-01, 1.0e-08, 1.0e-01]
    exec.launch "convert"(%c, %w) access [write, read] args [8192]
    exec.launch "group_start"() access []
    exec.launch "all_gather"(%w.compute, %c) access [write, read] args [8192, 0]
    exec.launch "group_end"() access []
    ```
  }];
  let dependentDialects = ["::ptc::exec::ExecDialect"];
}

def ExecCoalesce : Pass<"exec-coalesce", "mlir::ModuleOp"> {
  let summary = "One launch over tensors that the memory plan packed back to back";
  let description = [{
    Runs after `exec-plan-memory`. The optimizer step does the same small
    kernel once per parameter (hundreds of launches for a transformer, most
    over a few kilobytes); the parameters, their gradients and their
    moments are globals packed in declaration order, so runs of them are
    contiguous. In each entry point, a window is a run of one kind of work
    with only `exec.global_ref`s in between:

    - `fill(g, c)` of globals (zeroing the gradient accumulators);
    - `sum_squares_add(acc, x)` of globals x into one accumulator (the
      global norm; the order of the additions changes, in f64);
    - `adamw_update(p, m, v, g, lr, clip, step)` with the same betas and eps
      and the same lr, clip and step buffers.

    The window's ops touch disjoint buffers apart from the shared ones, so
    they may run in any order: the pass sorts them by address and merges
    every chain whose per-tensor buffers are back to back (each starts where
    the previous one ends, same arena and element type) into one launch over
    `exec.global_span`s. AdamW's weight decay may differ along a chain (it
    does between weights and biases): the merged launch is
    `adamw_update_segments` with a table of (count, weight decay) rows. A
    gap between globals (alignment padding) ends a chain.

    ```mlir
    %a = exec.global_ref @a.grad : memref<64xf32>
    exec.fill %a, 0.0 : memref<64xf32>
    %b = exec.global_ref @b.grad : memref<64xf32>
    exec.fill %b, 0.0 : memref<64xf32>
    // becomes, where @b.grad starts at the end of @a.grad
    %s = exec.global_span @a.grad to @b.grad : memref<128xf32>
    exec.fill %s, 0.0 : memref<128xf32>
    ```
  }];
  let dependentDialects = ["::ptc::exec::ExecDialect"];
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

def ExecPlanMemory : Pass<"exec-plan-memory", "mlir::ModuleOp"> {
  let summary = "Places every buffer at an offset in its arena and sizes the arenas";
  let description = [{
    The static memory plan of a module of the exec dialect.

    1. `exec.global`s are packed into their arena in declaration order, each
       at an offset aligned to max(`alignment`, the arena's alignment).
    2. `exec.alloc`s are placed per function. Each function body must be one
       straight-line block; an alloc lives from the first to the last op that
       uses it (an unused alloc lives at its own position). Allocs whose
       lifetimes overlap get disjoint memory; the others may share it. The
       placement is greedy by size (TensorFlow Lite's "greedy by size"
       planner): largest first, each at the lowest aligned offset that does
       not collide with an already placed alloc it overlaps in time. Ties
       are broken by position, so the plan is deterministic. Entry points run
       one at a time, so every function is planned from the start of the
       arena (after any globals placed there) and the arena is as large as
       the largest function needs. `activations` allocs go to the first
       `activations` arena, `workspace` allocs to the first `workspace`
       arena; a missing arena is created, named after its kind.
    3. Every arena's `size` becomes the end of its last buffer, rounded up
       to the alignment.

    The pass recomputes everything on each run, so it is idempotent.

    ```mlir
    %a = exec.alloc : memref<64xf32>
    // becomes
    %a = exec.alloc in @activations [offset 0] : memref<64xf32>
    ```
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", "256",
           "Minimum alignment in bytes of every buffer (a power of two)">
  ];
  let dependentDialects = ["::ptc::exec::ExecDialect"];
}

#endif // PTC_PASSES_EXEC_PASSES_TD
