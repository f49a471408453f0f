//===- DistTestProgram.cpp - The runtime's parallel side under mpirun -----===//
//
// A hand-written program (not emitted by ptc) that the multi-process tests
// of test/Integration/dist-runtime start under mpirun. The first argument
// picks what it does; the rest are the training program's flags:
//
//   collectives          bootstrap the [pp=1, dp=2, tp=2] mesh and check
//                        every collective and the index kernels on every
//                        communicator; rank 0 prints a summary
//   train FLAGS          runMain on TpDpModel.h's parallel table
//   train-single FLAGS   runMain on its single-rank table (no mpirun)
//   fail-rank R FLAGS    train; rank R reports a NaN loss at step 2
//   hang-rank R FLAGS    train; rank R sleeps 300 s in step 2
//   stop-in-save R FLAGS train; rank R stops itself (SIGSTOP) when a save
//                        first copies the parameters out
//   stop-at-end R FLAGS  train; rank R stops itself after its last
//                        collective, before the final barrier
//
//===----------------------------------------------------------------------===//

#include "TpDpModel.h"

#include "runtime/dist/world.h"
#include "runtime/train/run_main.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

namespace {

using namespace ptc;
namespace tpdp = ptc::test::tpdp;
namespace k = ptc::kernels;
namespace dist = ptc::rt::dist;

// Failed checks of this rank.
std::vector<std::string> failures;
int64_t checks = 0;

template <typename T>
void expectEqual(const std::string &what, const std::vector<T> &got,
                 const std::vector<T> &want) {
  ++checks;
  if (got == want)
    return;
  std::string s = what + ": got";
  for (T v : got)
    s += " " + std::to_string(v);
  s += ", want";
  for (T v : want)
    s += " " + std::to_string(v);
  failures.push_back(s);
}

// Every collective on communicator `c` of `model`.
void checkComm(const abi::Model &model, int32_t c) {
  const dist::World &w = dist::world();
  const int64_t n = w.groups[size_t(c)].size, key = w.groups[size_t(c)].key;
  const std::string name = std::string("comm ") + model.comms[c].name + ": ";

  // Group order: member j is the rank groupMemberRank says.
  std::vector<int64_t> ranks(static_cast<size_t>(n)),
      want(static_cast<size_t>(n));
  const int64_t self = w.rank;
  k::all_gather(ranks.data(), &self, 1, c);
  for (int64_t j = 0; j < n; ++j)
    want[size_t(j)] = dist::groupMemberRank(model, model.comms[c], w.coords, j);
  expectEqual(name + "all_gather of the ranks (group order)", ranks, want);

  // all_reduce: sum, max, min, avg of (key + 1) * (i + 1).
  const int64_t count = 5;
  for (int64_t op = 0; op < 4; ++op) {
    std::vector<double> buf(count), expect(count);
    std::vector<int32_t> ibuf(count), iexpect(count);
    for (int64_t i = 0; i < count; ++i) {
      buf[size_t(i)] = double((key + 1) * (i + 1));
      ibuf[size_t(i)] = int32_t((key + 1) * (i + 1));
      const double sum = double(n * (n + 1) / 2 * (i + 1));
      const double v = op == 0   ? sum
                       : op == 1 ? double(n * (i + 1))
                       : op == 2 ? double(i + 1)
                                 : sum / double(n);
      expect[size_t(i)] = v;
      iexpect[size_t(i)] =
          op == 3 ? int32_t(n * (n + 1) / 2 * (i + 1) / n) : int32_t(v);
    }
    k::all_reduce(buf.data(), count, c, op);
    expectEqual(name + "all_reduce f64 op " + std::to_string(op), buf, expect);
    k::all_reduce(ibuf.data(), count, c, op);
    expectEqual(name + "all_reduce i32 op " + std::to_string(op), ibuf,
                iexpect);
  }
  std::vector<float> f = {float(key), 1.5f};
  k::all_reduce(f.data(), 2, c, 0);
  expectEqual(name + "all_reduce f32 sum", f,
              {float(n * (n - 1) / 2), 1.5f * float(n)});

  // all_gather: member j contributes 100 j + i.
  std::vector<float> in(3), out(size_t(3 * n)), gathered(size_t(3 * n));
  for (int64_t i = 0; i < 3; ++i)
    in[size_t(i)] = float(100 * key + i);
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = 0; i < 3; ++i)
      gathered[size_t(j * 3 + i)] = float(100 * j + i);
  k::all_gather(out.data(), in.data(), 3, c);
  expectEqual(name + "all_gather f32", out, gathered);
  // all_gather_inplace: the member's block already sits at its index; the
  // other blocks hold garbage that the gather overwrites.
  std::vector<float> inPlace(size_t(3 * n), -1.0f);
  std::copy(in.begin(), in.end(), inPlace.begin() + 3 * key);
  k::all_gather_inplace(inPlace.data(), 3, c);
  expectEqual(name + "all_gather_inplace f32", inPlace, gathered);

