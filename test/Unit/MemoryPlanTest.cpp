//===- MemoryPlanTest.cpp - exec-plan-memory and the memory budget --------===//
//
// Runs the planner on small and randomized exec modules and checks the
// budget numbers and the invariant of the plan: allocs that are live at the
// same time never share memory.
//
//===----------------------------------------------------------------------===//

#include "compiler/MemoryPlan.h"
#include "passes/Exec/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

using namespace mlir;
using namespace ptc;

namespace {

class MemoryPlanTest : public ::testing::Test {
protected:
  MemoryPlanTest() {
    context.loadDialect<exec::ExecDialect, func::FuncDialect>();
  }

  /// Parses `source` and runs exec-plan-memory on it.
  OwningOpRef<ModuleOp> plan(llvm::StringRef source) {
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(source, &context);
    EXPECT_TRUE(module);
    if (!module)
      return module;
    PassManager pm(&context);
    pm.addPass(exec::createExecPlanMemory());
    EXPECT_TRUE(succeeded(pm.run(*module)));
    return module;
  }

  MLIRContext context;
};

TEST_F(MemoryPlanTest, BudgetOfASmallModule) {
  OwningOpRef<ModuleOp> module = plan(R"mlir(
    exec.arena @io io size 0 align 256
    exec.arena @parameters parameters size 0 align 256
    exec.global @w in @parameters : memref<256x64xf32>
    exec.global @b in @parameters : memref<64xf32>
    exec.global @tokens in @io : memref<4x64xi32> {io = "tokens"}
    func.func @step() attributes {exec.entry = "micro_step"} {
      %a = exec.alloc : memref<1024xf32>
      %b = exec.alloc : memref<1024xf32>
      %c = exec.alloc : memref<512xf32>
      %ws = exec.alloc workspace : memref<100xbf16>
      exec.launch "k"(%a) access [write] : memref<1024xf32>
      exec.launch "k"(%b, %a) access [write, read] : memref<1024xf32>, memref<1024xf32>
      exec.launch "k"(%c, %b, %ws) access [write, read, readwrite]
          : memref<512xf32>, memref<1024xf32>, memref<100xbf16>
      return
    }
  )mlir");
  ASSERT_TRUE(module);
  std::vector<ArenaBudget> budget = collectMemoryBudget(*module);
  ASSERT_EQ(budget.size(), 4u);
  // Ordered by kind: parameters, activations, workspace, io.
  EXPECT_EQ(budget[0].name, "parameters");
  EXPECT_EQ(budget[0].kind, exec::ArenaKind::parameters);
  EXPECT_EQ(budget[0].bytes, 65536 + 256);
  EXPECT_EQ(budget[0].numBuffers, 2);
  // %a and %c never coexist: 4096 (a) + 4096 (b), c reuses a's memory.
  EXPECT_EQ(budget[1].name, "activations");
  EXPECT_EQ(budget[1].bytes, 8192);
  EXPECT_EQ(budget[1].numBuffers, 3);
  EXPECT_EQ(budget[2].kind, exec::ArenaKind::workspace);
  EXPECT_EQ(budget[2].bytes, 256);
  EXPECT_EQ(budget[3].kind, exec::ArenaKind::io);
  EXPECT_EQ(budget[3].bytes, 1024);
  EXPECT_EQ(naiveActivationBytes(*module), 4096 + 4096 + 2048);

  std::string table;
  llvm::raw_string_ostream os(table);
  printMemoryBudget(os, budget);
  EXPECT_NE(table.find("parameters"), std::string::npos) << table;
  EXPECT_NE(table.find("65,792"), std::string::npos) << table;
  EXPECT_NE(table.find("total"), std::string::npos) << table;
  EXPECT_NE(table.find("75,264"), std::string::npos) << table;
  EXPECT_NE(table.find("0.000"), std::string::npos) << table;
}

TEST_F(MemoryPlanTest, PlansAModuleBuiltWithTheBuilders) {
  OpBuilder builder(&context);
  Location loc = builder.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(builder, loc);
  builder.setInsertionPointToEnd(module->getBody());
  exec::ArenaOp::create(builder, loc, "parameters",
                        exec::ArenaKind::parameters);
  auto f32 = builder.getF32Type();
  auto weight = exec::GlobalOp::create(builder, loc, "w", "parameters",
                                       MemRefType::get({16, 8}, f32));
  auto bias = exec::GlobalOp::create(builder, loc, "b", "parameters",
                                     MemRefType::get({16}, f32));
  auto func = func::FuncOp::create(builder, loc, "micro_step",
                                   builder.getFunctionType({}, {}));
  func->setAttr(exec::ExecDialect::getEntryAttrName(),
                builder.getStringAttr("micro_step"));
  builder.setInsertionPointToStart(func.addEntryBlock());
  Value w = exec::GlobalRefOp::create(builder, loc, weight);
  Value b = exec::GlobalRefOp::create(builder, loc, bias);
  Value x = exec::AllocOp::create(builder, loc, MemRefType::get({4, 8}, f32));
  Value y = exec::AllocOp::create(builder, loc, MemRefType::get({4, 16}, f32));
  Value ws = exec::AllocOp::create(builder, loc, MemRefType::get({64}, f32),
                                   exec::ArenaKind::workspace);
  exec::FillOp::create(builder, loc, x, 1.0);
  exec::GemmOp::create(builder, loc, y, x, w, b, 4, 16, 8,
                       /*transposeA=*/false, /*transposeB=*/true);
  exec::LaunchOp::create(builder, loc, "ptc_gelu_forward", ValueRange{y, ws},
                         {exec::Access::readwrite, exec::Access::write},
                         {builder.getI64IntegerAttr(64)});
  func::ReturnOp::create(builder, loc);
  ASSERT_TRUE(succeeded(verify(*module)));

  PassManager pm(&context);
  pm.addPass(exec::createExecPlanMemory());
  ASSERT_TRUE(succeeded(pm.run(*module)));
  std::vector<ArenaBudget> budget = collectMemoryBudget(*module);
  ASSERT_EQ(budget.size(), 3u);
  EXPECT_EQ(budget[0].bytes, 768); // w at 0 (512 bytes), b at 512
  EXPECT_EQ(budget[1].name, "activations");
  EXPECT_EQ(budget[1].bytes, 512); // y at 0; x (live with y) at 256
  EXPECT_EQ(budget[2].name, "workspace");
  EXPECT_EQ(budget[2].bytes, 256);
}

TEST_F(MemoryPlanTest, FormatsThousands) {
  EXPECT_EQ(formatThousands(0), "0");
  EXPECT_EQ(formatThousands(999), "999");
  EXPECT_EQ(formatThousands(1000), "1,000");
  EXPECT_EQ(formatThousands(1234567), "1,234,567");
  EXPECT_EQ(formatThousands(-1234), "-1,234");
}

/// One random function: `numAllocs` allocs of random size, each used at the
/// two ends of a random interval of `numSteps` launches.
std::string randomModule(unsigned seed, int numAllocs, int numSteps) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> elements(1, 5000);
  std::uniform_int_distribution<int> step(0, numSteps - 1);
  std::vector<std::vector<int>> usesAt(numSteps);
  std::vector<int> sizes;
  std::ostringstream os;
  os << "func.func @random() {\n";
  for (int i = 0; i < numAllocs; ++i) {
    sizes.push_back(elements(rng));
    os << "  %a" << i << " = exec.alloc : memref<" << sizes.back() << "xf32>\n";
    int first = step(rng), last = step(rng);
    if (first > last)
      std::swap(first, last);
    usesAt[first].push_back(i);
    if (last != first)
      usesAt[last].push_back(i);
  }
  for (const std::vector<int> &uses : usesAt) {
    os << "  exec.launch \"k\"(";
    for (size_t j = 0; j < uses.size(); ++j)
      os << (j ? ", " : "") << "%a" << uses[j];
    os << ") access [";
    for (size_t j = 0; j < uses.size(); ++j)
      os << (j ? ", " : "") << "readwrite";
    os << "]";
    for (size_t j = 0; j < uses.size(); ++j)
      os << (j ? ", " : " : ") << "memref<" << sizes[uses[j]] << "xf32>";
    os << "\n";
  }
  os << "  return\n}\n";
  return os.str();
}

