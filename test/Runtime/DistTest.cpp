//===- DistTest.cpp - The parallel runtime's arithmetic, without MPI ------===//
//
// Shard index math against a direct construction, the launcher variables,
// mesh coordinates and communicator colors/keys, the world-size messages,
// the checks of a table's parallel plan, and the single-rank behaviour of
// the collectives (MPI never starts). The multi-process side runs under
// mpirun in test/Integration/dist-runtime.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestUtil.h"
#include "dist/TpDpModel.h"

#include "runtime/cpu/kernels.h"
#include "runtime/dist/adjacent_runs.h"
#include "runtime/dist/launcher.h"
#include "runtime/dist/mesh.h"
#include "runtime/dist/world.h"
#include "runtime/train/flags.h"
#include "runtime/train/safetensors.h"
#include "runtime/train/weights.h"

#include <map>
#include <numeric>

namespace {

using namespace ptc::rt::dist;
namespace abi = ptc::abi;
namespace tpdp = ptc::test::tpdp;

//===--- Shard index math ------------------------------------------------===//

// Part `part` of `full` ([outer, G, inner]) built segment by segment.
std::vector<int> directSlice(const std::vector<int> &full, int64_t outer,
                             int64_t inner, const SegmentSplit &split,
                             int64_t part) {
  std::vector<int> out;
  const int64_t G = split.globalDim();
  for (int64_t b = 0; b < outer; ++b) {
    int64_t start = 0;
    for (int64_t k = 0; k < split.numSegments; ++k) {
      const int64_t piece = split.segments[k] / split.parts;
      for (int64_t j = 0; j < piece; ++j)
        for (int64_t i = 0; i < inner; ++i)
          out.push_back(
              full[size_t((b * G + start + part * piece + j) * inner + i)]);
      start += split.segments[k];
    }
  }
  return out;
}

TEST(ShardIndex, SliceMatchesSegmentBySegmentAndUnsliceInvertsIt) {
  const std::vector<SegmentSplit> splits = {
      makeSplit(1, 1, 5, 0, 0, 0), makeSplit(2, 1, 6, 0, 0, 0),
      makeSplit(2, 3, 4, 4, 4, 0), makeSplit(4, 2, 8, 4, 0, 0),
      makeSplit(3, 4, 3, 6, 9, 3)};
  for (const SegmentSplit &split : splits)
    for (int64_t outer : {1, 3})
      for (int64_t inner : {1, 5}) {
        ASSERT_TRUE(isValidSplit(split));
        const int64_t G = split.globalDim(), L = split.localDim();
        std::vector<int> full(size_t(outer * G * inner));
        std::iota(full.begin(), full.end(), 0);
        std::vector<int> gathered;
        for (int64_t part = 0; part < split.parts; ++part) {
          std::vector<int> piece(size_t(outer * L * inner), -1);
          ptc::rt::cpu::shard_slice_part(piece.data(), full.data(), outer,
                                         inner, split, part);
          EXPECT_EQ(piece, directSlice(full, outer, inner, split, part))
              << "parts " << split.parts << " segments " << split.numSegments
              << " part " << part;
          gathered.insert(gathered.end(), piece.begin(), piece.end());
        }
        std::vector<int> back(full.size(), -1);
        ptc::rt::cpu::shard_unslice(back.data(), gathered.data(), outer, inner,
                                    split);
        EXPECT_EQ(back, full);
      }
}

TEST(ShardIndex, ToGlobalAndToLocalAreInverse) {
  const SegmentSplit split = makeSplit(2, 3, 4, 2, 6, 0);
  for (int64_t g = 0; g < split.globalDim(); ++g) {
    int64_t part = -1, local = -1;
    split.toLocal(g, &part, &local);
    EXPECT_EQ(split.toGlobal(part, local), g);
  }
  // Part 1 of segments [4, 2, 6]: entries 2-3, 5, 9-11.
  std::vector<int64_t> got;
  for (int64_t j = 0; j < split.localDim(); ++j)
    got.push_back(split.toGlobal(1, j));
  EXPECT_EQ(got, (std::vector<int64_t>{2, 3, 5, 9, 10, 11}));
}

TEST(ShardIndex, InvalidSplits) {
  EXPECT_FALSE(isValidSplit(makeSplit(2, 1, 5, 0, 0, 0))); // 5 % 2
  EXPECT_FALSE(isValidSplit(makeSplit(2, 2, 4, 3, 0, 0))); // 3 % 2
  EXPECT_FALSE(isValidSplit(makeSplit(0, 1, 4, 0, 0, 0))); // no parts
  EXPECT_FALSE(isValidSplit(makeSplit(1, 5, 1, 1, 1, 1))); // > 4 segments
  EXPECT_FALSE(isValidSplit(makeSplit(1, 2, 4, 0, 0, 0))); // empty segment
}

TEST(ShardIndex, KernelsUseThisRanksMeshCoordinate) {
  World w;
  w.size = 4;
  w.rank = 3;
  w.coords = {0, 1, 1};
  setWorldForTesting(w);
  EXPECT_EQ(ptc::kernels::mesh_coordinate(1), 1);
  std::vector<float> full(12), piece(6);
  std::iota(full.begin(), full.end(), 0.0f);
  // [1, 12, 1] in segments [8, 4] over 2 parts; coordinate 1 on axis 2.
  ptc::kernels::shard_slice(piece.data(), full.data(), 1, 12, 1, 2, 2, 2, 8, 4,
                            0, 0);
  EXPECT_EQ(piece, (std::vector<float>{4, 5, 6, 7, 10, 11}));
  setWorldForTesting(World());
  EXPECT_EQ(ptc::kernels::mesh_coordinate(2), 0); // a single rank
}

//===--- Launcher variables ----------------------------------------------===//

LaunchEnv readEnv(const std::map<std::string, std::string> &vars,
                  ptc::rt::Status *status = nullptr) {
  LaunchEnv env;
  ptc::rt::Status s = readLaunchEnv(
      [&](const char *name) -> const char * {
        auto it = vars.find(name);
        return it == vars.end() ? nullptr : it->second.c_str();
      },
      &env);
  if (status)
    *status = s;
  else
    EXPECT_TRUE(s.isOk()) << s.message();
  return env;
}

TEST(Launcher, EveryLauncherAndNone) {
  LaunchEnv e = readEnv({});
  EXPECT_FALSE(e.launched());
  EXPECT_EQ(e.size, 1);
  e = readEnv({{"OMPI_COMM_WORLD_RANK", "3"},
               {"OMPI_COMM_WORLD_SIZE", "8"},
               {"OMPI_COMM_WORLD_LOCAL_RANK", "1"}});
  EXPECT_EQ(e.launcher, "mpirun");
  EXPECT_EQ(e.rank, 3);
  EXPECT_EQ(e.size, 8);
  EXPECT_EQ(e.localRank, 1);
  e = readEnv({{"SLURM_PROCID", "5"},
               {"SLURM_NTASKS", "16"},
               {"SLURM_LOCALID", "5"},
               {"SLURM_STEP_ID", "0"}});
  EXPECT_EQ(e.launcher, "srun");
  EXPECT_EQ(e.rank, 5);
  EXPECT_EQ(e.size, 16);
  EXPECT_EQ(e.localRank, 5);
  // srun -n 4 inside an allocation of 16 tasks: the step's size counts.
  e = readEnv({{"SLURM_PROCID", "1"},
               {"SLURM_NTASKS", "16"},
               {"SLURM_STEP_NUM_TASKS", "4"},
               {"SLURM_STEP_ID", "2"}});
  EXPECT_EQ(e.size, 4);
  e = readEnv({{"PMI_RANK", "2"}, {"PMI_SIZE", "4"}, {"MPI_LOCALRANKID", "0"}});
  EXPECT_EQ(e.launcher, "PMI");
  EXPECT_EQ(e.size, 4);
  e = readEnv({{"RANK", "1"}, {"WORLD_SIZE", "2"}});
  EXPECT_EQ(e.launcher, "torchrun");
  EXPECT_EQ(e.localRank, 0); // no LOCAL_RANK: 0
}

TEST(Launcher, ABatchScriptIsNotAnSrunTask) {
  // sbatch -n 8 runs its script once, with the allocation's variables.
  LaunchEnv e = readEnv({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "8"}});
  EXPECT_FALSE(e.launched());
  EXPECT_EQ(e.size, 1);
  // RANK alone (a generic name) is not a torchrun job either.
  e = readEnv({{"RANK", "3"}});
  EXPECT_FALSE(e.launched());
}