  // reduce_scatter: block b of member m holds 10 m + b + i; member `key`
  // gets the sum over m of block `key`.
  const int64_t outCount = 2;
  std::vector<double> blocks(size_t(outCount * n)), mine(outCount),
      mineWant(outCount);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < outCount; ++i)
      blocks[size_t(b * outCount + i)] = double(10 * key + b + i);
  for (int64_t i = 0; i < outCount; ++i)
    mineWant[size_t(i)] = double(10 * n * (n - 1) / 2 + n * (key + i));
  k::reduce_scatter(mine.data(), blocks.data(), outCount, c, 0);
  expectEqual(name + "reduce_scatter f64 sum", mine, mineWant);

  // broadcast from the last member, int32 and float.
  std::vector<int32_t> b(4, -1), bWant = {7, 8, 9, 10};
  if (key == n - 1)
    b = bWant;
  k::broadcast(b.data(), 4, c, n - 1);
  expectEqual(name + "broadcast i32 from the last member", b, bWant);

  if (n < 2)
    return;
  // send/recv in a group: a ring, everyone sends to the next member.
  const int64_t next = (key + 1) % n, prev = (key + n - 1) % n;
  std::vector<float> token = {float(key)}, got = {-1.0f};
  k::group_start();
  k::send(token.data(), 1, c, next);
  k::recv(got.data(), 1, c, prev);
  k::group_end();
  expectEqual(name + "grouped ring send/recv", got, {float(prev)});
  // Blocking pairs: even members send to the next, odd ones receive.
  if (n % 2 == 0) {
    std::vector<double> v = {double(key) + 0.25};
    if (key % 2 == 0) {
      k::send(v.data(), 1, c, key + 1);
    } else {
      k::recv(v.data(), 1, c, key - 1);
      expectEqual(name + "blocking send/recv", v, {double(key - 1) + 0.25});
    }
  }
}

// shard_slice on this rank's tp coordinate, then all_gather + unslice back.
void checkShards() {
  constexpr int64_t outer = 2, G = 6, inner = 3, parts = 2;
  std::vector<float> full(size_t(outer * G * inner));
  for (size_t i = 0; i < full.size(); ++i)
    full[i] = float(i);
  const int64_t c = k::mesh_coordinate(tpdp::kTpAxis);
  // Segments [4, 2]: part c holds rows {2c, 2c+1} of segment 0 and row
  // {4 + c} of segment 1.
  std::vector<float> piece(size_t(outer * (G / parts) * inner)), want;
  for (int64_t b = 0; b < outer; ++b)
    for (int64_t g : {2 * c, 2 * c + 1, 4 + c})
      for (int64_t i = 0; i < inner; ++i)
        want.push_back(full[size_t((b * G + g) * inner + i)]);
  k::shard_slice(piece.data(), full.data(), outer, G, inner, tpdp::kTpAxis,
                 parts, 2, 4, 2, 0, 0);
  expectEqual("shard_slice segments [4, 2]", piece, want);
  std::vector<float> gathered(piece.size() * parts), back(full.size());
  k::all_gather(gathered.data(), piece.data(), int64_t(piece.size()),
                tpdp::kTpComm);
  k::shard_unslice(back.data(), gathered.data(), outer, G, inner, parts, 2, 4,
                   2, 0, 0);
  expectEqual("all_gather + shard_unslice", back, full);
}

