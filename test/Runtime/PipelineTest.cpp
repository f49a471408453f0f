//===- PipelineTest.cpp - Pipeline stages in one process ------------------===//
//
// What the pipeline side of the runtime decides without MPI: the places of
// communicators with members and the checks of their lists, the checks of a
// program's stage tables and checkpoint order, each stage's io slots, and
// loading a single-process checkpoint into each stage (the tied copy from
// the original's tensor). The two-rank runs are in
// test/Integration/dist-runtime/pipeline*.test.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestUtil.h"
#include "dist/PipelineModel.h"

#include "runtime/dist/mesh.h"
#include "runtime/dist/world.h"
#include "runtime/train/model_check.h"
#include "runtime/train/safetensors.h"
#include "runtime/train/weights.h"

namespace {

using namespace ptc::rt;
namespace abi = ptc::abi;
namespace pipe = ptc::test::pipe;

TEST(PipelineMesh, MembersArePlacedInListOrderAndOthersAreOutside) {
  const abi::Model &m = pipe::pipeline();
  // comm 2 "pp_bwd0" lists {1, 0}: stage 1 is member 0.
  const dist::GroupPlace first = dist::groupPlace(m, m.comms[2], {0, 0, 0});
  const dist::GroupPlace last = dist::groupPlace(m, m.comms[2], {1, 0, 0});
  EXPECT_TRUE(first.member && last.member);
  EXPECT_EQ(first.key, 1);
  EXPECT_EQ(last.key, 0);
  EXPECT_EQ(first.size, 2);
  EXPECT_EQ(dist::groupMemberRank(m, m.comms[2], {0, 0, 0}, 0), 1);
  EXPECT_EQ(dist::groupMemberRank(m, m.comms[2], {0, 0, 0}, 1), 0);
  // comm 4 "last" lists {1}: stage 0 is outside it.
  EXPECT_FALSE(dist::groupPlace(m, m.comms[4], {0, 0, 0}).member);
  const dist::GroupPlace one = dist::groupPlace(m, m.comms[4], {1, 0, 0});
  EXPECT_TRUE(one.member);
  EXPECT_EQ(one.size, 1);
}

TEST(PipelineMesh, BadMemberListsNameTheCommunicator) {
  abi::Model m = pipe::pipeline();
  auto check = [&](const abi::Communicator &c) {
    m.comms = &c;
    m.numComms = 1;
    return dist::checkParallelPlan(m).message();
  };
  EXPECT_CONTAINS(check({"pair", 1, {0}, 2, {0, 2}}),
                  "communicator 0 'pair' lists member 2 of mesh axis 'pp' of "
                  "size 2");
  EXPECT_CONTAINS(check({"pair", 1, {0}, 2, {1, 1}}),
                  "communicator 0 'pair' lists member 1 twice");
  EXPECT_CONTAINS(check({"pair", 2, {0, 1}, 2, {0, 1}}),
                  "communicator 0 'pair' lists members over 2 mesh axes; a "
                  "member list needs exactly one");
  EXPECT_CONTAINS(check({"pair", 1, {0}, 9, {0, 1}}),
                  "communicator 0 'pair' has 9 members (at most 8)");
  EXPECT_CONTAINS(check({"pair", 1, {0}, -1, {}}),
                  "communicator 0 'pair' has -1 members");
  EXPECT_TRUE(check({"pair", 1, {0}, 2, {1, 0}}).empty());
}

TEST(PipelineTables, EachStageGetsItsOwnSlots) {
  const abi::Model &m = pipe::pipeline();
  train::IOSlots io;
  ASSERT_TRUE(train::checkModel(m, &io, 0).isOk());
  EXPECT_NE(io.tokens, nullptr); // stage 0 reads tokens, has no loss
  EXPECT_EQ(io.targets, nullptr);
  EXPECT_EQ(io.loss, nullptr);
  EXPECT_EQ(io.micro->offset, 280);
  ASSERT_TRUE(train::checkModel(m, &io, 1).isOk());
  EXPECT_EQ(io.tokens, nullptr); // stage 1 reads targets, has the loss
  EXPECT_NE(io.targets, nullptr);
  ASSERT_NE(io.loss, nullptr);
  EXPECT_EQ(io.loss->offset, 192);
  EXPECT_EQ(&train::stageModel(m, 1), m.pipelineModels[1]);
  EXPECT_EQ(&train::stageModel(pipe::single(), 0), &pipe::single());
}

TEST(PipelineTables, AnOrderWithoutStagesIsCheckedToo) {
  abi::Model m = pipe::single();
  m.numCheckpointParams = 3; // but no layouts that give the indexes
  train::IOSlots io;
  EXPECT_CONTAINS(train::checkModel(m, &io).message(),
                  "pipeline stage 0 has no parameter layouts");
  m.numCheckpointParams = -1;
  EXPECT_CONTAINS(train::checkModel(m, &io).message(),
                  "numCheckpointParams is -1");
}

TEST(PipelineTables, WithoutStagesTheDataAndLossSlotsAreRequired) {
  abi::Model m = pipe::single();
  const abi::TensorSlot noLoss[] = {m.io[0], m.io[1], m.io[3], m.io[4],
                                    m.io[5], m.io[6], m.io[7]};
  m.io = noLoss;
  m.numIO = 7;
  train::IOSlots io;
  EXPECT_CONTAINS(train::checkModel(m, &io).message(),
                  "no io slot 'loss' (expected f32 [])");
}

// A copy of the program whose stage p is `stage`.
struct Edited {
  abi::Model stages[2];
  const abi::Model *ptrs[2] = {&stages[0], &stages[1]};
  abi::Model program;
  explicit Edited(int32_t p, const abi::Model &stage) {
    for (int32_t q = 0; q < 2; ++q) {
      stages[q] = *pipe::pipeline().pipelineModels[q];
      stages[q].pipelineModels = ptrs;
    }
    stages[p] = stage;
    stages[p].pipelineModels = ptrs;
    program = stages[0];
  }
  std::string check() {
    train::IOSlots io;
    return train::checkModel(program, &io).message();
  }
};

TEST(PipelineTables, BadStageTablesNameTheStage) {
  const abi::Model &m = pipe::pipeline();
  abi::Model s = *m.pipelineModels[1];
  s.pipelineRank = 0;
  EXPECT_CONTAINS(Edited(1, s).check(),
                  "pipeline stage 1's table says pipeline rank 0");
  s = *m.pipelineModels[1];
  s.microBatch = 4;
  EXPECT_CONTAINS(Edited(1, s).check(),
                  "pipeline stage 1 differs from the program in its ABI "
                  "version, target or training shapes");
  s = *m.pipelineModels[1];
  s.numStepFunctions = 1;
  EXPECT_CONTAINS(Edited(1, s).check(),
                  "pipeline stage 1 has 1 step functions, not one per stage");
  s = *m.pipelineModels[0];
  s.numPipelineModels = 3;
  EXPECT_CONTAINS(Edited(0, s).check(),
                  "the program has 3 pipeline stage tables but the mesh has "
                  "pp = 2");
  s = *m.pipelineModels[1];
  s.initParams = nullptr;
  EXPECT_CONTAINS(Edited(1, s).check(), "an entry point is missing");
}

TEST(PipelineTables, BadCheckpointIndexesNameTheParameter) {
  const abi::Model &m = pipe::pipeline();
  abi::Model s = *m.pipelineModels[0];
  s.numCheckpointParams = 0;
  EXPECT_CONTAINS(Edited(0, s).check(),
                  "numCheckpointParams is 0; a program of pipeline stages "
                  "needs the checkpoint order");
  abi::ParamLayout layouts[2] = {m.pipelineModels[1]->paramLayouts[0],
                                 m.pipelineModels[1]->paramLayouts[1]};
  s = *m.pipelineModels[1];
  s.paramLayouts = layouts;
  layouts[1].checkpointIndex = 1; // w_in's
  EXPECT_CONTAINS(Edited(1, s).check(),
                  "parameter 'w_out' of pipeline stage 1 and parameter "
                  "'w_in' of pipeline stage 0 have checkpoint index 1");
  layouts[1].checkpointIndex = 3;
  EXPECT_CONTAINS(Edited(1, s).check(),
                  "parameter 'w_out' of pipeline stage 1 has checkpoint "
                  "index 3 (the file holds 3 tensors)");
  layouts[1].checkpointIndex = -1;
  EXPECT_CONTAINS(Edited(1, s).check(), "no parameter has checkpoint index 2");
  layouts[1].checkpointIndex = 2;
  const abi::TensorSlot renamed[] = {{"b2", 0, 0, abi::DType::F32, 1, {1}},
                                     m.pipelineModels[1]->params[1]};
  s.params = renamed;
  EXPECT_CONTAINS(Edited(1, s).check(),
                  "parameter 'b2' of pipeline stage 1 is a copy (checkpoint "
                  "index -1) but no stage saves a parameter of that name");
  layouts[0].globalShape[0] = 2;
  const abi::TensorSlot params[] = {{"b", 0, 0, abi::DType::F32, 1, {2}},
                                    m.pipelineModels[1]->params[1]};
  s.params = params;
  EXPECT_CONTAINS(Edited(1, s).check(),
                  "parameter 'b' of pipeline stage 1 is a copy of f32 [1] "
                  "but is f32 [2]");
}

class PipelineWeights : public ptc::test::TempDirTest {};

// A file of the single table loads into each stage: its own tensors, the
// tied copy of b from b's tensor; a file without stage 0's w_in fails on
// stage 1 as well (every rank checks the whole file).
TEST_F(PipelineWeights, EachStageLoadsItsTensorsFromAFullFile) {
  std::unique_ptr<train::Device> device = train::createCpuDevice();
  const abi::Model &single = pipe::single();
  train::DeviceArenas singleArenas(*device);
  ASSERT_TRUE(singleArenas.allocate(single).isOk());
  const float b = 0.25f, wIn[2] = {1, 2}, wOut[2] = {3, 4};
  ASSERT_TRUE(singleArenas.write(single.params[0], &b).isOk());
  ASSERT_TRUE(singleArenas.write(single.params[1], wIn).isOk());
  ASSERT_TRUE(singleArenas.write(single.params[2], wOut).isOk());
  ASSERT_TRUE(
      train::saveWeights(path("w.safetensors"), single, singleArenas, 0)
          .isOk());

  const abi::Model &program = pipe::pipeline();
  const abi::Model &last = *program.pipelineModels[1];
  train::DeviceArenas arenas(*device);
  ASSERT_TRUE(arenas.allocate(last).isOk());
  Status s = train::loadWeights(path("w.safetensors"), program, arenas, 1);
  ASSERT_TRUE(s.isOk()) << s.message();
  float gotB = 0, gotW[2] = {0, 0};
  ASSERT_TRUE(arenas.read(last.params[0], &gotB).isOk());
  ASSERT_TRUE(arenas.read(last.params[1], gotW).isOk());
  EXPECT_EQ(gotB, 0.25f);
  EXPECT_EQ(gotW[1], 4.0f);

  ASSERT_TRUE(train::writeSafetensors(path("part.safetensors"),
                               {{"b", abi::DType::F32, {1}, &b},
                                {"w_out", abi::DType::F32, {2}, wOut}},
                               {})
                  .isOk());
  EXPECT_EQ(train::loadWeights(path("part.safetensors"), program, arenas, 1)
                .message(),
            "weights '" + path("part.safetensors") +
                "': missing tensor 'w_in' (F32 [2])");
}

} // namespace
