// Tests dist-pipeline-schedule after the graph pipeline of each pipeline
// rank (Inputs: a 2-block GPT with pp = 2, 1F1B, 2 micro-batches): the
// checked lists of both ranks as actions on their modules' entry points,
// the received tensors in stash slots, the stash counts of each rank
// module, and one communicator table on every module.
// RUN: ptc-opt %S/Inputs/micro-pp2-frontend.mlir --pass-pipeline='builtin.module(dist-pipeline-split, builtin.module(ptc-graph-pipeline), dist-pipeline-schedule)' | FileCheck %s
// Under zero_bubble (after dist-split-backward) the backward halves run
// apart: the last rank defers a weight half, so its carried values wait in
// two stash slots; the fused backwards no action calls are dropped.
// RUN: sed 's/#dist.parallel<pp = 2>/#dist.parallel<pp = 2, schedule = zero_bubble>/' %S/Inputs/micro-pp2-frontend.mlir | ptc-opt --pass-pipeline='builtin.module(dist-pipeline-split, builtin.module(ptc-graph-pipeline, dist-split-backward), dist-pipeline-schedule)' | FileCheck %s --check-prefix=ZB
// With dp = 2 each chunk's last backward of the step is the variant that
// dist-data-parallel built to reduce the chunk's gradients over dp (the
// tied embedding's are left to optimizer_step).
// RUN: sed -e 's/#dist.parallel<pp = 2>/#dist.parallel<pp = 2, dp = 2>/' -e 's/global_batch_size = 4/global_batch_size = 8/' %S/Inputs/micro-pp2-frontend.mlir | ptc-opt --pass-pipeline='builtin.module(dist-pipeline-split, builtin.module(ptc-graph-pipeline, dist-split-backward), dist-pipeline-schedule)' | FileCheck %s --check-prefix=DP
// DP: func.func @stage0_backward_last(
// DP-NOT: func.func
// DP: dist.reduce_grads [@wpe.weight, @h.0.ln_1.weight
// DP-NOT: @wte.weight
// DP-SAME: on @mesh axes [dp]
// DP: dist.backward stage 0 micro 0 grad_stash 0 calls @pipeline_rank0::@stage0_backward
// DP-NEXT: dist.recv_gradient
// DP-NEXT: dist.load_micro_batch 1
// DP-NEXT: dist.backward stage 0 micro 1 grad_stash 0 calls @pipeline_rank0::@stage0_backward_last
// DP: dist.backward stage 1 micro 0 stash 0 calls @pipeline_rank1::@stage1_backward loss
// DP: dist.backward stage 1 micro 1 stash 1 calls @pipeline_rank1::@stage1_backward_last loss
// ZB: module @pipeline_rank0
// ZB-SAME: ptc.stash_slots = {stage0.output_grad = 1 : i64}
// ZB-NOT: func.func @stage0_backward(
// ZB: module @pipeline_rank1
// ZB-SAME: ptc.stash_slots = {stage1.carry.0 = 2 : i64, stage1.carry.1 = 2 : i64,
// ZB-SAME: stage1.input = 2 : i64}
// ZB-NOT: func.func @stage1_backward(
// ZB: dist.schedule "zero_bubble" micro_batches(2) data_parallel(1) {
// ZB: dist.backward_input stage 0 micro 0 grad_stash 0 carry 2 calls @pipeline_rank0::@stage0_backward_input
// ZB-NEXT: dist.backward_weight stage 0 micro 0 carry 2 calls @pipeline_rank0::@stage0_backward_weight
// ZB: dist.backward_input stage 1 micro 0 stash 0 carry [[C:[0-9]+]] stash 0 calls @pipeline_rank1::@stage1_backward_input loss
// ZB-NEXT: dist.send_gradient stage 1 micro 0 to 0 over "pp_bwd0"
// ZB: dist.backward_input stage 1 micro 1 stash 1 carry [[C]] stash 1 calls @pipeline_rank1::@stage1_backward_input loss
// ZB-NEXT: dist.send_gradient stage 1 micro 1 to 0 over "pp_bwd0"
// ZB-NEXT: dist.backward_weight stage 1 micro 0 carry [[C]] stash 0 calls @pipeline_rank1::@stage1_backward_weight
// ZB-NEXT: dist.backward_weight stage 1 micro 1 carry [[C]] stash 1 calls @pipeline_rank1::@stage1_backward_weight
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
