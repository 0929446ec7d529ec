// The machine check interrupt for accesses that reach nothing: the machine
// fails the MMIO exit, and the replayed instruction takes 0x200 with what
// POWER8 reports (Book III 6.5.2; SRR1 and DSISR as Linux's mce_power.c
// decodes a POWER8 link timeout), or stops the vCPU when MSR[ME] is 0.
// Also a second one in a row: the partition's handler cannot re-enable
// machine checks itself.
#include "cpu_fixture.hpp"

namespace mosaic::interp::test {
namespace {

constexpr std::uint32_t kSystemCallHypervisor = 0x44000022;  // sc 1
constexpr std::uint64_t kNothingThere = 0x200000;            // beyond the 1 MiB of RAM
constexpr std::uint64_t kMachineCheckEnable = 1ull << 12;
constexpr std::uint64_t kSrr1LoadStore = 1ull << (63 - 42);
constexpr std::uint64_t kSrr1FetchLinkTimeout = 0x08000000;
constexpr std::uint32_t kDsisrLinkTimeout = 0x2000;

class MachineCheckTest : public CpuFixture {
 protected:
  MachineCheckTest() {
    cpu.set_msr(cpu.state.msr | kMachineCheckEnable);
    poke<std::uint32_t>(0x200, kSystemCallHypervisor);  // the handler exits at once
  }
  const VcpuExit& run() {
    cpu.run(stop, external);
    return cpu.exit();
  }
  // Runs until the access to nothing exits, fails it, and runs on.
  const VcpuExit& run_failing_the_access() {
    const VcpuExit& access = run();
    EXPECT_EQ(access.reason, ExitReason::mmio);
    EXPECT_EQ(access.mmio.address, kNothingThere);
    cpu.fail_mmio();
    return run();
  }
  std::atomic<bool> stop{false};
  std::atomic<bool> external{false};
};

TEST_F(MachineCheckTest, LoadFromNothingTakesALoadStoreMachineCheckAtTheInstruction) {
  poke<std::uint32_t>(kCodeAddress, 0x80640000);  // lwz r3,0(r4)
  // Real mode ignores the top four address bits; DAR gets the effective address.
  const std::uint64_t effective = 0xc000000000000000ull | kNothingThere;
  cpu.state.gpr[4] = effective;
  cpu.state.gpr[3] = 0x5555;
  ASSERT_EQ(run_failing_the_access().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.state.nip, 0x204u);
  EXPECT_EQ(cpu.state.srr0, kCodeAddress);
  EXPECT_EQ(cpu.state.srr1 & 0x783f0000, kSrr1LoadStore);
  EXPECT_NE(cpu.state.srr1 & ppc::msr::kSixtyFour, 0u);
  EXPECT_NE(cpu.state.srr1 & kMachineCheckEnable, 0u);
  EXPECT_EQ(cpu.state.dsisr, kDsisrLinkTimeout);
  EXPECT_EQ(cpu.state.dar, effective);
  // Reflected to the partition as KVM-HV does: ME stays 1, since the
  // partition could never set it again.
  EXPECT_NE(cpu.state.msr & kMachineCheckEnable, 0u);
  EXPECT_EQ(cpu.state.gpr[3], 0x5555u);  // the load did not complete
}

TEST_F(MachineCheckTest, TheHandlerCanReturnAndTakeAnother) {
  poke<std::uint32_t>(kCodeAddress, 0x80640000);  // lwz r3,0(r4)
  poke<std::uint32_t>(0x200, 0x4c000024);         // rfid: back to the load
  cpu.state.gpr[4] = kNothingThere;
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(run().reason, ExitReason::mmio) << "access " << i;
    cpu.fail_mmio();
  }
}

TEST_F(MachineCheckTest, StoreToNothingTakesTheSameMachineCheck) {
  poke<std::uint32_t>(kCodeAddress, 0x90640000);  // stw r3,0(r4)
  cpu.state.gpr[4] = kNothingThere;
  ASSERT_EQ(run_failing_the_access().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.state.srr0, kCodeAddress);
  EXPECT_EQ(cpu.state.srr1 & 0x783f0000, kSrr1LoadStore);
  EXPECT_EQ(cpu.state.dar, kNothingThere);
}

TEST_F(MachineCheckTest, AnAccessThatReachesADeviceTakesNone) {
  poke<std::uint32_t>(kCodeAddress, 0x80640000);  // lwz r3,0(r4)
  poke<std::uint32_t>(kCodeAddress + 4, kSystemCallHypervisor);
  cpu.state.gpr[4] = kNothingThere;
  ASSERT_EQ(run().reason, ExitReason::mmio);
  cpu.complete_mmio_read(0);
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.state.nip, kCodeAddress + 8);
  EXPECT_NE(cpu.state.msr & kMachineCheckEnable, 0u);
}

TEST_F(MachineCheckTest, FetchingFromNothingTakesAnInstructionFetchMachineCheck) {
  cpu.state.nip = kNothingThere;
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.state.srr0, kNothingThere);
  EXPECT_EQ(cpu.state.srr1 & 0x783f0000, kSrr1FetchLinkTimeout);
}

// With MSR[ME] = 0 (only a debugger can put it there in a partition) the
// processor stops for good: every later run ends at once.
TEST_F(MachineCheckTest, AMachineCheckWithMachineChecksDisabledIsACheckstop) {
  cpu.set_msr(cpu.state.msr & ~kMachineCheckEnable);
  poke<std::uint32_t>(kCodeAddress, 0x80640000);  // lwz r3,0(r4)
  cpu.state.gpr[4] = kNothingThere;
  const VcpuExit& halted = run_failing_the_access();
  ASSERT_EQ(halted.reason, ExitReason::halted);
  EXPECT_NE(halted.halt_reason.find("checkstop"), std::string::npos) << halted.halt_reason;
  EXPECT_EQ(cpu.state.nip, kCodeAddress);
  EXPECT_EQ(run().reason, ExitReason::halted);
}

}  // namespace
}  // namespace mosaic::interp::test
