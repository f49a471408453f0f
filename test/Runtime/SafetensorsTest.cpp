//===- SafetensorsTest.cpp - safetensors files and model weights ----------===//

#include "FakeModel.h"
#include "RuntimeTestUtil.h"

#include "runtime/train/arenas.h"
#include "runtime/train/safetensors.h"
#include "runtime/train/weights.h"

#include <nlohmann/json.hpp>

#include <cstring>

using namespace ptc::rt;
using namespace ptc::rt::train;
using ptc::abi::DType;
namespace fake = ptc::test::fake;

namespace {

class Safetensors : public ptc::test::TempDirTest {
protected:
  // A file from a header (JSON text, padded to 8) and raw data bytes.
  std::string writeRaw(const std::string &name, std::string header,
                       const std::string &data, int64_t length = -1) {
    header.resize((header.size() + 7) / 8 * 8, ' ');
    uint64_t n = length >= 0 ? uint64_t(length) : header.size();
    std::string bytes(reinterpret_cast<const char *>(&n), 8);
    writeFile(path(name), bytes + header + data);
    return path(name);
  }
  // A one-tensor file: f32 [2] "w" with the given entry fields.
  std::string writeW(const std::string &name, const std::string &dtype,
                     const std::string &shape, const std::string &offsets,
                     const std::string &data) {
    return writeRaw(name,
                    "{\"w\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape +
                        ",\"data_offsets\":" + offsets + "}}",
                    data);
  }
  Status open(const std::string &p) {
    SafetensorsReader reader;
    return reader.open(p);
  }
};

TEST_F(Safetensors, RoundTrip) {
  const float a[6] = {1, 2, 3, 4, 5, 6};
  const int64_t b[2] = {-7, 1LL << 40};
  const uint16_t c[3] = {0x3f80, 0x4000, 0xbf80}; // bf16 1, 2, -1
  const std::string p = path("w.safetensors");
  Status s =
      writeSafetensors(p,
                       {{"h.0.attn.c_attn.weight", DType::F32, {2, 3}, a},
                        {"step", DType::I64, {2}, b},
                        {"scalar_bf16", DType::BF16, {3}, c}},
                       {{"format", "pt"}, {"ptc_model", "x"}});
  ASSERT_TRUE(s.isOk()) << s.message();
  EXPECT_EQ(listDir(), std::vector<std::string>{"w.safetensors"});

  // The raw layout: 8-byte length, a space-padded header, 8-aligned data.
  const std::string bytes = readFile(p);
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ(n % 8, 0u);
  EXPECT_EQ(bytes.size(), 8 + n + 24 + 16 + 6);
  auto header = nlohmann::json::parse(bytes.substr(8, n));
  EXPECT_EQ(header["__metadata__"]["format"], "pt");
  EXPECT_EQ(header["h.0.attn.c_attn.weight"]["dtype"], "F32");
  EXPECT_EQ(header["h.0.attn.c_attn.weight"]["shape"], nlohmann::json({2, 3}));
  EXPECT_EQ(header["h.0.attn.c_attn.weight"]["data_offsets"],
            nlohmann::json({0, 24}));
  EXPECT_EQ(header["step"]["data_offsets"], nlohmann::json({24, 40}));
  EXPECT_EQ(header["scalar_bf16"]["dtype"], "BF16");

  SafetensorsReader reader;
  s = reader.open(p);
  ASSERT_TRUE(s.isOk()) << s.message();
  ASSERT_EQ(reader.tensors().size(), 3u);
  EXPECT_EQ(reader.metadata().at("ptc_model"), "x");
  const SafetensorsEntry *e = reader.find("h.0.attn.c_attn.weight");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->type, DType::F32);
  EXPECT_EQ(e->shape, (std::vector<int64_t>{2, 3}));
  float a2[6];
  ASSERT_TRUE(reader.read(*e, a2).isOk());
  EXPECT_EQ(std::memcmp(a, a2, sizeof(a)), 0);
  int64_t b2[2];
  ASSERT_TRUE(reader.read(*reader.find("step"), b2).isOk());
  EXPECT_EQ(b2[1], 1LL << 40);
  uint16_t c2[3];
  ASSERT_TRUE(reader.read(*reader.find("scalar_bf16"), c2).isOk());
  EXPECT_EQ(c2[2], 0xbf80);
}

