//===- DataCommand.cpp - `ptc data`: token shards from a text file --------===//

#include "tools/ptc/DataCommand.h"

#include "runtime/data/text_shards.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace cl = llvm::cl;

int ptc::runDataCommand(int argc, char **argv) {
  cl::OptionCategory category("ptc data options");
  cl::opt<std::string> input(cl::Positional, cl::desc("<input.txt>"),
                             cl::Required, cl::cat(category));
  cl::opt<std::string> output("o", cl::desc("Output directory (created)"),
                              cl::value_desc("dir"), cl::Required,
                              cl::cat(category));
  cl::opt<double> valFraction(
      "val-fraction",
      cl::desc("The file's last fraction that becomes validation data, in "
               "[0, 1) (default 0.1)"),
      cl::value_desc("f"), cl::init(0.1), cl::cat(category));
  cl::opt<long long> shardTokens(
      "shard-tokens",
      cl::desc("At most this many tokens per shard (default 100000000)"),
      cl::value_desc("n"), cl::init(100'000'000), cl::cat(category));
  cl::opt<bool> force(
      "force",
      cl::desc("Delete the output directory's old shards (train_*.bin, "
               "val_*.bin) first; without it a directory holding shards is "
               "an error"),
      cl::cat(category));
  // `ptc data --help` lists these options, not every LLVM one.
  cl::HideUnrelatedOptions(category);

  std::string name = "ptc data";
  std::vector<char *> args = {name.data()};
  for (int i = 2; i < argc; ++i)
    args.push_back(argv[i]);
  if (!cl::ParseCommandLineOptions(
          int(args.size()), args.data(),
          "ptc data: byte-level token shards (llm.c format) from a text "
          "file\n\n  Every byte is one token (ids 0..255). Writes "
          "DIR/train_000000.bin ... and DIR/val_000000.bin ...\n",
          &llvm::errs()))
    return 1;
  if (!(valFraction >= 0 && valFraction < 1)) {
    llvm::errs() << "ptc data: --val-fraction must be in [0, 1), got "
                 << valFraction.getValue() << "\n";
    return 1;
  }
  if (shardTokens <= 0 || shardTokens > 2147483647LL) {
    llvm::errs() << "ptc data: --shard-tokens must be in 1..2147483647, got "
                 << shardTokens.getValue() << "\n";
    return 1;
  }
  ptc::rt::TextShardOptions options;
  options.outputDir = output;
  options.valFraction = valFraction;
  options.shardTokens = shardTokens;
  options.replace = force;
  ptc::rt::TextShardResult result;
  if (ptc::rt::Status s = ptc::rt::writeTextShards(input, options, &result);
      !s) {
    llvm::errs() << "ptc data: " << s.message() << "\n";
    return 1;
  }
  llvm::outs() << "ptc data: " << input << ": "
               << result.trainTokens + result.valTokens
               << " byte tokens (vocabulary 256)\n"
               << "  train  " << result.trainTokens << " tokens in "
               << result.trainShards.size() << " shard(s): " << output
               << "/train_*.bin\n";
  if (!result.valShards.empty())
    llvm::outs() << "  val    " << result.valTokens << " tokens in "
                 << result.valShards.size() << " shard(s): " << output
                 << "/val_*.bin\n";
  return 0;
}
