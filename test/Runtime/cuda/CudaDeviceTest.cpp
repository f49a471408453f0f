//===- CudaDeviceTest.cpp - The CUDA Device of the training loop ----------===//

#include "runtime/cuda/cuda_device.h"

#include "test/Runtime/cuda/CudaTestUtil.h"

#include <cstring>
#include <string>
#include <vector>

namespace {

using namespace ptc::rt;

TEST(CudaDevice, NoGpuIsAClearError) {
  if (ptc::test::haveHopperGpu()) {
    Status error;
    EXPECT_EQ(train::createCudaDevice(99, &error), nullptr);
    EXPECT_NE(error.message().find("does not exist"), std::string::npos)
        << error.message();
    return;
  }
  Status error;
  EXPECT_EQ(train::createCudaDevice(0, &error), nullptr);
  EXPECT_FALSE(error.isOk());
  EXPECT_EQ(error.message().find('\n'), std::string::npos);
  EXPECT_EQ(error.message().rfind("cuda", 0), 0u) << error.message();
}

TEST(CudaDevice, ArenasAreZeroedAndCopiesRoundTrip) {
  if (!ptc::test::haveHopperGpu())
    GTEST_SKIP() << "no CUDA GPU of compute capability >= 9.0";
  Status error;
  auto device = train::createCudaDevice(0, &error);
  ASSERT_NE(device, nullptr) << error.message();
  EXPECT_EQ(std::string(device->name()).rfind("cuda:0 ", 0), 0u)
      << device->name();

  uint8_t *a = nullptr, *empty = nullptr;
  ASSERT_TRUE(device->allocate(1000, &a).isOk());
  ASSERT_TRUE(device->allocate(0, &empty).isOk());
  EXPECT_NE(empty, nullptr);
  EXPECT_NE(empty, a);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 256, 0u);
  EXPECT_EQ(device->bytesInUse(), 1000);

  std::vector<uint8_t> back(1000, 0xAB);
  ASSERT_TRUE(device->copyToHost(back.data(), a, 0, 1000).isOk());
  EXPECT_EQ(back, std::vector<uint8_t>(1000, 0));

  const char text[] = "ptc on the GPU";
  ASSERT_TRUE(device->copyToDevice(a, 100, text, sizeof text).isOk());
  char got[sizeof text] = {};
  ASSERT_TRUE(device->copyToHost(got, a, 100, sizeof text).isOk());
  EXPECT_STREQ(got, text);
  EXPECT_TRUE(device->synchronize().isOk());

  Status outside = device->copyToDevice(a, 990, text, sizeof text);
  EXPECT_FALSE(outside.isOk());
  EXPECT_NE(outside.message().find("outside"), std::string::npos);

  device->free(a);
  device->free(empty);
  device->free(nullptr);
  EXPECT_EQ(device->bytesInUse(), 0);
  EXPECT_EQ(device->peakBytes(), 1000);
}

} // namespace