TEST_F(Safetensors, HeaderErrorsNameTheFile) {
  const std::string eight(8, '\0');
  struct Case {
    std::string file, expected;
  };
  std::string tiny = path("tiny");
  writeFile(tiny, "abc");
  const std::vector<Case> cases = {
      {path("missing"), "cannot open"},
      {tiny, "truncated: 3 bytes, too short"},
      {writeRaw("huge", "{}", "", 1LL << 40),
       "bad header length 1099511627776"},
      {writeRaw("long", "{}", "", 4096), "bad header length 4096"},
      {writeRaw("json", "{\"w\": [1, 2", ""),
       "the header is not a JSON object"},
      {writeRaw("array", "[1, 2]", ""), "the header is not a JSON object"},
      {writeRaw("meta", "{\"__metadata__\": {\"a\": 1}}", ""),
       "\"__metadata__\" entry \"a\" is not a string"},
      {writeW("dtype", "F8_E4M3", "[2]", "[0, 2]", "xx"),
       "tensor 'w': unsupported dtype \"F8_E4M3\""},
      {writeRaw("fields", "{\"w\": {\"dtype\": \"F32\"}}", ""),
       "tensor 'w': needs \"dtype\", \"shape\" and \"data_offsets\""},
      {writeW("shape", "F32", "[-2]", "[0, 8]", eight),
       "\"shape\" [-2] is not a list of sizes"},
      {writeW("offsets", "F32", "[2]", "[0]", eight),
       "\"data_offsets\" is not a pair"},
      {writeW("size", "F32", "[3]", "[0, 8]", eight),
       "\"data_offsets\" [0,8] span 8 bytes but a F32 [3] tensor has 12"},
      {writeW("truncated", "F32", "[2]", "[0, 8]", "1234"),
       "truncated: the header describes 8 bytes of tensor data but the file "
       "holds 4"},
      {writeW("trailing", "F32", "[2]", "[0, 8]", eight + "x"),
       "1 bytes after the tensor data"},
      {writeRaw(
           "overlap",
           "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
           "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
           eight),
       "overlaps tensor"},
      {writeRaw(
           "gap",
           "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
           eight),
       "bytes 0..4 of the data belong to no tensor"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.file);
    Status s = open(c.file);
    EXPECT_FALSE(s.isOk());
    EXPECT_CONTAINS(s.message(), "safetensors file '" + c.file + "': ");
    EXPECT_CONTAINS(s.message(), c.expected);
  }
}

// saveWeights / loadWeights against the fake model's parameter "w" f32 [2].
class Weights : public Safetensors {
protected:
  void SetUp() override {
    Safetensors::SetUp();
    device_ = createCpuDevice();
    arenas_ = std::make_unique<DeviceArenas>(*device_);
    ASSERT_TRUE(arenas_->allocate(model_).isOk());
  }
  void setW(float w0, float w1) {
    const float w[2] = {w0, w1};
    ASSERT_TRUE(arenas_->write(model_.params[0], w).isOk());
  }
  std::vector<float> getW() {
    std::vector<float> w(2);
    EXPECT_TRUE(arenas_->read(model_.params[0], w.data()).isOk());
    return w;
  }
  Status load(const std::string &p) { return loadWeights(p, model_, *arenas_); }

  ptc::abi::Model model_ = fake::model();
  std::unique_ptr<Device> device_;
  std::unique_ptr<DeviceArenas> arenas_;
};

TEST_F(Weights, SaveThenLoad) {
  setW(1.5f, -2.25f);
  const std::string p = path("w.safetensors");
  Status s = saveWeights(p, model_, *arenas_, 17);
  ASSERT_TRUE(s.isOk()) << s.message();
  SafetensorsReader reader;
  ASSERT_TRUE(reader.open(p).isOk());
  EXPECT_EQ(reader.metadata().at("format"), "pt");
  EXPECT_EQ(reader.metadata().at("ptc_model"), "linear");
  EXPECT_EQ(reader.metadata().at("ptc_step"), "17");
  setW(0, 0);
  s = load(p);
  ASSERT_TRUE(s.isOk()) << s.message();
  EXPECT_EQ(getW(), (std::vector<float>{1.5f, -2.25f}));
}

TEST_F(Weights, MismatchesNameTheTensorAndTheFile) {
  const float two[2] = {1, 2}, three[3] = {1, 2, 3};
  const double twoF64[2] = {1, 2};
  struct Case {
    std::string name;
    std::vector<TensorView> tensors;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"dtype",
       {{"w", DType::F64, {2}, twoF64}},
       "tensor 'w' is F64 [2], the model's parameter is F32 [2]"},
      {"shape",
       {{"w", DType::F32, {3}, three}},
       "tensor 'w' is F32 [3], the model's parameter is F32 [2]"},
      {"rank",
       {{"w", DType::F32, {1, 2}, two}},
       "tensor 'w' is F32 [1, 2], the model's parameter is F32 [2]"},
      {"missing",
       {{"v", DType::F32, {2}, two}},
       "missing tensor 'w' (F32 [2])"},
      {"extra",
       {{"w", DType::F32, {2}, two}, {"b", DType::F32, {3}, three}},
       "unexpected tensor 'b': model 'linear' has no parameter of that name"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.name);
    const std::string p = path(c.name + ".safetensors");
    ASSERT_TRUE(writeSafetensors(p, c.tensors, {}).isOk());
    setW(9, 9);
    Status s = load(p);
    EXPECT_FALSE(s.isOk());
    EXPECT_CONTAINS(s.message(), "weights '" + p + "': " + c.expected);
    EXPECT_EQ(getW(), (std::vector<float>{9, 9})) << "nothing was loaded";
  }
}

TEST_F(Weights, TruncatedFileIsAnError) {
  setW(1, 2);
  const std::string p = path("w.safetensors");
  ASSERT_TRUE(saveWeights(p, model_, *arenas_, 0).isOk());
  const std::string bytes = readFile(p);
  writeFile(p, bytes.substr(0, bytes.size() - 3));
  Status s = load(p);
  EXPECT_FALSE(s.isOk());
  EXPECT_CONTAINS(s.message(), "'" + p + "': truncated");
}

} // namespace
