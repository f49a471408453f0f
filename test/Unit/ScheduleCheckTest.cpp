//===- ScheduleCheckTest.cpp - The checker, the text form, the pictures ---===//
//
// The checker rejects broken lists with one line naming the rank, the
// action and the reason: a swapped send/receive pair (deadlock), sends and
// receives in another order on the two ends, a missing backward, a backward
// before its forward, a send that never comes. The shared communication
// step, the text form's round trip and the trace are checked too.
//
//===----------------------------------------------------------------------===//

#include "passes/Dist/Schedule/Build.h"
#include "passes/Dist/Schedule/Picture.h"
#include "passes/Dist/Schedule/TextFormat.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

using namespace ptc::schedule;

namespace {

/// Parses `text` (pp, micro-batches, virtual stages given), completing
/// compute-only lists, and returns the checker's line or "ok".
std::string checked(const std::string &text, int pp, int micro, int v = 1) {
  Schedule s;
  if (auto error = parseSchedule(text, {"file", pp, v, micro}, s))
    return error->format("f");
  if (isComputeOnly(s))
    s = insertCommunication(s);
  auto error = check(s);
  return error ? error->format("f") : "ok";
}

std::string printed(const Schedule &s) {
  std::ostringstream os;
  printSchedule(s, os);
  return os.str();
}

Schedule complete(const std::string &kind, int pp, int micro, int v = 1) {
  Schedule s;
  EXPECT_FALSE(generate({kind, pp, v, micro}, s));
  return insertCommunication(s);
}

// The 1F1B lists of pp = 2, 2 micro-batches, as insertCommunication makes
// them: rank 1 posts RA0.1 before SG0.0 because rank 0 sends SA0.1 first.
constexpr const char *kOneFOneB =
    "rank 0: L0 F0.0 SA0.0>1 L1 F0.1 SA0.1>1 RG0.0<1 B0.0 RG0.1<1 B0.1 DP0 "
    "OPT\n"
    "rank 1: L0 RA0.0<0 F0.0 RA0.1<0 B0.0 SG0.0>0 L1 F0.1 B0.1 SG0.1>0 DP0 "
    "OPT\n";

TEST(ScheduleCheck, InsertCommunicationMatchesThePairOrder) {
  EXPECT_EQ(printed(complete("1f1b", 2, 2)), kOneFOneB);
  EXPECT_EQ(checked(kOneFOneB, 2, 2), "ok");
  // pp = 1: load, forward, backward per micro-batch; reduce; step.
  EXPECT_EQ(printed(complete("1f1b", 1, 3)),
            "rank 0: L0 F0.0 B0.0 L1 F0.1 B0.1 L2 F0.2 B0.2 DP0 OPT\n");
}

TEST(ScheduleCheck, BuildScheduleGeneratesCompletesAndChecks) {
  Schedule s;
  ASSERT_FALSE(buildSchedule({"zero_bubble", 3, 1, 4}, "", {true}, s));
  EXPECT_EQ(s.ranks[0].back().kind, ActionKind::OptimizerStep);
  EXPECT_EQ(s.ranks[2][s.ranks[2].size() - 2].kind,
            ActionKind::SyncTiedGradients);
  auto error = buildSchedule({"file", 2, 1, 2}, "/nonexistent/s.txt", {}, s);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->format("/nonexistent/s.txt"),
            "/nonexistent/s.txt: cannot open: No such file or directory");
  error = buildSchedule({"interleaved_1f1b", 2, 2, 3}, "", {}, s);
  ASSERT_TRUE(error);
  EXPECT_NE(error->message.find("multiple of pp"), std::string::npos);
}

TEST(ScheduleCheck, SendsFollowTheirProducers) {
  for (const char *kind : {"gpipe", "1f1b", "zero_bubble"}) {
    Schedule s = complete(kind, 4, 8);
    for (const auto &list : s.ranks)
      for (size_t i = 1; i < list.size(); ++i)
        if (isSend(list[i].kind)) {
          EXPECT_TRUE(isCompute(list[i - 1].kind)) << kind;
          EXPECT_EQ(list[i - 1].micro, list[i].micro) << kind;
        }
  }
}

