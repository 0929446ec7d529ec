// A vCPU's whole state through a real KVM-HV's ONE_REG interface, as a
// snapshot or an accelerator switch moves it: what one vCPU gives, another
// takes and gives back unchanged; the decrementer keeps its distance to the
// guest timebase, which set_timebase moves forward and never back.
#include <sys/mman.h>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "kvm_accelerator.hpp"

namespace {

constexpr std::uint64_t kRamBytes = 64 << 20;
// SPR numbers (Power ISA 2.07 Book III-S 1.3.5 and Book II).
constexpr std::uint32_t kPmc1 = 787, kMmcr0 = 795, kSiar = 796, kEbbHandler = 804, kDawr0 = 180, kUamor = 157;

class KvmVcpuStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    void* ram = mmap(nullptr, kRamBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    ASSERT_NE(ram, MAP_FAILED);
    ram_ = ram;
    memory_ = std::make_unique<mosaic::GuestMemory>(static_cast<std::byte*>(ram), kRamBytes);
    accelerator_ = mosaic::kvm::create_kvm_accelerator("/dev/kvm", *memory_, spdlog::default_logger());
    ASSERT_TRUE(accelerator_->capabilities().saves_state);
  }
  void TearDown() override {
    accelerator_.reset();
    munmap(ram_, kRamBytes);
  }

  void* ram_ = nullptr;
  std::unique_ptr<mosaic::GuestMemory> memory_;
  std::unique_ptr<mosaic::Accelerator> accelerator_;
};

TEST_F(KvmVcpuStateTest, TimebaseIsSetForwardInStepsOf2To24) {
  auto vcpu = accelerator_->create_vcpu(0);
  const std::uint64_t target = std::uint64_t{1} << 44;
  accelerator_->set_timebase(target);
  const std::uint64_t first = accelerator_->timebase();
  EXPECT_GE(first, target);
  EXPECT_LT(first, target + (std::uint64_t{1} << 24) + (std::uint64_t{1} << 30));  // rounding, and a second or two
  EXPECT_GE(accelerator_->timebase(), first);
  // A vCPU made afterwards shares it.
  auto later = accelerator_->create_vcpu(1);
  EXPECT_GE(later->save_state().registers.tb, first);
}

TEST_F(KvmVcpuStateTest, WhatOneVcpuGivesAnotherTakes) {
  auto source = accelerator_->create_vcpu(0);
  auto target = accelerator_->create_vcpu(1);
  mosaic::VcpuState state = source->save_state();
  ASSERT_TRUE(state.vpa.has_value());
  for (unsigned i = 0; i < 32; ++i) state.registers.gpr[i] = 0x1111111111111111ull * (i % 15) + i;
  state.registers.nip = 0x4000;
  state.registers.lr = 0xc000000000001234ull;
  state.registers.ctr = 77;
  state.registers.fpr[3] = 0x400921fb54442d18ull;
  state.registers.vr[31] = {0x0123456789abcdefull, 0xfedcba9876543210ull};
  state.registers.tb = accelerator_->timebase();
  state.registers.dec = 200'000'000;  // about 0.4 s at 512 MHz
  state.sprs[kPmc1] = 0x1234;
  state.sprs[kMmcr0] = 0x80000000;  // FC: counters frozen
  state.sprs[kSiar] = 0xc000000000abcdefull;
  state.sprs[kEbbHandler] = 0x10002000;
  state.sprs[kDawr0] = 0x20000;
  state.sprs[kUamor] = 0xffff000000000000ull;
  state.sprs[4000] = 1;  // no such SPR here: left out
  state.vpa = mosaic::VpaRegistration{0x10000, 0x10400, 0x400, 0x11000, 48 * 16};
  target->load_state(state);

  const mosaic::VcpuState back = target->save_state();
  EXPECT_EQ(back.registers.gpr, state.registers.gpr);
  EXPECT_EQ(back.registers.nip, state.registers.nip);
  EXPECT_EQ(back.registers.lr, state.registers.lr);
  EXPECT_EQ(back.registers.ctr, state.registers.ctr);
  EXPECT_EQ(back.registers.fpr[3], state.registers.fpr[3]);
  EXPECT_EQ(back.registers.vr[31], state.registers.vr[31]);
  EXPECT_EQ(back.registers.pir, 1u);
  for (const std::uint32_t number : {kPmc1, kMmcr0, kSiar, kEbbHandler, kDawr0, kUamor}) {
    EXPECT_EQ(back.sprs.at(number), state.sprs.at(number)) << "SPR " << number;
  }
  EXPECT_FALSE(back.sprs.contains(4000));
  EXPECT_EQ(back.vpa, state.vpa);
  // The decrementer counted down only by the time that passed.
  const auto dec = static_cast<std::int32_t>(back.registers.dec);
  EXPECT_LE(dec, 200'000'000);
  EXPECT_GT(dec, 200'000'000 - (std::int64_t{512} << 21));  // under 2 s
  EXPECT_GE(back.registers.tb, state.registers.tb);

  // Deregistering goes inside-out, which KVM insists on.
  state.vpa = mosaic::VpaRegistration{};
  target->load_state(state);
  EXPECT_EQ(target->save_state().vpa, mosaic::VpaRegistration{});
}

TEST_F(KvmVcpuStateTest, AVcpuMadeAgainKeepsNothingOfTheLastBoot) {
  auto first = accelerator_->create_vcpu(0);
  mosaic::VcpuState state = first->save_state();
  state.sprs[kPmc1] = 0x1234;
  state.sprs[kEbbHandler] = 0x10002000;
  state.vpa = mosaic::VpaRegistration{0x10000, 0x10400, 0x400, 0x11000, 48 * 16};
  first->load_state(state);
  first.reset();

  // A machine reset makes its vCPUs again; KVM hands back the same one.
  const mosaic::VcpuState again = accelerator_->create_vcpu(0)->save_state();
  EXPECT_EQ(again.vpa, mosaic::VpaRegistration{});
  EXPECT_EQ(again.sprs.at(kPmc1), 0u);
  EXPECT_EQ(again.sprs.at(kEbbHandler), 0u);
  EXPECT_EQ(again.sprs.at(kMmcr0), 0x80000000u);
}

}  // namespace
