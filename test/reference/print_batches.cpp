//===- print_batches.cpp - Prints the batches of ptc's TokenLoader --------===//
//
// A test driver for test_batch_order.py: opens token shards with the real
// runtime/data/token_loader.cpp and prints the windows that next() returns,
// in the text format of token_loader.py's format_header / format_batch.
// Built by the test itself:
//
//   c++ -std=c++17 -I<ptc source root> print_batches.cpp \
//       runtime/data/token_loader.cpp runtime/data/token_shard.cpp \
//       runtime/data/file_io.cpp -o pb
//   pb --seq-len T --vocab V --batch B --batches N [--seed S] [--no-shuffle]
//      [--rank R --world W] [--seek P] --data PATTERN [--data PATTERN ...]
//
// --seek P moves the loader to stream position P first (position()/seek()).
//
//===----------------------------------------------------------------------===//

#include "runtime/data/token_loader.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using ptc::rt::Status;
using ptc::rt::TokenLoader;
using ptc::rt::TokenLoaderOptions;

int main(int argc, char **argv) {
  TokenLoaderOptions options;
  std::vector<std::string> data;
  long long batch = 0, batches = 0;
  unsigned long long seek = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--no-shuffle") {
      options.shuffle = false;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "print_batches: %s needs a value\n", a.c_str());
      return 2;
    }
    const char *v = argv[++i];
    if (a == "--seq-len")
      options.seqLen = std::atoll(v);
    else if (a == "--vocab")
      options.vocabSize = std::atoll(v);
    else if (a == "--seed")
      options.seed = std::strtoull(v, nullptr, 10);
    else if (a == "--rank")
      options.rank = std::atoll(v);
    else if (a == "--world")
      options.world = std::atoll(v);
    else if (a == "--batch")
      batch = std::atoll(v);
    else if (a == "--batches")
      batches = std::atoll(v);
    else if (a == "--seek")
      seek = std::strtoull(v, nullptr, 10);
    else if (a == "--data")
      data.push_back(v);
    else {
      std::fprintf(stderr, "print_batches: unknown flag %s\n", a.c_str());
      return 2;
    }
  }
  TokenLoader loader;
  if (Status s = loader.open(data, options); !s) {
    std::fprintf(stderr, "error: %s\n", s.message().c_str());
    return 1;
  }
  std::printf("windows %lld per_rank %lld\n", (long long)loader.numWindows(),
              (long long)loader.windowsPerRank());
  loader.seek(seek);
  const long long T = options.seqLen;
  std::vector<int32_t> inputs(size_t(batch * T)), targets(inputs.size());
  for (long long n = 0; n < batches; ++n) {
    if (Status s = loader.next(batch, T, inputs.data(), targets.data()); !s) {
      std::fprintf(stderr, "error: %s\n", s.message().c_str());
      return 1;
    }
    for (long long b = 0; b < batch; ++b) {
      const int32_t *rows[2] = {&inputs[size_t(b * T)], &targets[size_t(b * T)]};
      const char *tags[2] = {"in", "tg"};
      for (int k = 0; k < 2; ++k) {
        std::printf("batch %lld row %lld %s", n, b, tags[k]);
        for (long long t = 0; t < T; ++t)
          std::printf(" %d", rows[k][t]);
        std::printf("\n");
      }
    }
  }
  return 0;
}