TEST(Launcher, OpenMpiWinsOverAnOuterSlurmJob) {
  LaunchEnv e = readEnv({{"SLURM_PROCID", "0"},
                         {"SLURM_NTASKS", "1"},
                         {"OMPI_COMM_WORLD_RANK", "2"},
                         {"OMPI_COMM_WORLD_SIZE", "4"}});
  EXPECT_EQ(e.launcher, "mpirun");
  EXPECT_EQ(e.rank, 2);
}

TEST(Launcher, BadVariablesNameThemselves) {
  ptc::rt::Status s;
  readEnv({{"RANK", "x"}, {"WORLD_SIZE", "2"}}, &s);
  EXPECT_CONTAINS(s.message(),
                  "the launcher variable RANK=\"x\" is not a non-negative "
                  "integer");
  readEnv({{"PMI_RANK", "4"}, {"PMI_SIZE", "4"}}, &s);
  EXPECT_CONTAINS(s.message(), "PMI_RANK=4 is not below PMI_SIZE=4");
  readEnv({{"OMPI_COMM_WORLD_RANK", "0"}}, &s);
  EXPECT_CONTAINS(s.message(), "the launcher sets OMPI_COMM_WORLD_RANK but "
                               "not OMPI_COMM_WORLD_SIZE");
  readEnv(
      {{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "0"}, {"SLURM_STEP_ID", "0"}},
      &s);
  EXPECT_CONTAINS(s.message(), "SLURM_NTASKS=0");
  readEnv({{"OMPI_COMM_WORLD_RANK", "0"},
           {"OMPI_COMM_WORLD_SIZE", "2"},
           {"OMPI_COMM_WORLD_LOCAL_RANK", "-1"}},
          &s);
  EXPECT_CONTAINS(s.message(), "OMPI_COMM_WORLD_LOCAL_RANK=\"-1\"");
}

