//===- DataCommand.h - `ptc data`: shards from a text file ------*- C++ -*-===//
//
//   ptc data INPUT.txt -o DIR [--val-fraction=F] [--shard-tokens=N] [--force]
//
// Byte-level tokenization (runtime/data/text_shards.h): writes
// DIR/train_000000.bin ... and DIR/val_000000.bin ... for a compiled model's
// --data and --val-data flags. A DIR that already holds shards is refused
// (its old shards would be read with the new ones); --force deletes them
// first.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_TOOLS_PTC_DATACOMMAND_H
#define PTC_TOOLS_PTC_DATACOMMAND_H

namespace ptc {

/// Runs `ptc data`; argv[1] is "data". Returns the exit status.
int runDataCommand(int argc, char **argv);

} // namespace ptc

#endif // PTC_TOOLS_PTC_DATACOMMAND_H
