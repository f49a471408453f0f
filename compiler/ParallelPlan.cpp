//===- ParallelPlan.cpp - The parallel plan of a planned module -----------===//

#include "compiler/ParallelPlan.h"

#include "compiler/MemoryPlan.h"
#include "dialects/Dist/IR/DistOps.h"
#include "dialects/Dist/IR/StageSlots.h"
#include "dialects/Exec/IR/ExecOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringExtras.h"

#include <fmt/format.h>

#include <map>

using namespace mlir;

namespace ptc {

namespace {

struct Traffic {
  int64_t calls = 0, bytes = 0;
};

/// The collectives the traffic table counts.
bool isCollective(StringRef callee) {
  return callee == "all_reduce" || callee == "all_gather" ||
         callee == "reduce_scatter" || callee == "reduce_scatter_inplace" ||
         callee == "all_gather_inplace";
}

/// The bytes a collective launch moves into the communication library on
/// this rank: its buffer (all_reduce; reduce_scatter_inplace: the group's
/// blocks), its input (all_gather; all_gather_inplace: its block) or its
/// input (reduce_scatter: the group's blocks).
int64_t collectiveBytes(exec::LaunchOp launch) {
  auto buffers = launch.getBuffers();
  if (launch.getCallee() == "all_gather_inplace") // this rank's block
    return cast<IntegerAttr>(launch.getArgs()[0]).getInt() *
           cast<MemRefType>(buffers[0].getType()).getElementTypeBitWidth() / 8;
  bool inPlace = launch.getCallee() == "all_reduce" ||
                 launch.getCallee() == "reduce_scatter_inplace";
  Value moved = inPlace ? buffers[0] : buffers[1];
  auto type = cast<MemRefType>(moved.getType());
  return type.getNumElements() * type.getElementTypeBitWidth() / 8;
}

/// How many times pipeline rank 0's step calls each entry point, by the
/// module's dist.schedule; empty without one.
/// How often pipeline rank `which`'s schedule calls each entry point, and
/// the bytes it sends to its neighbours (`io` slot sizes of `program`).
llvm::StringMap<int64_t> scheduledCalls(ModuleOp module, int64_t which,
                                        ModuleOp program, int64_t *sent) {
  llvm::StringMap<int64_t> calls;
  llvm::StringMap<int64_t> slotBytes;
  program.walk([&](exec::GlobalOp global) {
    if (auto io = global.getIo())
      slotBytes[*io] = exec::getBufferBytes(global.getMemRefType());
  });
  *sent = 0;
  // A step at the full batch: the last schedule (a ramp-up's last phase).
  auto schedules = dist::getTrainingSchedules(module);
  for (auto schedule : ArrayRef(schedules).take_back(1))
    for (auto rank : schedule.getBody().getOps<dist::PipelineRankOp>()) {
      if (int64_t(rank.getRank()) != which)
        continue;
      rank.walk([&](Operation *action) {
        auto count = [&](SymbolRefAttr entry) {
          if (entry)
            ++calls[entry.getLeafReference().getValue()];
        };
        if (auto compute = dyn_cast<dist::ForwardBackwardOp>(action))
          ++calls[compute.getEntry()];
        else if (auto step = dyn_cast<dist::OptimizerStepOp>(action))
          count(step.getEntry());
        else if (auto forward = dyn_cast<dist::ForwardOp>(action))
          count(forward.getEntryAttr());
        else if (auto backward = dyn_cast<dist::BackwardOp>(action))
          count(backward.getEntryAttr());
        else if (auto send = dyn_cast<dist::SendActivationOp>(action))
          *sent += slotBytes.lookup(
              dist::stageSlotName(send.getStage(), dist::StageSlot::Output));
        else if (auto send = dyn_cast<dist::SendGradientOp>(action))
          *sent += slotBytes.lookup(
              dist::stageSlotName(send.getStage(), dist::StageSlot::InputGrad));
      });
    }
  return calls;
}

/// The collectives of `program`'s entry points, each as often as `calls`.
bool printTraffic(llvm::raw_ostream &os, ModuleOp program,
                  const llvm::StringMap<int64_t> &calls,
                  ArrayRef<std::string> commNames, StringRef indent) {
  bool any = false;
  for (auto fn : program.getOps<func::FuncOp>()) {
    int64_t repeat = calls.lookup(fn.getSymName());
    if (repeat == 0)
      continue;
    auto entry = fn->getAttrOfType<StringAttr>("exec.entry");
    std::map<std::string, Traffic> traffic;
    fn.walk([&](exec::LaunchOp launch) {
      StringRef callee = launch.getCallee();
      if (!isCollective(callee))
        return;
      // Every collective's second static argument is its communicator.
      int64_t comm = cast<IntegerAttr>(launch.getArgs()[1]).getInt();
      std::string key =
          callee.str() + " on " +
          (comm < (int64_t)commNames.size() ? commNames[comm] : "?");
      traffic[key].calls += repeat;
      traffic[key].bytes += repeat * collectiveBytes(launch);
    });
    for (auto &[key, t] : traffic) {
      any = true;
      os << fmt::format("{}{:<16} {:<30} {:>6} calls  {:>16} bytes\n",
                        indent.str(), entry.getValue().str(), key, t.calls,
                        formatThousands(t.bytes));
    }
  }
  return any;
}

} // namespace

/// A batch-size ramp-up: one dist.schedule per phase (first_step).
static void printRampPhases(llvm::raw_ostream &os, ModuleOp module) {
  auto schedules = dist::getTrainingSchedules(module);
  if (schedules.size() < 2 || !schedules.front().getFirstStep())
    return;
  os << fmt::format(
      "batch-size ramp-up: {} phases, {} to {} micro-batches per step and "
      "data-parallel rank; the full batch from step {}\n",
      schedules.size(), schedules.front().getMicroBatches(),
      schedules.back().getMicroBatches(),
      schedules.back().getFirstStep().value_or(1));
}

void printParallelPlan(llvm::raw_ostream &os, ModuleOp module) {
  printRampPhases(os, module);
  // A pipeline-parallel program: one module per pipeline rank, the same
  // mesh in each.
  SmallVector<ModuleOp> ranks(module.getOps<ModuleOp>());
  dist::MeshOp mesh = dist::getModuleMesh(ranks.empty() ? module : ranks[0]);
  if (!mesh) {
    os << "parallel plan: one device (no mesh)\n";
    return;
  }
  SmallVector<StringRef> names;
  for (StringRef name : mesh.getAxisNames().getAsValueRange<StringAttr>())
    names.push_back(name);
  ArrayRef<int64_t> sizes = mesh.getShape();
  int64_t world = mesh.getNumRanks();
  std::string shape, formula;
  for (auto [i, name] : llvm::enumerate(names)) {
    shape += fmt::format("{}{} {}", i ? " x " : "", name.str(), sizes[i]);
    int64_t s = 1;
    for (size_t j = i + 1; j < names.size(); ++j)
      s *= sizes[j];
    formula += fmt::format("{}{} * {}", i ? " + " : "", name.str(), s);
  }
  os << fmt::format("parallel plan: {} ranks = {} (the last axis fastest: "
                    "rank = {})\n",
                    world, shape, formula);
  os << "  rank";
  for (StringRef name : names)
    os << fmt::format("  {:>4}", name.str());
  os << "\n";
  for (int64_t rank = 0; rank < std::min<int64_t>(world, 16); ++rank) {
    os << fmt::format("  {:>4}", rank);
    int64_t rest = rank;
    SmallVector<int64_t> coords(sizes.size());
    for (int64_t i = sizes.size() - 1; i >= 0; --i) {
      coords[i] = rest % sizes[i];
      rest /= sizes[i];
    }
    for (int64_t c : coords)
      os << fmt::format("  {:>4}", c);
    os << "\n";
  }
  if (world > 16)
    os << fmt::format("  ... {} more ranks\n", world - 16);

  // The vocabulary split: padded to a multiple of vocab_pad_multiple x tp,
  // as Megatron does, so every tp rank holds whole multiples; checkpoints
  // hold only the vocabulary's rows, the same for every plan.
  if (auto model = ptc::graph::ModelAttr::lookup(module)) {
    int64_t vocab = model.getVocabSize(), padded = model.getPaddedVocab();
    std::optional<unsigned> tpAxis = mesh.getAxisIndex("tp");
    if (tpAxis) {
      int64_t tp = sizes[*tpAxis];
      os << fmt::format(
          "vocabulary: {} classes padded to {} rows (a multiple of "
          "vocab_pad_multiple {} x tp {}), {} per tp rank; the {} padding "
          "rows are never trained (no token id reaches them, the softmax "
          "excludes them) and checkpoints hold only the {} rows of the "
          "vocabulary\n",
          formatThousands(vocab), formatThousands(padded),
          model.getVocabPadMultiple(), tp, formatThousands(padded / tp),
          formatThousands(padded - vocab), formatThousands(vocab));
    }
  }

  auto comms = module->getAttrOfType<ArrayAttr>("ptc.comms");
  SmallVector<std::string> commNames;
  if (comms)
    for (Attribute comm : comms) {
      // A group of some coordinates of one axis (pipeline neighbours, the
      // tied embedding's ranks): a dictionary with its name and members.
      if (auto group = dyn_cast<DictionaryAttr>(comm)) {
        commNames.push_back(
            cast<StringAttr>(group.get("name")).getValue().str());
        auto members = cast<DenseI64ArrayAttr>(group.get("members"));
        // The neighbour pairs in one line: pp_fwd<r> and pp_bwd<r>.
        StringRef name = commNames.back();
        if (name.starts_with("pp_fwd") || name.starts_with("pp_bwd")) {
          if (name == "pp_fwd0")
            os << fmt::format(
                "communicators pp_fwd<r>, pp_bwd<r> (r = 0..{}): pipeline "
                "neighbours r and r + 1 mod {}, activations forward and "
                "gradients back\n",
                ranks.size() - 1, ranks.size());
          continue;
        }
        os << fmt::format("communicator {}: pipeline ranks {}\n",
                          commNames.back(),
                          fmt::join(members.asArrayRef(), ", "));
        continue;
      }
      SmallVector<StringRef> axes;
      for (StringRef axis : cast<ArrayAttr>(comm).getAsValueRange<StringAttr>())
        axes.push_back(axis);
      commNames.push_back(llvm::join(axes, "_"));
      os << fmt::format("communicator {}: groups of {} ranks\n",
                        commNames.back(), mesh.getGroupSize(axes));
    }

  // Per entry point and communicator, what each rank sends per step: each
  // entry point as often as the schedule calls it. Pipeline ranks differ:
  // the first, the second and the last stand for them all.
  if (!ranks.empty()) {
    SmallVector<int64_t> shown = {0};
    if (ranks.size() > 2)
      shown.push_back(1);
    shown.push_back(int64_t(ranks.size()) - 1);
    for (int64_t r : shown) {
      int64_t sent = 0;
      llvm::StringMap<int64_t> calls =
          scheduledCalls(module, r, ranks[size_t(r)], &sent);
      os << fmt::format("communication per rank and optimizer step, pipeline "
                        "rank {}: point-to-point {} bytes sent to its "
                        "neighbours\n",
                        r, formatThousands(sent));
      printTraffic(os, ranks[size_t(r)], calls, commNames, "  ");
    }
    return;
  }
  int64_t sent = 0;
  llvm::StringMap<int64_t> calls = scheduledCalls(module, 0, module, &sent);
  if (calls.empty()) {
    os << "communication per rank and optimizer step: unknown (the module "
          "has no dist.schedule)\n";
    return;
  }
  os << "communication per rank and optimizer step:\n";
  if (!printTraffic(os, module, calls, commNames, "  "))
    os << "  none\n";

  // The buckets of the overlapped gradient reduction: each group of
  // collectives on a side stream.
  for (auto fn : module.getOps<func::FuncOp>()) {
    auto entry = fn->getAttrOfType<StringAttr>("exec.entry");
    if (!entry || entry.getValue() != "last_micro_step")
      continue;
    SmallVector<int64_t> buckets;
    bool open = false;
    fn.walk([&](exec::LaunchOp launch) {
      if (!launch.getStream())
        return;
      if (launch.getCallee() == "group_start") {
        buckets.push_back(0);
        open = true;
      } else if (launch.getCallee() == "group_end") {
        open = false;
      } else if (open && isCollective(launch.getCallee())) {
        buckets.back() += collectiveBytes(launch);
      }
    });
    if (buckets.empty())
      continue;
    std::vector<std::string> sizes;
    for (int64_t bytes : buckets)
      sizes.push_back(formatThousands(bytes));
    os << fmt::format(
        "gradient reduction: {} {} of collectives on a communication "
        "stream, each issued as soon as the backward of the step's last "
        "micro-batch has accumulated its gradients (bytes, in issue order): "
        "{}\n",
        buckets.size(), buckets.size() == 1 ? "bucket" : "buckets",
        llvm::join(sizes, ", "));
  }

  // ZeRO-1's sharded masters (exec-shard-master-weights).
  int64_t sharded = 0, params = 0, chunkBytes = 0, wholeBytes = 0;
  for (auto global : module.getOps<exec::GlobalOp>()) {
    if (!global->hasAttr("dist.zero_chunk"))
      continue;
    ++params;
    if (auto whole = global->getAttrOfType<TypeAttr>("exec.zero_master")) {
      ++sharded;
      chunkBytes += exec::getBufferBytes(global.getMemRefType());
      wholeBytes += exec::getBufferBytes(cast<MemRefType>(whole.getValue()));
    }
  }
  if (params > 0 && sharded == 0)
    os << fmt::format("ZeRO-1: optimizer state of all {} parameters split "
                      "over dp; their f32 master weights stay whole (the "
                      "micro-steps read them in f32)\n",
                      params);
  else if (params > 0)
    os << fmt::format(
        "ZeRO-1: optimizer state of all {} parameters split over dp; master "
        "weights of {} of them kept as dp chunks ({} bytes per rank instead "
        "of {}: the micro-steps read their copies, the optimizer step "
        "all-gathers the copies){}\n",
        params, sharded, formatThousands(chunkBytes),
        formatThousands(wholeBytes),
        sharded < params ? "; the others are read in f32 by the micro-steps "
                           "and stay whole"
                         : "");
}

} // namespace ptc