//===--- Mesh coordinates and groups -------------------------------------===//

TEST(Mesh, CoordinatesAreRowMajorLastFastest) {
  const abi::Model m = tpdp::table(true); // [pp=1, dp=2, tp=2]
  EXPECT_EQ(meshWorldSize(m), 4);
  EXPECT_EQ(describeMesh(m), "pp=1 x dp=2 x tp=2");
  EXPECT_EQ(meshCoordinates(m, 1), (std::vector<int64_t>{0, 0, 1}));
  EXPECT_EQ(meshCoordinates(m, 2), (std::vector<int64_t>{0, 1, 0}));
  for (int64_t r = 0; r < 4; ++r)
    EXPECT_EQ(meshRank(m, meshCoordinates(m, r)), r);
  EXPECT_EQ(findMeshAxis(m, "dp"), 1);
  EXPECT_EQ(findMeshAxis(m, "cp"), -1);
  abi::Model none = m;
  none.numMeshAxes = 0;
  EXPECT_EQ(meshWorldSize(none), 1);
  EXPECT_EQ(describeMesh(none), "a single process");
}

TEST(Mesh, ColorsAndKeysOfEveryCommunicator) {
  // [pp=2, dp=3, tp=2]: 12 ranks.
  const abi::MeshAxis mesh[] = {{"pp", 2}, {"dp", 3}, {"tp", 2}};
  abi::Model m = tpdp::table(true);
  m.mesh = mesh;
  const abi::Communicator tp{"tp", 1, {2}, 0, {}}, dp{"dp", 1, {1}, 0, {}},
      dptp{"dp_tp", 2, {1, 2}, 0, {}}, tpdpOrder{"tp_dp", 2, {2, 1}, 0, {}};
  const std::vector<int64_t> c = meshCoordinates(m, 9); // pp 1, dp 1, tp 1
  EXPECT_EQ(c, (std::vector<int64_t>{1, 1, 1}));
  GroupPlace p = groupPlace(m, tp, c);
  EXPECT_EQ(p.color, 1 * 3 + 1); // (pp, dp) row-major
  EXPECT_EQ(p.key, 1);
  EXPECT_EQ(p.size, 2);
  p = groupPlace(m, dp, c);
  EXPECT_EQ(p.color, 1 * 2 + 1); // (pp, tp)
  EXPECT_EQ(p.key, 1);
  EXPECT_EQ(p.size, 3);
  p = groupPlace(m, dptp, c);
  EXPECT_EQ(p.color, 1);
  EXPECT_EQ(p.key, 1 * 2 + 1);
  EXPECT_EQ(p.size, 6);
  p = groupPlace(m, tpdpOrder, c); // axes listed tp first: tp is slower
  EXPECT_EQ(p.key, 1 * 3 + 1);
  // Members in key order, and every rank of a group agrees on its color.
  for (int64_t j = 0; j < 6; ++j) {
    const int64_t r = groupMemberRank(m, dptp, c, j);
    const GroupPlace q = groupPlace(m, dptp, meshCoordinates(m, r));
    EXPECT_EQ(q.key, j);
    EXPECT_EQ(q.color, 1);
  }
  EXPECT_EQ(groupMemberRank(m, dp, c, 0), 7);  // (1, 0, 1)
  EXPECT_EQ(groupMemberRank(m, dp, c, 2), 11); // (1, 2, 1)
}

