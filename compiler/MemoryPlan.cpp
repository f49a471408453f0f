//===- MemoryPlan.cpp - The per-rank memory budget of a planned module ----===//

#include "compiler/MemoryPlan.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"

#include <algorithm>
#include <map>

using namespace mlir;
using namespace ptc;
using namespace ptc::exec;

std::vector<ArenaBudget> ptc::collectMemoryBudget(ModuleOp planned) {
  std::vector<ArenaBudget> budget;
  llvm::DenseMap<StringRef, size_t> index;
  for (auto arena : planned.getOps<ArenaOp>()) {
    index[arena.getSymName()] = budget.size();
    budget.push_back({arena.getSymName().str(), arena.getKind(),
                      static_cast<int64_t>(arena.getSize()), 0});
  }
  auto count = [&](std::optional<StringRef> arena) {
    if (!arena)
      return;
    auto it = index.find(*arena);
    if (it != index.end())
      ++budget[it->second].numBuffers;
  };
  for (auto global : planned.getOps<GlobalOp>())
    count(global.getArena());
  planned.walk([&](AllocOp alloc) { count(alloc.getArena()); });
  std::stable_sort(budget.begin(), budget.end(),
                   [](const ArenaBudget &a, const ArenaBudget &b) {
                     return a.kind < b.kind;
                   });
  return budget;
}

std::string ptc::formatThousands(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

void ptc::printMemoryBudget(llvm::raw_ostream &os,
                            llvm::ArrayRef<ArenaBudget> budget) {
  std::map<ArenaKind, std::pair<int64_t, int64_t>> rows; // bytes, buffers
  int64_t totalBytes = 0, totalBuffers = 0;
  for (const ArenaBudget &arena : budget) {
    auto &row = rows[arena.kind];
    row.first += arena.bytes;
    row.second += arena.numBuffers;
    totalBytes += arena.bytes;
    totalBuffers += arena.numBuffers;
  }
  auto printRow = [&](StringRef name, int64_t bytes, int64_t buffers) {
    os << llvm::left_justify(name, 16)
       << llvm::right_justify(std::to_string(buffers), 9)
       << llvm::right_justify(formatThousands(bytes), 20)
       << llvm::format("%12.3f", static_cast<double>(bytes) / (1ull << 30))
       << '\n';
  };
  os << llvm::left_justify("arena", 16) << llvm::right_justify("buffers", 9)
     << llvm::right_justify("bytes", 20) << llvm::right_justify("GiB", 12)
     << '\n';
  for (auto &[kind, row] : rows)
    printRow(stringifyArenaKind(kind), row.first, row.second);
  printRow("total", totalBytes, totalBuffers);
}

int64_t ptc::naiveActivationBytes(ModuleOp module, ArenaKind kind,
                                  int64_t alignment) {
  int64_t largest = 0;
  for (auto func : module.getOps<func::FuncOp>()) {
    int64_t bytes = 0;
    func.walk([&](AllocOp alloc) {
      if (alloc.getKind() == kind)
        bytes +=
            llvm::alignTo(getBufferBytes(alloc.getMemRefType()), alignment);
    });
    largest = std::max(largest, bytes);
  }
  return largest;
}