TEST(ScheduleCheck, RejectsASwappedSendRecvPair) {
  // Rank 1 sends SG0.0 before receiving RA0.1: the second operation between
  // the two ranks is a send on both ends, which NCCL never completes.
  std::string text = kOneFOneB;
  text.replace(text.find("RA0.1<0 B0.0 SG0.0>0"), 20, "B0.0 SG0.0>0 RA0.1<0");
  EXPECT_EQ(checked(text, 2, 2),
            "f: rank 1, action 5 (SG0.0>0): deadlock: operation 2 between "
            "ranks 0 and 1 is a send on both ends (rank 0's is action 6 "
            "(SA0.1>1)): nothing receives");
}

TEST(ScheduleCheck, RejectsAMismatchedOrder) {
  std::string text = kOneFOneB;
  text.replace(text.find("RG0.0<1 B0.0 RG0.1<1"), 20, "RG0.1<1 RG0.0<1 B0.0");
  EXPECT_EQ(checked(text, 2, 2),
            "f: rank 1, action 6 (SG0.0>0): operation 3 between ranks 0 and 1 "
            "is another message on the other end (rank 0's is action 7 "
            "(RG0.1<1)): both ranks must post their sends and receives in "
            "the same order");
}

TEST(ScheduleCheck, RejectsAMissingBackward) {
  EXPECT_EQ(checked("rank 0: F0.0 F0.1 B0.0 B0.1\n"
                    "rank 1: F0.0 B0.0 F0.1\n",
                    2, 2),
            "f: rank 1: chunk 0 has no backward of micro-batch 1 (B0.1, or "
            "I0.1 and W0.1)");
  EXPECT_EQ(checked("rank 0: F0.0 I0.0\n", 1, 1),
            "f: rank 0: chunk 0 has no weight gradient of micro-batch 0 "
            "(W0.0)");
}

TEST(ScheduleCheck, RejectsABackwardBeforeItsForward) {
  EXPECT_EQ(checked("rank 0: F0.0 F0.1 B0.0 B0.1\n"
                    "rank 1: B0.0 F0.0 F0.1 B0.1\n",
                    2, 2),
            "f: rank 1, action 3 (B0.0): backward before its forward F0.0");
  EXPECT_EQ(checked("rank 0: F0.0 W0.0 I0.0\n", 1, 1),
            "f: rank 0, action 3 (W0.0): weight gradient before its input "
            "gradient I0.0");
}

TEST(ScheduleCheck, RejectsASendThatNeverComes) {
  std::string text = kOneFOneB;
  text.replace(text.find(" SA0.1>1"), 8, "");
  EXPECT_EQ(checked(text, 2, 2),
            "f: rank 1, action 4 (RA0.1<0): deadlock: operation 2 between "
            "ranks 0 and 1 is a receive on both ends (rank 0's is action 6 "
            "(RG0.0<1)): nothing sends");
  // Without a later receive to meet, rank 1 waits for rank 0, which ends.
  std::string late = kOneFOneB;
  late.replace(late.find(" SG0.1>0"), 8, "");
  EXPECT_EQ(checked(late, 2, 2),
            "f: rank 0, action 10 (B0.1): deadlock: it waits for action 9 "
            "(RG0.1<1), operation 4 between ranks 0 and 1, which rank 1 has "
            "not posted: rank 1 has finished its list");
}

TEST(ScheduleCheck, RejectsAComputeOrderWithACycle) {
  // Rank 0 wants B0.0 before F0.1; rank 1 wants F0.1 before B0.0.
  EXPECT_NE(checked("rank 0: F0.0 B0.0 F0.1 B0.1\n"
                    "rank 1: F0.0 F0.1 B0.0 B0.1\n",
                    2, 2)
                .find("deadlock"),
            std::string::npos);
}

