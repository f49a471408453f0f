//===- DistScheduleOps.td - the step's order of work ---------*- tablegen -*-===//
//
// The schedule of one training step as data: for each pipeline rank, the
// ordered actions it runs. A pass decides the order (dist-step-schedule);
// the emitters print one step function per pipeline rank from it, and the
// runtime only supplies the data and runs what the function calls.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_DIST_SCHEDULE_OPS_TD
#define PTC_DIST_SCHEDULE_OPS_TD

include "dialects/Dist/IR/DistBase.td"
include "mlir/IR/SymbolInterfaces.td"

def Dist_ScheduleOp : Dist_Op<"schedule", [HasParent<"::mlir::ModuleOp">,
    NoTerminator, SingleBlock, NoRegionArguments]> {
  let summary = "The order of work in one training step, per pipeline rank";
  let description = [{
    Holds one `dist.pipeline_rank` per pipeline rank, numbered from 0: the
    actions that rank runs in one optimizer step, in order. `kind` names
    the generator that made the lists (`accumulate`: gradient accumulation
    without pipeline stages). `micro_batches` is the number of
    micro-batches each data-parallel rank trains on per step, and
    `data_parallel` the number of those ranks: a step consumes
    `micro_batches x data_parallel` micro-batches of the training stream,
    and data-parallel rank `d` trains on the `micro_batches` of them that
    start at `d x micro_batches`.

    The step's loss is the mean of the losses of its `forward_backward`
    actions (on the rank that computes the loss).

    Under a batch-size ramp-up the module holds one `dist.schedule` per
    phase, in step order: `first_step` is the first optimizer step it runs
    (the next one's ends it) and `grad_scale` the factor the optimizer step
    applies to the accumulators (scaled for the full batch): the full
    batch's micro-batches over this phase's.

    ```mlir
    dist.schedule "accumulate" micro_batches(2) data_parallel(1) {
      dist.pipeline_rank 0 {
        dist.load_micro_batch 0
        dist.forward_backward chunk 0 micro 0 calls @micro_step
        dist.load_micro_batch 1
        dist.forward_backward chunk 0 micro 1 calls @micro_step
        dist.optimizer_step calls @optimizer_step
      }
    }
    ```
  }];
  let arguments = (ins StrAttr:$kind,
                       ConfinedAttr<I64Attr, [IntMinValue<1>]>:$micro_batches,
                       ConfinedAttr<I64Attr, [IntMinValue<1>]>:$data_parallel,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntMinValue<1>]>>
                           :$first_step,
                       OptionalAttr<F64Attr>:$grad_scale);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $kind `micro_batches` `(` $micro_batches `)`
    `data_parallel` `(` $data_parallel `)` attr-dict-with-keyword $body
  }];
  let hasVerifier = 1;
}

def Dist_PipelineRankOp : Dist_Op<"pipeline_rank", [
    HasParent<"::ptc::dist::ScheduleOp">, NoTerminator, SingleBlock,
    NoRegionArguments]> {
  let summary = "The actions of one pipeline rank in one step, in order";
  let description = [{
    Every micro-batch `m` in `[0, micro_batches)` of the enclosing
    `dist.schedule` is loaded once (`dist.load_micro_batch`) before any
    action computes on it, each is computed once, and the step ends with
    one `dist.optimizer_step`.

    ```mlir
    dist.pipeline_rank 0 {
      dist.load_micro_batch 0
      dist.forward_backward chunk 0 micro 0 calls @last_micro_step
      dist.optimizer_step calls @optimizer_step
    }
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntMinValue<0>]>:$rank);
  let regions = (region SizedRegion<1>:$actions);
  let assemblyFormat = "$rank attr-dict-with-keyword $actions";
  let hasVerifier = 1;
}

class Dist_ActionOp<string mnemonic, list<Trait> traits = []>
    : Dist_Op<mnemonic, !listconcat(traits,
          [HasParent<"::ptc::dist::PipelineRankOp">])>;

def Dist_LoadMicroBatchOp : Dist_ActionOp<"load_micro_batch"> {
  let summary = "Feed one micro-batch of the step into the input slots";
  let description = [{
    Micro-batch `micro` of this data-parallel rank's share of the step
    (see `dist.schedule`) goes into the "tokens" and "targets" slots, and
    `micro` into the "micro" slot (dropout's random streams read it).

    ```mlir
    dist.load_micro_batch 3
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntMinValue<0>]>:$micro);
  let assemblyFormat = "$micro attr-dict";
}