//===--- World size
//--------------------------------------------------------===//

TEST(WorldSize, MismatchSaysWhatToRun) {
  const abi::Model m = tpdp::table(true);
  LaunchEnv env;
  env.launcher = "mpirun";
  env.size = 2;
  EXPECT_EQ(checkWorldSize(m, env).message(),
            "this program was compiled for 4 ranks (pp=1 x dp=2 x tp=2) but "
            "was launched with 2; run it with mpirun -np 4 (or srun -n 4)");
  EXPECT_EQ(checkWorldSize(m, LaunchEnv()).message(),
            "this program was compiled for 4 ranks (pp=1 x dp=2 x tp=2) but "
            "was started without a launcher; run it with mpirun -np 4 (or "
            "srun -n 4)");
  env.size = 4;
  EXPECT_TRUE(checkWorldSize(m, env).isOk());
  // One rank compiled, several launched.
  const abi::Model single = tpdp::table(false);
  EXPECT_EQ(checkWorldSize(single, env).message(),
            "this program was compiled for 1 rank (pp=1 x dp=1 x tp=1) but "
            "was launched with 4; run it without a launcher (or with mpirun "
            "-np 1)");
  EXPECT_TRUE(checkWorldSize(single, LaunchEnv()).isOk());
}

TEST(WorldSize, SingleRankStartsNoMpiAndCollectivesAreLocal) {
  const abi::Model single = tpdp::table(false);
  ASSERT_TRUE(startWorld(single, LaunchEnv()).isOk());
  EXPECT_FALSE(world().mpi);
  EXPECT_EQ(world().groups.size(), 4u);
  EXPECT_EQ(ptc::kernels::mesh_coordinate(2), 0);
  std::vector<float> buf = {1, 2, 3};
  ptc::kernels::all_reduce(buf.data(), 3, 0, 3);
  EXPECT_EQ(buf, (std::vector<float>{1, 2, 3}));
  std::vector<double> in = {4, 5}, out(2);
  ptc::kernels::all_gather(out.data(), in.data(), 2, 3);
  EXPECT_EQ(out, in);
  ptc::kernels::reduce_scatter(out.data(), in.data(), 2, 1, 0);
  EXPECT_EQ(out, in);
  std::vector<int32_t> ints = {7};
  ptc::kernels::broadcast(ints.data(), 1, 2, 0);
  EXPECT_EQ(ints[0], 7);
  finishWorld(); // nothing to finalize
  setWorldForTesting(World());
}

//===--- The parallel plan of a table
//--------------------------------------===//

TEST(ParallelPlan, TablesOfTheTestModelAreValid) {
  EXPECT_TRUE(checkParallelPlan(tpdp::table(true)).isOk());
  EXPECT_TRUE(checkParallelPlan(tpdp::table(false)).isOk());
}