TEST(ScheduleCheck, RejectsACycleOfWaitsAcrossThreeRanks) {
  // pp = 3, 2 chunks: rank 0 runs stage 3 (F1.0) before stage 0 (F0.0),
  // which stages 1 and 2 wait for before stage 3 can get its input.
  EXPECT_EQ(checked("rank 0: F1.0 F0.0 B1.0 B0.0\n"
                    "rank 1: F0.0 F1.0 B1.0 B0.0\n"
                    "rank 2: F0.0 F1.0 B1.0 B0.0\n",
                    3, 1, 2),
            "f: rank 0, action 2 (F1.0): deadlock: it waits for action 1 "
            "(RA1.0<2), operation 1 between ranks 0 and 2, which rank 2 has "
            "not posted: rank 2 waits at action 2 (F0.0) for rank 1, rank 1 "
            "waits at action 2 (F0.0) for rank 0: a cycle of waits");
}

TEST(ScheduleCheck, RejectsATiedSumOnOneEndOnly) {
  Schedule s = insertCommunication(
      [] {
        Schedule compute;
        EXPECT_FALSE(generate({"1f1b", 3, 1, 2}, compute));
        return compute;
      }(),
      {true});
  s.ranks[2].erase(s.ranks[2].end() - 2); // Rank 2's TIED.
  auto error = check(s);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->format(""),
            "rank 0, action 13 (OPT): deadlock: it waits for action 12 "
            "(TIED), which needs TIED on rank 2: rank 2 has finished its "
            "list");
}

TEST(ScheduleCheck, RejectsWrongPeersAndLateActions) {
  std::string peer = kOneFOneB;
  peer.replace(peer.find("SA0.0>1"), 7, "SA0.0>0");
  EXPECT_EQ(checked(peer, 2, 2), "f: rank 0, action 3 (SA0.0>0): sends to "
                                 "rank 0, but stage 1 is on rank 1");
  std::string late = kOneFOneB;
  late.replace(late.find("DP0 OPT"), 7, "OPT DP0");
  EXPECT_EQ(checked(late, 2, 2),
            "f: rank 0, action 12 (DP0): comes after the optimizer step "
            "(action 11), which must be last");
}

TEST(ScheduleCheck, TextRoundTrip) {
  for (auto [kind, v] : {std::pair<std::string, int>{"zero_bubble", 1},
                         {"interleaved_1f1b", 2}}) {
    Schedule s = complete(kind, 4, 8, v);
    Schedule back;
    ASSERT_FALSE(parseSchedule(printed(s), {"file", 4, v, 8}, back));
    EXPECT_EQ(back.ranks, s.ranks) << kind;
  }
}

TEST(ScheduleCheck, CommunicationCostsDelayTheMakespan) {
  Costs costs;
  costs.comm = 0.5;
  Simulation sim;
  // pp = 2, one micro-batch: F, the activation (0.5), F, B, the gradient
  // (0.5), B: 1 + 0.5 + 1 + 2 + 0.5 + 2.
  ASSERT_FALSE(simulate(complete("gpipe", 2, 1), costs, sim));
  EXPECT_DOUBLE_EQ(sim.makespan, 7);
  EXPECT_DOUBLE_EQ(sim.bubble, 1 - 6.0 / 14);
  // A message starts once both ends are posted: 1F1B's steady state waits
  // for each gradient, so the makespan grows with every crossing.
  Simulation slow, fast;
  Schedule s = complete("1f1b", 4, 8);
  ASSERT_FALSE(simulate(s, Costs(), fast));
  ASSERT_FALSE(simulate(s, costs, slow));
  EXPECT_GT(slow.makespan, fast.makespan + 2 * 3 * 0.5);
}

TEST(ScheduleCheck, TraceHasASlicePerAction) {
  Schedule s = complete("1f1b", 2, 2);
  Simulation sim;
  ASSERT_FALSE(simulate(s, Costs(), sim));
  std::ostringstream os;
  writeChromeTrace(s, sim, os);
  nlohmann::json trace = nlohmann::json::parse(os.str());
  int slices = 0;
  for (const auto &event : trace["traceEvents"])
    slices += event["ph"] == "X";
  EXPECT_EQ(slices, int(s.ranks[0].size() + s.ranks[1].size()));
  std::ostringstream svg;
  writeSvg(s, sim, svg);
  EXPECT_NE(svg.str().find(">0.1</text>"), std::string::npos);
}

} // namespace
