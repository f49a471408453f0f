//===- CheckpointTest.cpp - Checkpoints of the training state -------------===//
//
// The pieces of runtime/train/checkpoint.h on hand-written tables: the
// CRC-32 (zlib's check value), which rank saves which state tensor under
// TP, DP and ZeRO-1, the plan in words, and a save/load round trip on the
// CPU device with keep-last-N pruning and a corrupt tensor refused.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestUtil.h"

#include "runtime/train/checkpoint.h"
#include "runtime/train/crc32.h"

#include <cstring>
#include <filesystem>
#include <fstream>


using namespace ptc::rt;
using namespace ptc::rt::train;

namespace {

TEST(Checkpoint, Crc32IsZlibs) {
  const char *text = "123456789";
  EXPECT_EQ(ptc::rt::detail::crc32(text, 9), 0xCBF43926u);
  // Continuing a CRC over a second piece gives the CRC of the whole.
  EXPECT_EQ(ptc::rt::detail::crc32(text + 4, 5, ptc::rt::detail::crc32(text, 4)),
            0xCBF43926u);
}

// pp=1 x dp=2 x tp=2: `a` split over tp, its moments whole; `b`
// replicated, its moments ZeRO-1 chunks over dp.
const ptc::abi::MeshAxis kMesh[] = {{"pp", 1}, {"dp", 2}, {"tp", 2}};
const ptc::abi::TensorSlot kParams[] = {{"a", 0, 0, ptc::abi::DType::F32, 1, {2}},
                                   {"b", 0, 8, ptc::abi::DType::F32, 1, {4}}};
const ptc::abi::TensorSlot kMoments[] = {{"a.adam", 1, 0, ptc::abi::DType::F32, 1, {2}},
                                    {"b.adam", 1, 8, ptc::abi::DType::F32, 1, {2}}};
const ptc::abi::ParamLayout kLayouts[] = {
    {1, {4}, 2, 0, 1, {4}, 0, 0, -1, 0, 0},
    {1, {4}, -1, -1, 0, {}, 0, 0, 1, 0, 2},
};

ptc::abi::Model table() {
  ptc::abi::Model m{};
  m.name = "two";
  m.numParams = 2;
  m.params = kParams;
  m.adamM = kMoments;
  m.adamV = kMoments;
  m.numMeshAxes = 3;
  m.mesh = kMesh;
  m.paramLayouts = kLayouts;
  return m;
}

TEST(Checkpoint, EachTensorHasOneWriter) {
  const ptc::abi::Model m = table();
  // Rank 3 = (pp 0, dp 1, tp 1).
  std::vector<std::string> got;
  for (const StateTensor &t : stateTensors(m, 0, {0, 1, 1}))
    got.push_back(t.name + "." + t.kind + "@" + std::to_string(t.writer));
  // a: its tp piece, written by (dp 0, tp 1) = rank 1, moments too; b's
  // master by rank 0; b's moment chunks by (dp 1, tp 0) = rank 2.
  EXPECT_EQ(got, (std::vector<std::string>{"a.param@1", "a.adam_m@1",
                                           "a.adam_v@1", "b.param@0",
                                           "b.adam_m@2", "b.adam_v@2"}));
  EXPECT_EQ(describePlan(m), "pp=1 x dp=2 x tp=2, ZeRO-1");
  // A single process writes everything itself.
  for (const StateTensor &t : stateTensors(m, 0, {}))
    EXPECT_EQ(t.writer, 0);
}

const ptc::abi::Arena kArenas[] = {{"parameters", ptc::abi::ArenaKind::Parameters, 24},
                              {"moments", ptc::abi::ArenaKind::OptimizerState, 16}};
const ptc::abi::TensorSlot kOneParams[] = {{"w", 0, 0, ptc::abi::DType::F32, 1, {4}}};
const ptc::abi::TensorSlot kOneM[] = {{"w.adam_m", 1, 0, ptc::abi::DType::F32, 1, {2}}};
const ptc::abi::TensorSlot kOneV[] = {{"w.adam_v", 1, 8, ptc::abi::DType::F32, 1, {2}}};

ptc::abi::Model single() {
  ptc::abi::Model m{};
  m.abiVersion = ptc::abi::kVersion;
  m.name = "one";
  m.numArenas = 2;
  m.arenas = kArenas;
  m.numParams = 1;
  m.params = kOneParams;
  m.adamM = kOneM;
  m.adamV = kOneV;
  m.settings = "ptc.model = #graph.model<one>\n";
  return m;
}

class CheckpointFiles : public ptc::test::TempDirTest {};

TEST_F(CheckpointFiles, RoundTripPruneAndCorruption) {
  const ptc::abi::Model m = single();
  std::unique_ptr<Device> device = createCpuDevice();
  DeviceArenas arenas(*device);
  ASSERT_TRUE(arenas.allocate(m));
  const float w[4] = {1, 2, 3, 4}, mo[2] = {5, 6}, v[2] = {7, 8};
  ASSERT_TRUE(arenas.write(kOneParams[0], w));
  ASSERT_TRUE(arenas.write(kOneM[0], mo));
  ASSERT_TRUE(arenas.write(kOneV[0], v));
  const std::string dir = path("ckpt");
  for (int64_t step = 1; step <= 3; ++step) {
    TrainingState state;
    state.step = step;
    state.samples = 8 * step;
    state.dataPosition = 8 * step + 1;
    state.seed = 99;
    SaveInfo info;
    ASSERT_TRUE(saveCheckpoint(dir, m, m, 0, arenas, state, 2, &info));
    EXPECT_EQ(info.path, checkpointPath(dir, step));
    EXPECT_EQ(info.bytes, 32);
  }
  // keep 2: step 1 is gone, 2 and 3 remain; auto picks 3.
  EXPECT_FALSE(std::filesystem::exists(checkpointPath(dir, 1)));
  EXPECT_TRUE(std::filesystem::exists(checkpointPath(dir, 2)));
  std::string latest;
  ASSERT_TRUE(findLatestCheckpoint(dir, &latest));
  EXPECT_EQ(latest, checkpointPath(dir, 3));

  DeviceArenas fresh(*device);
  ASSERT_TRUE(fresh.allocate(m));
  Manifest manifest;
  ASSERT_TRUE(readManifest(latest, m, m, 0, {}, &manifest));
  EXPECT_EQ(manifest.state.step, 3);
  EXPECT_EQ(manifest.state.samples, 24);
  EXPECT_EQ(manifest.state.dataPosition, 25u);
  EXPECT_EQ(manifest.state.seed, 99u);
  ASSERT_TRUE(loadCheckpoint(manifest, m, 0, {}, fresh));
  float back[4] = {}, backV[2] = {};
  ASSERT_TRUE(fresh.read(kOneParams[0], back));
  ASSERT_TRUE(fresh.read(kOneV[0], backV));
  EXPECT_EQ(std::memcmp(back, w, sizeof w), 0);
  EXPECT_EQ(std::memcmp(backV, v, sizeof v), 0);

  // One flipped byte of the second moment (the file's last 8 bytes).
  const std::string file = latest + "/rank_00000.bin";
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(28);
    f.put(char(0x55));
  }
  Status s = loadCheckpoint(manifest, m, 0, {}, fresh);
  ASSERT_FALSE(s);
  EXPECT_CONTAINS(s.message(), "checkpoint file '" + file +
                                   "': adam_v of 'w' fails its CRC-32 check");
}

} // namespace