TEST(ParallelPlan, BadTablesNameTheAxisCommunicatorOrParameter) {
  abi::Model m = tpdp::table(true);
  const abi::MeshAxis zero[] = {{"pp", 1}, {"dp", 0}, {"tp", 2}};
  m.mesh = zero;
  EXPECT_CONTAINS(checkParallelPlan(m).message(),
                  "mesh axis 1 has no name or a size below 1");

  m = tpdp::table(true);
  const abi::Communicator comms[] = {{"bad", 2, {2, 2}, 0, {}}};
  m.comms = comms;
  m.numComms = 1;
  EXPECT_CONTAINS(checkParallelPlan(m).message(),
                  "communicator 0 'bad' lists mesh axis 2 twice");
  const abi::Communicator far[] = {{"far", 1, {5}, 0, {}}};
  m.comms = far;
  EXPECT_CONTAINS(checkParallelPlan(m).message(),
                  "communicator 0 'far' names mesh axis 5");

  m = tpdp::table(true);
  const abi::ParamLayout uneven[] = {
      {1, {2}, 2, 0, 1, {2}, 0, 0, -1, 0, 0},
      {2, {3, 4}, 2, 1, 2, {3, 1}, 0, 0, -1, 1, 0}}; // 3 % 2
  m.paramLayouts = uneven;
  EXPECT_CONTAINS(checkParallelPlan(m).message(),
                  "the layout of parameter 'qkv' has segments that do not "
                  "tile dimension 1 of [3, 4] evenly over 2 parts");
  const abi::ParamLayout wrongLocal[] = {
      {1, {4}, 2, 0, 1, {4}, 0, 0, -1, 0, 0}, {2, {3, 4}, 2, 1, 2, {2, 2}, 0, 0, -1, 0, 0}}; // w [1] != [2]
  m.paramLayouts = wrongLocal;
  EXPECT_CONTAINS(checkParallelPlan(m).message(),
                  "the layout of parameter 'w' gives a local shape [2], the "
                  "parameter is [1]");
  const abi::ParamLayout replicated[] = {{1, {2}, -1, 0, 0, {}, 0, 0, -1, 0, 0},
                                         {2, {3, 4}, 2, 1, 2, {2, 2}, 0, 0, -1, 0, 0}};
  m.paramLayouts = replicated; // replicated, but the local w is [1]
  EXPECT_CONTAINS(checkParallelPlan(m).message(),
                  "the layout of parameter 'w' gives a local shape [2]");
}

TEST(ParallelPlan, ZeroChunkLayoutsMatchTheirSlots) {
  // qkv [3, 4] split over tp (axis 2, 2 parts: [3, 2] per rank, 6 elements)
  // kept as ZeRO-1 chunks of 3 over dp (axis 1, 2 ranks).
  abi::Model m = tpdp::table(true);
  const abi::TensorSlot chunked[] = {m.params[0],
                                     {"qkv", 0, 0, abi::DType::F32, 1, {3}}};
  const abi::ParamLayout layouts[] = {
      tpdp::kLayouts[0], {2, {3, 4}, 2, 1, 2, {2, 2}, 0, 3, 1, 0, 0}};
  m.params = chunked;
  m.paramLayouts = layouts;
  EXPECT_TRUE(checkParallelPlan(m).isOk()) << checkParallelPlan(m).message();
  EXPECT_EQ(ptc::rt::dist::rankParamShape(m, 1), (std::vector<int64_t>{3, 2}));

  const abi::ParamLayout wrongChunk[] = {
      tpdp::kLayouts[0], {2, {3, 4}, 2, 1, 2, {2, 2}, 0, 4, 1, 0, 0}};
  m.paramLayouts = wrongChunk; // the slot holds 3, not 4
  EXPECT_CONTAINS(checkParallelPlan(m).message(),
                  "the layout of parameter 'qkv' keeps a ZeRO-1 chunk of 4 "
                  "elements over mesh axis 1, the parameter is [3]");
  const abi::TensorSlot bigChunk[] = {m.params[0],
                                      {"qkv", 0, 0, abi::DType::F32, 1, {4}}};
  m.params = bigChunk; // 6 elements over 2 ranks are chunks of 3
  EXPECT_CONTAINS(checkParallelPlan(m).message(),
                  "the layout of parameter 'qkv' keeps chunks of 4 elements "
                  "of a local [3, 2] over 2 ranks");
  const abi::ParamLayout badAxis[] = {
      tpdp::kLayouts[0], {2, {3, 4}, 2, 1, 2, {2, 2}, 0, 4, 7, 0, 0}};
  m.paramLayouts = badAxis;
  EXPECT_CONTAINS(checkParallelPlan(m).message(),
                  "keeps a ZeRO-1 chunk of 4 elements over mesh axis 7");
}

TEST(ParallelPlan, CommTimeoutFlag) {
  const abi::Model m = tpdp::table(true);
  ptc::rt::train::Flags flags;
  ASSERT_TRUE(ptc::rt::train::parseFlags(
                  m, {"--data", "x", "--comm-timeout", "0"}, &flags)
                  .isOk());
  EXPECT_EQ(flags.commTimeout, 0);
  ASSERT_TRUE(ptc::rt::train::parseFlags(m, {"--data", "x"}, &flags).isOk());
  EXPECT_EQ(flags.commTimeout, 600);
  EXPECT_EQ(ptc::rt::train::parseFlags(m, {"--data", "x", "--comm-timeout=-1"},
                                       &flags)
                .message(),
            "--comm-timeout: expected a non-negative number, got \"-1\"");
}