def Dist_ForwardBackwardOp : Dist_ActionOp<"forward_backward",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Forward and backward of a model chunk for one micro-batch";
  let description = [{
    Runs entry point `entry` on the micro-batch in the input slots: the
    forward and the loss of model chunk `chunk` (rank-local), then its
    backward, accumulating the gradients. The entry point writes the
    micro-batch's loss to the "loss" slot. Which entry point also reduces
    the gradients over data-parallel ranks (`@last_micro_step`, bucket by
    bucket during its backward) is the schedule's decision.

    ```mlir
    dist.forward_backward chunk 0 micro 1 calls @last_micro_step
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$entry,
                       ConfinedAttr<I64Attr, [IntMinValue<0>]>:$chunk,
                       ConfinedAttr<I64Attr, [IntMinValue<0>]>:$micro);
  let assemblyFormat = "`chunk` $chunk `micro` $micro `calls` $entry attr-dict";
}

def Dist_OptimizerStepOp : Dist_ActionOp<"optimizer_step",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Clip, update and zero the gradients: the step's last action";
  let description = [{
    Runs entry point `entry`, which writes the "lr" and "grad_norm" slots.
    With pipeline stages it names the pipeline rank's module too.

    ```mlir
    dist.optimizer_step calls @optimizer_step
    dist.optimizer_step calls @pipeline_rank1::@optimizer_step
    ```
  }];
  let arguments = (ins SymbolRefAttr:$entry);
  let assemblyFormat = "`calls` $entry attr-dict";
}

//===----------------------------------------------------------------------===//
// Pipeline actions (parallel.pp > 1). Stage S is a global pipeline stage
// (model chunk); its io slots are named "stage<S>.input", ".output",
// ".input_grad" and ".output_grad" (dist-pipeline-split, graph-optimizer),
// and a received tensor waits in stash slot K ("stage<S>.input.stash<K>",
// "stage<S>.output_grad.stash<K>") from its receive to its backward: one
// slot per micro-batch in flight, as the schedule needs.
//===----------------------------------------------------------------------===//

def Dist_ForwardOp : Dist_ActionOp<"forward",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "The forward of one model chunk for one micro-batch";
  let description = [{
    Copies the received input activation from stash slot `stash` (every
    stage but the first) into "stage<S>.input", writes `micro` into the
    "micro" slot and runs `entry`, which writes "stage<S>.output". The last
    stage has no `entry`: its backward recomputes the forward with the loss,
    so its forward only keeps the input waiting in its stash slot. In a
    validation schedule (`dist.schedule "evaluate"`) the last stage's
    forward computes the loss (`loss`: the step function reads it).

    ```mlir
    dist.forward stage 1 micro 3 stash 0 calls @pipeline_rank1::@stage1_forward
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntMinValue<0>]>:$stage,
                       ConfinedAttr<I64Attr, [IntMinValue<0>]>:$micro,
                       OptionalAttr<I64Attr>:$stash,
                       OptionalAttr<SymbolRefAttr>:$entry, UnitAttr:$loss);
  let assemblyFormat = [{
    `stage` $stage `micro` $micro (`stash` $stash^)? (`calls` $entry^)?
    (`loss` $loss^)? attr-dict
  }];
}

def Dist_BackwardOp : Dist_ActionOp<"backward",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "The backward of one model chunk for one micro-batch";
  let description = [{
    Copies the stashed input activation (`stash`, every stage but the
    first) into "stage<S>.input" and the received output gradient
    (`grad_stash`, every stage but the last) into "stage<S>.output_grad",
    writes `micro` into "micro" and runs `entry`: the chunk's forward
    recomputed from its input, then its backward, which accumulates the
    gradients of its parameters and writes "stage<S>.input_grad" (the last
    stage: the loss). With `loss`, the step adds the "loss" slot to the
    step's loss.

    ```mlir
    dist.backward stage 1 micro 3 stash 0 calls @pipeline_rank1::@stage1_backward loss
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntMinValue<0>]>:$stage,
                       ConfinedAttr<I64Attr, [IntMinValue<0>]>:$micro,
                       OptionalAttr<I64Attr>:$stash,
                       OptionalAttr<I64Attr>:$grad_stash,
                       SymbolRefAttr:$entry, UnitAttr:$loss);
  let assemblyFormat = [{
    `stage` $stage `micro` $micro (`stash` $stash^)?
    (`grad_stash` $grad_stash^)? `calls` $entry (`loss` $loss^)? attr-dict
  }];
}

def Dist_BackwardInputOp : Dist_ActionOp<"backward_input",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "The input-gradient half of a chunk's backward for one "
                "micro-batch";
  let description = [{
    The first half of a backward that a schedule runs apart (`I` of
    zero_bubble, dist-split-backward): copies the stashed input and output
    gradient in like `dist.backward`, writes `micro` into "micro" and runs
    `entry`, which writes "stage<S>.input_grad" (the last stage: the loss)
    and the `carried` values the weight half needs, "stage<S>.carry.<i>".
    With `carry_stash` K they are then copied into their stash slots
    "stage<S>.carry.<i>.stash<K>", where they wait for the weight half;
    without it no other backward of the stage runs before that weight half,
    and they wait where they are.

    ```mlir
    dist.backward_input stage 1 micro 3 stash 0 carry 14 stash 1 calls @pipeline_rank1::@stage1_backward_input loss
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntMinValue<0>]>:$stage,
                       ConfinedAttr<I64Attr, [IntMinValue<0>]>:$micro,
                       OptionalAttr<I64Attr>:$stash,
                       OptionalAttr<I64Attr>:$grad_stash,
                       ConfinedAttr<I64Attr, [IntMinValue<0>]>:$carried,
                       OptionalAttr<I64Attr>:$carry_stash,
                       SymbolRefAttr:$entry, UnitAttr:$loss);
  let assemblyFormat = [{
    `stage` $stage `micro` $micro (`stash` $stash^)?
    (`grad_stash` $grad_stash^)? `carry` $carried
    (`stash` $carry_stash^)? `calls` $entry (`loss` $loss^)? attr-dict
  }];
}

