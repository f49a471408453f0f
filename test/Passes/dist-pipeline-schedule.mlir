// Tests dist-pipeline-schedule after the graph pipeline of each pipeline
// rank (Inputs: a 2-block GPT with pp = 2, 1F1B, 2 micro-batches): the
// checked lists of both ranks as actions on their modules' entry points,
// the received tensors in stash slots, the stash counts of each rank
// module, and one communicator table on every module.
// RUN: ptc-opt %S/Inputs/micro-pp2-frontend.mlir --pass-pipeline='builtin.module(dist-pipeline-split, builtin.module(ptc-graph-pipeline), dist-pipeline-schedule)' | FileCheck %s
// CHECK: module @micro attributes {ptc.comms = [[COMMS:\[\["tp"\], \["dp"\], \["dp", "tp"\], \["pp"\], {axes = \["pp"\], members = array<i64: 0, 1>, name = "pp_fwd0"}]]
// CHECK-SAME: name = "pp_tied0_1"}]
// CHECK: module @pipeline_rank0 attributes {ptc.comms = [[COMMS]]
// CHECK-SAME: ptc.stash_slots = {stage0.output_grad = 1 : i64}
// CHECK: module @pipeline_rank1 attributes {ptc.comms = [[COMMS]]
// CHECK-SAME: ptc.stash_slots = {stage1.input = 2 : i64}
// CHECK: dist.schedule "1f1b" micro_batches(2) data_parallel(1) {
// CHECK-NEXT: dist.pipeline_rank 0 {
// CHECK-NEXT: dist.load_micro_batch 0
// CHECK-NEXT: dist.forward stage 0 micro 0 calls @pipeline_rank0::@stage0_forward
// CHECK-NEXT: dist.send_activation stage 0 micro 0 to 1 over "pp_fwd0"
// CHECK-NEXT: dist.load_micro_batch 1
// CHECK-NEXT: dist.forward stage 0 micro 1 calls @pipeline_rank0::@stage0_forward
// CHECK-NEXT: dist.send_activation stage 0 micro 1 to 1 over "pp_fwd0"
// CHECK-NEXT: dist.recv_gradient stage 0 micro 0 from 1 over "pp_bwd0" stash 0
// CHECK-NEXT: dist.load_micro_batch 0
// CHECK-NEXT: dist.backward stage 0 micro 0 grad_stash 0 calls @pipeline_rank0::@stage0_backward
// CHECK-NEXT: dist.recv_gradient stage 0 micro 1 from 1 over "pp_bwd0" stash 0
// CHECK-NEXT: dist.load_micro_batch 1
// CHECK-NEXT: dist.backward stage 0 micro 1 grad_stash 0 calls @pipeline_rank0::@stage0_backward
// CHECK-NEXT: dist.broadcast_loss from 1 over "pp"
// CHECK-NEXT: dist.optimizer_step calls @pipeline_rank0::@optimizer_step
// CHECK-NEXT: }
// CHECK-NEXT: dist.pipeline_rank 1 {
// CHECK-NEXT: dist.load_micro_batch 0
// CHECK-NEXT: dist.recv_activation stage 1 micro 0 from 0 over "pp_fwd0" stash 0
// CHECK-NEXT: dist.forward stage 1 micro 0 stash 0
// CHECK-NEXT: dist.recv_activation stage 1 micro 1 from 0 over "pp_fwd0" stash 1
// CHECK-NEXT: dist.backward stage 1 micro 0 stash 0 calls @pipeline_rank1::@stage1_backward loss
// CHECK-NEXT: dist.send_gradient stage 1 micro 0 to 0 over "pp_bwd0"
// CHECK-NEXT: dist.load_micro_batch 1
// CHECK-NEXT: dist.forward stage 1 micro 1 stash 1
// CHECK-NEXT: dist.backward stage 1 micro 1 stash 1 calls @pipeline_rank1::@stage1_backward loss
// CHECK-NEXT: dist.send_gradient stage 1 micro 1 to 0 over "pp_bwd0"
// CHECK-NEXT: dist.broadcast_loss from 1 over "pp"
// CHECK-NEXT: dist.optimizer_step calls @pipeline_rank1::@optimizer_step