//===--- Checkpoints of split parameters ---------------------------------===//

class ShardedWeights : public ptc::test::TempDirTest {};

TEST_F(ShardedWeights, EachRankLoadsItsPieceOfTheFullTensors) {
  using namespace ptc::rt::train;
  const std::vector<float> w = {10, 20};
  std::vector<float> qkv(12);
  std::iota(qkv.begin(), qkv.end(), 0.0f);
  ASSERT_TRUE(writeSafetensors(path("full.safetensors"),
                               {{"w", abi::DType::F32, {2}, w.data()},
                                {"qkv", abi::DType::F32, {3, 4}, qkv.data()}},
                               {})
                  .isOk());
  const abi::Model m = tpdp::table(true);
  World place;
  place.size = 4;
  place.rank = 1;
  place.coords = {0, 0, 1}; // tp coordinate 1
  setWorldForTesting(place);
  std::unique_ptr<Device> device = createCpuDevice();
  DeviceArenas arenas(*device);
  ASSERT_TRUE(arenas.allocate(m).isOk());
  ptc::rt::Status s = loadWeights(path("full.safetensors"), m, arenas);
  ASSERT_TRUE(s.isOk()) << s.message();
  std::vector<float> gotW(1), gotQkv(6);
  ASSERT_TRUE(arenas.read(m.params[0], gotW.data()).isOk());
  ASSERT_TRUE(arenas.read(m.params[1], gotQkv.data()).isOk());
  EXPECT_EQ(gotW, (std::vector<float>{20}));
  // Rows of [3, 4], segments [2, 2]: column 1 of each, then column 3.
  EXPECT_EQ(gotQkv, (std::vector<float>{1, 3, 5, 7, 9, 11}));

  // A file with the local shape instead of the full one is named.
  ASSERT_TRUE(writeSafetensors(path("local.safetensors"),
                               {{"w", abi::DType::F32, {1}, w.data()},
                                {"qkv", abi::DType::F32, {3, 2}, qkv.data()}},
                               {})
                  .isOk());
  EXPECT_EQ(loadWeights(path("local.safetensors"), m, arenas).message(),
            "weights '" + path("local.safetensors") +
                "': tensor 'w' is F32 [1], the model's parameter is F32 [2]");
  setWorldForTesting(World());
}

} // namespace

namespace {
struct FakeReduce {
  char *buf;
  size_t count;
  size_t width;
  int comm;
};
} // namespace

TEST(AdjacentRuns, MergesBackToBackBuffersOfOneKindInOrder) {
  // Floats: [0, 8) [8, 24) adjacent; a gap before 32; [32, 40) on another
  // communicator; [40, 44) on the first again, adjacent in memory to the
  // previous request but not of its kind.
  std::vector<float> memory(64);
  char *base = reinterpret_cast<char *>(memory.data());
  auto at = [&](size_t element) { return base + element * sizeof(float); };
  std::vector<FakeReduce> requests = {{at(0), 8, 4, 0},  {at(8), 16, 4, 0},
                                      {at(28), 4, 4, 0}, {at(32), 8, 4, 1},
                                      {at(40), 4, 4, 0}};
  std::vector<std::pair<size_t, size_t>> issued; // (first element, count)
  ptc::rt::dist::forEachAdjacentRun(
      requests,
      [](const FakeReduce &a, const FakeReduce &b) { return a.comm == b.comm; },
      [&](const FakeReduce &run) {
        issued.push_back(
            {size_t(run.buf - base) / sizeof(float), run.count});
      });
  const std::vector<std::pair<size_t, size_t>> want = {
      {0, 24}, {28, 4}, {32, 8}, {40, 4}};
  EXPECT_EQ(issued, want);
  issued.clear();
  ptc::rt::dist::forEachAdjacentRun(
      std::vector<FakeReduce>{}, [](auto &, auto &) { return true; },
      [&](const FakeReduce &run) { issued.push_back({0, run.count}); });
  EXPECT_TRUE(issued.empty());
}