def Dist_BackwardWeightOp : Dist_ActionOp<"backward_weight",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "The weight-gradient half of a chunk's backward for one "
                "micro-batch";
  let description = [{
    The second half (`W`): copies the `carried` values of its
    `dist.backward_input` back from stash slot `carry_stash` (when it has
    one) into "stage<S>.carry.<i>" and runs `entry`, which accumulates the
    gradients of the chunk's parameters.

    ```mlir
    dist.backward_weight stage 1 micro 3 carry 14 stash 1 calls @pipeline_rank1::@stage1_backward_weight
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntMinValue<0>]>:$stage,
                       ConfinedAttr<I64Attr, [IntMinValue<0>]>:$micro,
                       ConfinedAttr<I64Attr, [IntMinValue<0>]>:$carried,
                       OptionalAttr<I64Attr>:$carry_stash,
                       SymbolRefAttr:$entry);
  let assemblyFormat = [{
    `stage` $stage `micro` $micro `carry` $carried (`stash` $carry_stash^)?
    `calls` $entry attr-dict
  }];
}

class Dist_PointToPointOp<string mnemonic, string direction>
    : Dist_ActionOp<mnemonic> {
  let arguments = (ins ConfinedAttr<I64Attr, [IntMinValue<0>]>:$stage,
                       ConfinedAttr<I64Attr, [IntMinValue<0>]>:$micro,
                       ConfinedAttr<I64Attr, [IntMinValue<0>]>:$peer,
                       StrAttr:$comm, OptionalAttr<I64Attr>:$stash);
  let assemblyFormat = "`stage` $stage `micro` $micro " # direction #
      " $peer `over` $comm (`stash` $stash^)? attr-dict";
}

def Dist_SendActivationOp
    : Dist_PointToPointOp<"send_activation", "`to`"> {
  let summary = "Send a chunk's output activation to the next stage's rank";
  let description = [{
    Sends "stage<S>.output" to pipeline rank `peer` over communicator
    `comm` (a neighbour pair of the module's `ptc.comms`). The send
    returns at once; the runtime keeps a copy of the bytes.

    ```mlir
    dist.send_activation stage 0 micro 3 to 1 over "pp_fwd0"
    ```
  }];
}

def Dist_RecvActivationOp
    : Dist_PointToPointOp<"recv_activation", "`from`"> {
  let summary = "Receive a chunk's input activation into a stash slot";
  let description = [{
    ```mlir
    dist.recv_activation stage 1 micro 3 from 0 over "pp_fwd0" stash 1
    ```
  }];
}

def Dist_SendGradientOp : Dist_PointToPointOp<"send_gradient", "`to`"> {
  let summary = "Send the gradient of a chunk's input to the previous stage";
  let description = [{
    Sends "stage<S>.input_grad".

    ```mlir
    dist.send_gradient stage 1 micro 3 to 0 over "pp_bwd0"
    ```
  }];
}

def Dist_RecvGradientOp : Dist_PointToPointOp<"recv_gradient", "`from`"> {
  let summary = "Receive the gradient of a chunk's output into a stash slot";
  let description = [{
    ```mlir
    dist.recv_gradient stage 0 micro 3 from 1 over "pp_bwd0" stash 0
    ```
  }];
}

def Dist_BroadcastLossOp : Dist_ActionOp<"broadcast_loss"> {
  let summary = "The step's loss from the last stage's rank to every rank";
  let description = [{
    Every pipeline rank of the data-parallel replica gets the step's mean
    loss from pipeline rank `root` (which computed it) over communicator
    `comm` (the "pp" axis): each rank logs it and judges it, so a
    diverged run stops on every rank at the same step.

    ```mlir
    dist.broadcast_loss from 3 over "pp"
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntMinValue<0>]>:$root,
                       StrAttr:$comm);
  let assemblyFormat = "`from` $root `over` $comm attr-dict";
}

#endif // PTC_DIST_SCHEDULE_OPS_TD
