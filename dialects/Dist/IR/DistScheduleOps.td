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
                       ConfinedAttr<I64Attr, [IntMinValue<1>]>:$data_parallel);
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

    ```mlir
    dist.optimizer_step calls @optimizer_step
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$entry);
  let assemblyFormat = "`calls` $entry attr-dict";
}

#endif // PTC_DIST_SCHEDULE_OPS_TD
