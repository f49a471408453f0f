//===- StepHostTest.cpp - The runtime's StepHost calls in one process -----===//
//
// RuntimeStepHost (runtime/train/step_host.h) on the two-stage test
// model's tables with a cpu device and no MPI: slot copies, the micro
// index, the loss read with and without judging it, and the messages of
// calls the program gets wrong (a slot, communicator, peer or root that is
// not there). Messages between ranks run in
// test/Integration/dist-runtime/pipeline*.test.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestUtil.h"
#include "dist/PipelineModel.h"

#include "runtime/dist/world.h"
#include "runtime/train/step_host.h"

#include <cmath>
#include <limits>

namespace {

using namespace ptc::rt;
namespace abi = ptc::abi;
namespace pipe = ptc::test::pipe;

// The StepHost's calls (RuntimeStepHost's static functions are private).
abi::StepHost &api(train::RuntimeStepHost &h) { return h; }

// A step host over stage `p`'s arenas (step 3).
struct Stage {
  explicit Stage(int32_t p)
      : model(*pipe::pipeline().pipelineModels[p]),
        device(train::createCpuDevice()), arenas(*device),
        tokens(size_t(pipe::kN)), targets(size_t(pipe::kN)) {
    EXPECT_TRUE(train::checkModel(pipe::pipeline(), &io, p).isOk());
    EXPECT_TRUE(arenas.allocate(model).isOk());
  }
  train::RuntimeStepHost host() {
    return train::RuntimeStepHost({model, io, arenas, data, tokens, targets},
                                  0, 3, 0);
  }
  const abi::Model &model;
  train::IOSlots io;
  std::unique_ptr<train::Device> device;
  train::DeviceArenas arenas;
  TokenLoader data;
  std::vector<int32_t> tokens, targets;
};

TEST(StepHost, CopiesSlotsAndSetsTheMicroBatch) {
  Stage s(0);
  const std::vector<float> junk(size_t(pipe::kN), -2.0f);
  ASSERT_TRUE(s.arenas.write(s.model.io[3], junk.data()).isOk());
  train::RuntimeStepHost h = s.host();
  ASSERT_TRUE(api(h).copy(&h, 1, 3)); // act <- junk
  ASSERT_TRUE(api(h).setMicro(&h, 5));
  std::vector<float> act(size_t(pipe::kN));
  ASSERT_TRUE(s.arenas.read(s.model.io[1], act.data()).isOk());
  EXPECT_EQ(act, junk);
  int64_t micro = 0;
  ASSERT_TRUE(s.arenas.read(*s.io.micro, &micro).isOk());
  EXPECT_EQ(micro, 5);
  EXPECT_TRUE(h.status().isOk());
}

TEST(StepHost, BadSlotsAreNamedAndTheFirstFailureIsKept) {
  Stage s(0);
  train::RuntimeStepHost h = s.host();
  EXPECT_FALSE(api(h).copy(&h, 1, 4)); // act <- lr
  EXPECT_EQ(h.status().message(),
            "copy: io slot 'lr' (f32 []) into 'act' (f32 [16]): the byte "
            "sizes differ");
  EXPECT_FALSE(api(h).send(&h, 1, 1, 99));
  EXPECT_CONTAINS(h.status().message(), "copy: io slot 'lr'");

  train::RuntimeStepHost fresh = s.host();
  EXPECT_FALSE(api(fresh).send(&fresh, 1, 1, 99));
  EXPECT_EQ(fresh.status().message(),
            "send: io slot 99 does not exist (this stage has 9)");
  double loss = 0;
  train::RuntimeStepHost noLoss = s.host();
  EXPECT_FALSE(api(noLoss).peekLoss(&noLoss, &loss));
  EXPECT_CONTAINS(noLoss.status().message(),
                  "reading the loss: this pipeline stage has no 'loss' slot");
}

TEST(StepHost, PeekLossDoesNotJudgeButReadLossDoes) {
  Stage s(1);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  ASSERT_TRUE(s.arenas.write(*s.io.loss, &nan).isOk());
  train::RuntimeStepHost h = s.host();
  double loss = 0;
  EXPECT_TRUE(api(h).peekLoss(&h, &loss));
  EXPECT_TRUE(std::isnan(loss));
  EXPECT_FALSE(api(h).readLoss(&h, 1, &loss));
  EXPECT_EQ(h.status().message(),
            "step 3, micro-batch 1: the loss is nan; training diverged (try "
            "a lower learning rate)");
}

TEST(StepHost, CommunicatorsPeersAndRootsMustExist) {
  Stage s(1);
  dist::World w;
  w.groups = {dist::GroupPlace{0, 0, 1, true},
              dist::GroupPlace{0, 0, 2, false}};
  dist::setWorldForTesting(w);
  auto sendFails = [&](int32_t comm, int32_t peer) {
    train::RuntimeStepHost h = s.host();
    EXPECT_FALSE(api(h).send(&h, comm, peer, 1));
    return h.status().message();
  };
  EXPECT_EQ(sendFails(0, 1), "send: communicator 0: peer 1 is not another "
                             "member of a group of 1 where this rank is "
                             "member 0");
  EXPECT_EQ(sendFails(1, 0),
            "send: communicator 1: this rank (0) is not one of its members");
  EXPECT_EQ(sendFails(7, 0),
            "send: communicator 7 does not exist (the model has 2)");
  train::RuntimeStepHost h = s.host();
  EXPECT_FALSE(api(h).recv(&h, 0, 0, 1));
  EXPECT_CONTAINS(h.status().message(), "recv: communicator 0: peer 0 is not "
                                        "another member");
  // A group of one: its root has the value already.
  train::RuntimeStepHost b = s.host();
  double loss = 1.5;
  EXPECT_TRUE(api(b).broadcastLoss(&b, 0, 0, &loss));
  EXPECT_EQ(loss, 1.5);
  EXPECT_FALSE(api(b).broadcastLoss(&b, 0, 1, &loss));
  EXPECT_EQ(b.status().message(),
            "broadcastLoss: communicator 0: root 1 is not a member of a "
            "group of 1 where this rank is member 0");
  dist::setWorldForTesting(dist::World());
}

} // namespace