int collectives() {
  const abi::Model model = tpdp::table(true);
  dist::LaunchEnv env;
  rt::Status s = dist::readLaunchEnv(&env);
  if (s)
    s = dist::startWorld(model, env);
  if (!s) {
    std::fprintf(stderr, "error: %s\n", s.message().c_str());
    return 1;
  }
  for (int32_t c = 0; c < model.numComms; ++c)
    checkComm(model, c);
  checkShards();
  const dist::World &w = dist::world();
  for (const std::string &f : failures)
    std::fprintf(stderr, "rank %lld: FAILED %s\n", (long long)w.rank,
                 f.c_str());
  int64_t failed = int64_t(failures.size()), total = checks;
  k::all_reduce(&failed, 1, 3, 0);
  k::all_reduce(&total, 1, 3, 0);
  if (w.rank == 0)
    std::printf("collectives: %lld ranks (%s), %lld checks, %lld failed\n",
                (long long)w.size, dist::describeMesh(model).c_str(),
                (long long)total, (long long)failed);
  std::fflush(stdout);
  dist::finishWorld();
  return failed == 0 ? 0 : 1;
}

// Ranks that stop themselves (SIGSTOP: every thread, the watchdog's too,
// as a debugger or a frozen node would) -1: none.
int64_t stopInSaveRank = -1, stopAtEndRank = -1;

// The CPU device with the stops above. The loop reads only the io arena;
// the parameters (the first arena) are copied out by saves alone. The
// device is destroyed when the run is over, before the final barrier.
class StoppingDevice : public rt::train::Device {
public:
  StoppingDevice() : inner_(rt::train::createCpuDevice()) {}
  ~StoppingDevice() override {
    if (dist::world().rank == stopAtEndRank)
      std::raise(SIGSTOP);
  }
  const char *name() const override { return inner_->name(); }
  rt::Status allocate(int64_t bytes, uint8_t **base) override {
    rt::Status s = inner_->allocate(bytes, base);
    if (s && !params_)
      params_ = *base;
    return s;
  }
  void free(uint8_t *base) override { inner_->free(base); }
  rt::Status copyToDevice(uint8_t *base, int64_t offset, const void *src,
                          int64_t bytes) override {
    return inner_->copyToDevice(base, offset, src, bytes);
  }
  rt::Status copyToHost(void *dst, const uint8_t *base, int64_t offset,
                        int64_t bytes) override {
    if (base == params_ && dist::world().rank == stopInSaveRank)
      std::raise(SIGSTOP);
    return inner_->copyToHost(dst, base, offset, bytes);
  }
  rt::Status synchronize() override { return inner_->synchronize(); }
  int64_t bytesInUse() const override { return inner_->bytesInUse(); }
  int64_t peakBytes() const override { return inner_->peakBytes(); }

private:
  std::unique_ptr<rt::train::Device> inner_;
  const uint8_t *params_ = nullptr;
};

int usage() {
  std::fprintf(stderr, "usage: ptc-dist-test-program collectives | train "
                       "FLAGS | train-single FLAGS | fail-rank R FLAGS | "
                       "hang-rank R FLAGS | stop-in-save R FLAGS | "
                       "stop-at-end R FLAGS\n");
  return 2;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2)
    return usage();
  const std::string mode = argv[1];
  if (mode == "collectives")
    return collectives();
  int first = 2; // the training flags
  if (mode == "fail-rank" || mode == "hang-rank" || mode == "stop-in-save" ||
      mode == "stop-at-end") {
    if (argc < 3)
      return usage();
    const int64_t rank = std::atoll(argv[2]);
    if (mode == "fail-rank")
      tpdp::faults.failRank = rank;
    else if (mode == "hang-rank")
      tpdp::faults.hangRank = rank;
    else
      (mode == "stop-in-save" ? stopInSaveRank : stopAtEndRank) = rank;
    first = 3;
  } else if (mode != "train" && mode != "train-single") {
    return usage();
  }
  tpdp::current = tpdp::table(mode != "train-single");
  std::vector<char *> args = {argv[0]};
  args.insert(args.end(), argv + first, argv + argc);
  return rt::train::runWithDevice(
      tpdp::current, std::vector<std::string>(args.begin(), args.end()),
      std::cout, std::cerr,
      [](const abi::Model &, const dist::World &, rt::Status *) {
        return std::unique_ptr<rt::train::Device>(
            std::make_unique<StoppingDevice>());
      });
}
