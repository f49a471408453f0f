// Tests dist-pipeline-split on a 2-block GPT with pp = 2 (Inputs: the
// frontend's module of such a spec): one module per pipeline rank with the
// settings and its rank; the embedding and block 0 on rank 0, block 1 and
// the head on rank 1 (the balance of the blocks' FLOPs); each parameter on
// the ranks that read it, with its index in the whole model; the tied
// embedding on both ranks, the last one's a copy; each chunk a function from
// its input slot to its output slot (the loss on the last).
// RUN: ptc-opt %S/Inputs/micro-pp2-frontend.mlir --dist-pipeline-split | FileCheck %s
// CHECK: module @micro attributes {{{.*}}ptc.stage_layout = "Et|tL"
// CHECK-NOT: func.func @forward
// CHECK: module @pipeline_rank0 attributes {{{.*}}ptc.pipeline_rank = 0 : i64
// CHECK: graph.param @wte.weight {{.*}} {ptc.checkpoint_index = 0 : i64, ptc.tied_ranks = array<i64: 0, 1>}
// CHECK: graph.param @wpe.weight {{.*}} {ptc.checkpoint_index = 1 : i64}
// CHECK: graph.param @h.0.mlp.c_proj.bias {{.*}} {ptc.checkpoint_index = 13 : i64}
// CHECK-NOT: graph.param @h.1
// CHECK: func.func @stage0_forward(%{{.*}}: tensor<2x4xi32> {ptc.input = "tokens"}) -> (tensor<2x4x8xf32> {ptc.output = "stage0.output"}) attributes {ptc.stage = 0 : i64}
// CHECK: graph.layer embedding 0
// CHECK: graph.layer block 0
// CHECK-NOT: graph.layer {{(embedding|block|head)}}
// CHECK: module @pipeline_rank1 attributes {{{.*}}ptc.pipeline_rank = 1 : i64
// CHECK: graph.param @wte.weight {{.*}} {ptc.checkpoint_index = 0 : i64, ptc.tied_copy, ptc.tied_ranks = array<i64: 0, 1>}
// CHECK-NOT: graph.param @wpe.weight
// CHECK: graph.param @h.1.ln_1.weight {{.*}} {ptc.checkpoint_index = 14 : i64}
// CHECK: graph.param @ln_f.bias {{.*}} {ptc.checkpoint_index = 27 : i64}
// CHECK: func.func @stage1_forward(%{{.*}}: tensor<2x4x8xf32> {ptc.input = "stage1.input"}, %{{.*}}: tensor<2x4xi32> {ptc.input = "targets"}) -> tensor<f32> attributes {ptc.stage = 1 : i64}
// CHECK: graph.layer block 1
// CHECK: graph.layer head 0
// A split module is not split again.
// RUN: ptc-opt %S/Inputs/micro-pp2-frontend.mlir --dist-pipeline-split | not ptc-opt --dist-pipeline-split 2>&1 | FileCheck %s --check-prefix=TWICE
// TWICE: error: dist-pipeline-split: the module is split already (it holds nested modules)