TEST_F(MemoryPlanTest, RandomPlanNeverOverlapsLiveBuffers) {
  for (unsigned seed = 1; seed <= 5; ++seed) {
    std::string source = randomModule(seed, 200, 60);
    OwningOpRef<ModuleOp> module = plan(source);
    ASSERT_TRUE(module);
    auto func = *module->getOps<func::FuncOp>().begin();

    struct Placed {
      int64_t offset, bytes, first, last;
    };
    std::vector<Placed> placed;
    llvm::DenseMap<Operation *, int64_t> positions;
    int64_t position = 0;
    for (Operation &op : func.getBody().front())
      positions[&op] = position++;
    for (auto alloc : func.getBody().getOps<exec::AllocOp>()) {
      ASSERT_TRUE(alloc.getOffset().has_value());
      Placed p{static_cast<int64_t>(*alloc.getOffset()),
               exec::getBufferBytes(alloc.getMemRefType()), INT64_MAX, -1};
      for (Operation *user : alloc->getUsers()) {
        p.first = std::min(p.first, positions[user]);
        p.last = std::max(p.last, positions[user]);
      }
      EXPECT_EQ(p.offset % 256, 0);
      placed.push_back(p);
    }
    int64_t arenaBytes = collectMemoryBudget(*module).front().bytes;
    int64_t maxLive = 0;
    for (int64_t t = 0; t < position; ++t) {
      int64_t live = 0;
      for (const Placed &p : placed)
        if (p.first <= t && t <= p.last)
          live += p.bytes;
      maxLive = std::max(maxLive, live);
    }
    EXPECT_GE(arenaBytes, maxLive);
    EXPECT_LE(arenaBytes, naiveActivationBytes(*module));
    for (size_t i = 0; i < placed.size(); ++i) {
      const Placed &a = placed[i];
      EXPECT_LE(a.offset + a.bytes, arenaBytes);
      for (size_t j = i + 1; j < placed.size(); ++j) {
        const Placed &b = placed[j];
        bool inTime = a.first <= b.last && b.first <= a.last;
        bool inMemory =
            a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
        EXPECT_FALSE(inTime && inMemory)
            << "seed " << seed << ": allocs " << i << " and " << j
            << " are live together and overlap in memory";
      }
    }

    // The plan is deterministic and re-planning changes nothing.
    std::string once, twice;
    llvm::raw_string_ostream onceOs(once), twiceOs(twice);
    module->print(onceOs);
    PassManager pm(&context);
    pm.addPass(exec::createExecPlanMemory());
    ASSERT_TRUE(succeeded(pm.run(*module)));
    module->print(twiceOs);
    EXPECT_EQ(once, twice);
    std::string other;
    llvm::raw_string_ostream otherOs(other);
    plan(source)->print(otherOs);
    EXPECT_EQ(once, other);
  }
}

} // namespace
