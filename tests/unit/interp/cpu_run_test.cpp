// The run loop: exits to the machine, MMIO replay and stop requests.
#include <array>
#include <utility>

#include "cpu_fixture.hpp"
#include "mosaic/ppc_hash.hpp"

namespace mosaic::interp::test {
namespace {

constexpr std::uint32_t kSystemCallHypervisor = 0x44000022;  // sc 1
constexpr std::uint64_t kDeviceAddress = 0x200000;           // beyond the 1 MiB of RAM

class CpuRunTest : public CpuFixture {
 protected:
  void place_code(std::initializer_list<std::uint32_t> words) {
    std::uint64_t address = kCodeAddress;
    for (std::uint32_t word : words) {
      poke<std::uint32_t>(address, word);
      address += 4;
    }
  }
  const VcpuExit& run() {
    cpu.run(stop, external);
    return cpu.exit();
  }
  std::atomic<bool> stop{false};
  std::atomic<bool> external{false};
};

// The fixture's vCPU is big-endian and devices answer in bus order, so the
// device's bytes 78 56 34 12 load as 0x78563412.
TEST_F(CpuRunTest, MmioLoadExitsAndTheReplayedInstructionGetsTheValue) {
  place_code({0x80640000, kSystemCallHypervisor});  // lwz r3,0(r4); sc 1
  cpu.state.gpr[4] = kDeviceAddress;
  const VcpuExit& load = run();
  ASSERT_EQ(load.reason, ExitReason::mmio);
  EXPECT_EQ(load.mmio.address, kDeviceAddress);
  EXPECT_EQ(load.mmio.size, 4u);
  EXPECT_FALSE(load.mmio.is_write);
  EXPECT_EQ(cpu.state.nip, kCodeAddress);  // nothing committed yet
  cpu.complete_mmio_read(0x12345678);
  const VcpuExit& call = run();
  ASSERT_EQ(call.reason, ExitReason::hypercall);
  EXPECT_EQ(call.hypercall.args[0], 0x78563412u);
}

// A store reaches a device as the bytes it would have left in RAM, in
// either byte order of the vCPU: a little-endian device register sees the
// same value from a big- and a little-endian guest storing the same bytes.
TEST_F(CpuRunTest, MmioStoresCarryTheBytesRamWouldHoldInBothByteOrders) {
  constexpr std::uint64_t kRamTarget = 0x3000;
  for (const bool little : {false, true}) {
    // stw r3,0(r4); stw r3,0(r5); sc 1
    for (unsigned i = 0; i < 3; ++i) {
      const std::uint32_t words[] = {0x90640000, 0x90650000, kSystemCallHypervisor};
      poke<std::uint32_t>(kCodeAddress + 4 * i, words[i], little);
    }
    cpu.set_msr(little ? cpu.state.msr | ppc::msr::kLittleEndian : cpu.state.msr & ~ppc::msr::kLittleEndian);
    cpu.state.nip = kCodeAddress;
    cpu.state.gpr[3] = 0x11223344;
    cpu.state.gpr[4] = kRamTarget;
    cpu.state.gpr[5] = kDeviceAddress;
    const VcpuExit store = run();
    ASSERT_EQ(store.reason, ExitReason::mmio) << "little-endian: " << little;
    EXPECT_TRUE(store.mmio.is_write);
    EXPECT_EQ(store.mmio.data, peek<std::uint32_t>(kRamTarget, true)) << "little-endian: " << little;
    EXPECT_EQ(run().reason, ExitReason::hypercall);
  }
}

// A process's sc 1 goes to its kernel as a system call (0xc00), as KVM-HV
// reflects it, and never reaches the hypervisor.
TEST_F(CpuRunTest, HypercallFromProblemStateIsASystemCallToTheGuestKernel) {
  cpu.set_msr(cpu.state.msr | ppc::msr::kProblemState);
  execute(kSystemCallHypervisor);
  EXPECT_EQ(cpu.state.nip, 0xc00u);
  EXPECT_EQ(cpu.state.srr0, kCodeAddress + 4);
  EXPECT_NE(cpu.state.srr1 & ppc::msr::kProblemState, 0u);
  EXPECT_EQ(cpu.state.msr & ppc::msr::kProblemState, 0u);
}

// stmw to a device performs one MMIO store per register, each exactly once.
TEST_F(CpuRunTest, EveryMmioAccessOfOneInstructionHappensOnce) {
  place_code({0xbfc40000, kSystemCallHypervisor});  // stmw r30,0(r4); sc 1
  cpu.state.gpr[4] = kDeviceAddress;
  cpu.state.gpr[30] = 0xaaaa;
  cpu.state.gpr[31] = 0xbbbb;
  const VcpuExit first = run();
  ASSERT_EQ(first.reason, ExitReason::mmio);
  EXPECT_EQ(first.mmio.address, kDeviceAddress);
  EXPECT_EQ(first.mmio.data, 0xaaaa0000u);  // bytes 00 00 aa aa, in bus order
  const VcpuExit second = run();
  ASSERT_EQ(second.reason, ExitReason::mmio);
  EXPECT_EQ(second.mmio.address, kDeviceAddress + 4);
  EXPECT_EQ(second.mmio.data, 0xbbbb0000u);
  EXPECT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.state.nip, kCodeAddress + 8);
}

// A snapshot or a switch taken right after the machine answered an MMIO
// load: the load completes with that value before the state is read, and
// nothing after it runs (not even a pending interrupt).
TEST_F(CpuRunTest, FinishingAReplayCompletesTheStoppedLoadAlone) {
  place_code({0x80640000, 0x38a00007, kSystemCallHypervisor});  // lwz r3,0(r4); li r5,7; sc 1
  cpu.state.gpr[4] = kDeviceAddress;
  ASSERT_EQ(run().reason, ExitReason::mmio);
  cpu.complete_mmio_read(0x12345678);
  external = true;
  cpu.set_msr(cpu.state.msr | ppc::msr::kExternalEnable);
  cpu.finish_replay();
  EXPECT_EQ(cpu.state.gpr[3], 0x78563412u);
  EXPECT_EQ(cpu.state.nip, kCodeAddress + 4);
  EXPECT_EQ(cpu.state.gpr[5], 0u);
  // Running on from there (interrupts off) does not load again.
  cpu.set_msr(cpu.state.msr & ~ppc::msr::kExternalEnable);
  const VcpuExit& call = run();
  ASSERT_EQ(call.reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.state.gpr[5], 7u);
}

// A store the machine has performed is not performed again after a
// snapshot: the instruction is complete once the replay is finished.
TEST_F(CpuRunTest, FinishingAReplayDoesNotRepeatAStore) {
  place_code({0x90640000, kSystemCallHypervisor});  // stw r3,0(r4); sc 1
  cpu.state.gpr[4] = kDeviceAddress;
  ASSERT_EQ(run().reason, ExitReason::mmio);
  cpu.finish_replay();
  EXPECT_EQ(cpu.state.nip, kCodeAddress + 4);
  EXPECT_EQ(run().reason, ExitReason::hypercall);
}

// stmw reaches its second access only when replayed: that one the machine
// has not seen, so the instruction is left to run whole later.
TEST_F(CpuRunTest, FinishingAReplayThatNeedsAnotherAccessLeavesTheInstruction) {
  place_code({0xbfc40000, kSystemCallHypervisor});  // stmw r30,0(r4); sc 1
  cpu.state.gpr[4] = kDeviceAddress;
  ASSERT_EQ(run().reason, ExitReason::mmio);
  cpu.finish_replay();
  EXPECT_EQ(cpu.state.nip, kCodeAddress);
  const VcpuExit first = run();
  ASSERT_EQ(first.reason, ExitReason::mmio);
  EXPECT_EQ(first.mmio.address, kDeviceAddress);
}

// Code another vCPU has already decoded changes under it: icbi on the
// writing vCPU must reach the other one's decode cache (icbi broadcasts).
TEST_F(CpuRunTest, IcbiOnOneVcpuInvalidatesCodeDecodedByAnother) {
  constexpr std::uint32_t kLoadOne = 0x38600001;  // li r3,1
  constexpr std::uint32_t kLoadTwo = 0x38600002;  // li r3,2
  constexpr std::uint32_t kIcbiR5 = 0x7c002fac;   // icbi 0,r5
  place_code({kLoadOne, kSystemCallHypervisor});
  Cpu other{memory_system};
  other.set_msr(ppc::msr::kSixtyFour);
  other.state.nip = kCodeAddress;
  other.run(stop, external);
  ASSERT_EQ(other.exit().reason, ExitReason::hypercall);
  EXPECT_EQ(other.exit().hypercall.args[0], 1u);

  ASSERT_TRUE(cpu.store<std::uint32_t>(kCodeAddress, kLoadTwo));
  cpu.state.gpr[5] = kCodeAddress;
  ASSERT_EQ(execute(kIcbiR5), Flow::next);

  other.state.nip = kCodeAddress;
  other.run(stop, external);
  ASSERT_EQ(other.exit().reason, ExitReason::hypercall);
  EXPECT_EQ(other.exit().hypercall.args[0], 2u);
}

// A device's DMA rewrote code a vCPU had decoded: once the write is
// reported, the vCPU executes what memory now holds. A write into a page
// no vCPU executed from publishes nothing.
TEST_F(CpuRunTest, CodeRewrittenOutsideTheVcpuIsDecodedAgainOnceReported) {
  constexpr std::uint32_t kLoadOne = 0x38600001;  // li r3,1
  constexpr std::uint32_t kLoadTwo = 0x38600002;  // li r3,2
  memory.set_write_listener(
      [this](std::uint64_t real, std::uint64_t length) { code_invalidations.host_wrote(real, length); });
  place_code({kLoadOne, kSystemCallHypervisor});
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.exit().hypercall.args[0], 1u);

  const std::uint64_t before = code_invalidations.generation();
  ASSERT_TRUE(memory.write_le<std::uint32_t>(0x8000, 0xdeadbeef));
  EXPECT_EQ(code_invalidations.generation(), before);

  ASSERT_TRUE(memory.write_le<std::uint32_t>(kCodeAddress, __builtin_bswap32(kLoadTwo)));  // big-endian code
  EXPECT_EQ(code_invalidations.generation(), before + 1);
  cpu.state.nip = kCodeAddress;
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.exit().hypercall.args[0], 2u);
  memory.set_write_listener({});
}

// Deterministic mode (DESIGN.md section 5): the timebase is the retired
// instruction count times two, whatever the host clock does.
TEST_F(CpuRunTest, DeterministicTimebaseCountsInstructions) {
  constexpr std::uint32_t kNop = 0x60000000;
  constexpr std::uint32_t kMftbR3 = 0x7c6c42e6;
  place_code({kNop, kNop, kMftbR3, kSystemCallHypervisor});
  cpu.set_deterministic(true);
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.exit().hypercall.args[0], 2 * kTimebaseTicksPerInstruction);
}

// A decrementer that went negative while MSR[EE] was clear is pending:
// writing another negative value keeps it (only a positive one clears it),
// so setting EE then takes the interrupt at 0x900.
TEST_F(CpuRunTest, DecrementerExpiredWithInterruptsMaskedStaysPendingAcrossNegativeWrite) {
  cpu.set_deterministic(true);
  cpu.set_decrementer(10);
  cpu.advance_timebase_to(cpu.timebase() + 100);
  cpu.set_decrementer(0xffffffffu);
  cpu.set_msr(cpu.state.msr | ppc::msr::kExternalEnable);
  place_code({0x48000000});  // b . (only the interrupt leaves it)
  poke<std::uint32_t>(0x900, kSystemCallHypervisor);
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.state.srr0, kCodeAddress);
  EXPECT_NE(cpu.state.srr1 & ppc::msr::kExternalEnable, 0u);
}

// POWER8's decrementer interrupt is a level: pending while DEC is
// negative, including right after mtdec writes a negative value, so a
// handler that leaves DEC negative takes it again on return; a positive DEC
// ends it. Deterministic mode, so the test is exact.
TEST_F(CpuRunTest, DecrementerInterruptIsALevelWhileDecIsNegative) {
  cpu.set_deterministic(true);
  constexpr std::uint32_t kRfid = 0x4c000024;
  constexpr std::uint32_t kMtdecR4 = 0x7c9603a6;  // mtdec r4
  place_code({0x48000000});                      // b .
  poke<std::uint32_t>(0x900, kSystemCallHypervisor);
  poke<std::uint32_t>(0x904, kMtdecR4);
  poke<std::uint32_t>(0x908, kRfid);
  // DEC = 0x80000000 would turn positive one tick later: stay well inside.
  cpu.set_decrementer(0xfff00000u);
  cpu.set_msr(cpu.state.msr | ppc::msr::kExternalEnable);
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.state.srr0, kCodeAddress);

  cpu.state.gpr[4] = 0xfffffffffff00000u;  // negative again
  const std::uint64_t first = cpu.instructions_retired();
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.instructions_retired() - first, 3u);  // mtdec, rfid, sc: nothing of the loop ran

  cpu.state.gpr[4] = 1000;
  const std::uint64_t second = cpu.instructions_retired();
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_GE(cpu.instructions_retired() - second, 1000 / kTimebaseTicksPerInstruction);
}

// Setting MSR[EE] while a decrementer exception exists interrupts before
// the next instruction executes (Book III, mtmsrd's Programming Note; rfid
// is context synchronizing): SRR0 is the next instruction, and nothing
// after it ran, even when it lies in the same page.
TEST_F(CpuRunTest, SettingEeWithADecrementerPendingInterruptsBeforeTheNextInstruction) {
  constexpr std::uint32_t kMtmsrdR4L1 = 0x7c810164;  // mtmsrd r4,1
  constexpr std::uint32_t kAddiR3 = 0x38630001;     // addi r3,r3,1
  cpu.set_deterministic(true);
  cpu.set_decrementer(0xfff00000u);
  poke<std::uint32_t>(0x900, kSystemCallHypervisor);
  place_code({kMtmsrdR4L1, kAddiR3, kAddiR3, kSystemCallHypervisor});
  cpu.state.gpr[4] = cpu.state.msr | ppc::msr::kExternalEnable;
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.state.srr0, kCodeAddress + 4);
  EXPECT_EQ(cpu.state.gpr[3], 0u);
}

TEST_F(CpuRunTest, RfidSettingEeWithADecrementerPendingInterruptsBeforeItsTarget) {
  constexpr std::uint32_t kRfid = 0x4c000024;
  constexpr std::uint32_t kAddiR3 = 0x38630001;  // addi r3,r3,1
  cpu.set_deterministic(true);
  cpu.set_decrementer(0xfff00000u);
  poke<std::uint32_t>(0x900, kSystemCallHypervisor);
  place_code({kRfid, kAddiR3, kAddiR3, kSystemCallHypervisor});
  cpu.state.srr0 = kCodeAddress + 8;
  cpu.state.srr1 = cpu.state.msr | ppc::msr::kExternalEnable;
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.state.srr0, kCodeAddress + 8);
  EXPECT_EQ(cpu.state.gpr[3], 0u);
}

// VMX and VSX instructions run unsettled in a chain only while MSR enables
// their facility; with it off, the facility-unavailable interrupt is precise
// (Book III 6.5.12, 6.5.13): SRR0 is the instruction, what came before it
// ran and nothing after it did.
TEST_F(CpuRunTest, VectorInstructionsInAChainTakeTheirUnavailableInterruptsPrecisely) {
  constexpr std::uint32_t kAddiR3 = 0x38630001;  // addi r3,r3,1
  constexpr std::uint32_t kVaddubm = 0x10611000;  // vaddubm v3,v1,v2
  constexpr std::uint32_t kXxlor = 0xf0011490;    // xxlor vs0,vs1,vs2
  poke<std::uint32_t>(0xf20, kSystemCallHypervisor);
  poke<std::uint32_t>(0xf40, kSystemCallHypervisor);
  place_code({kAddiR3, kVaddubm, kXxlor, kAddiR3, kSystemCallHypervisor});
  cpu.state.vr[1] = {0x0102030405060708, 0x1112131415161718};
  cpu.state.vr[2] = {0x1010101010101010, 0x2020202020202020};
  cpu.state.set_vsr(1, {0x00ff00ff00ff00ff, 1});
  cpu.state.set_vsr(2, {0xff00ff00ff00ff00, 2});
  const std::uint64_t msr = cpu.state.msr & ~(msr_bit::kVector | msr_bit::kVsx);

  cpu.set_msr(msr);
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.state.srr0, kCodeAddress + 4);  // vector unavailable, at 0xf20
  EXPECT_EQ(cpu.state.gpr[3], 1u);
  EXPECT_EQ(cpu.state.vr[3], (std::array<std::uint64_t, 2>{0, 0}));

  cpu.state.gpr[3] = 0;
  cpu.state.nip = kCodeAddress;
  cpu.set_msr(msr | msr_bit::kVector);
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.state.srr0, kCodeAddress + 8);  // VSX unavailable, at 0xf40
  EXPECT_EQ(cpu.state.gpr[3], 1u);
  EXPECT_EQ(cpu.state.vr[3], (std::array<std::uint64_t, 2>{0x1112131415161718, 0x3132333435363738}));
  EXPECT_EQ(cpu.state.vsr(0), (std::array<std::uint64_t, 2>{0, 0}));

  cpu.state.gpr[3] = 0;
  cpu.state.nip = kCodeAddress;
  cpu.state.srr0 = 0;
  cpu.set_msr(msr | msr_bit::kVector | msr_bit::kVsx);
  const std::uint64_t before = cpu.instructions_retired();
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.instructions_retired() - before, 5u);
  EXPECT_EQ(cpu.state.srr0, 0u);
  EXPECT_EQ(cpu.state.gpr[3], 2u);
  EXPECT_EQ(cpu.state.vsr(0), (std::array<std::uint64_t, 2>{0xffffffffffffffff, 3}));
}

// lvx/stvx, lxvd2x/stxvd2x and lxvw4x/stxvw4x through the run loop, on a
// soft-TLB miss and then a hit, in both byte orders (Book I 6.7.2, 7.6.1):
// lvx reads the quadword as one number in the current order; lxvd2x and
// lxvw4x read each element in that order and keep element 0 at EA. The
// stores put back the bytes the loads read.
TEST_F(CpuRunTest, VectorLoadsAndStoresMoveSixteenBytesInEitherByteOrder) {
  constexpr std::uint64_t kData = 0x8000, kCopies = 0x9000;
  const std::array<std::uint32_t, 7> code = {
      0x7c2020ce,  // lvx v1,0,r4
      0x7c2029ce,  // stvx v1,0,r5
      0x7c402698,  // lxvd2x vs2,0,r4
      0x7c403798,  // stxvd2x vs2,0,r6
      0x7c602618,  // lxvw4x vs3,0,r4
      0x7c603f18,  // stxvw4x vs3,0,r7
      kSystemCallHypervisor};
  using Quad = std::array<std::uint64_t, 2>;
  struct Order {
    bool little;
    Quad lvx, lxvd2x, lxvw4x;
  };
  const Order orders[] = {
      {false, {0x0001020304050607, 0x08090a0b0c0d0e0f}, {0x0001020304050607, 0x08090a0b0c0d0e0f},
       {0x0001020304050607, 0x08090a0b0c0d0e0f}},
      {true, {0x0f0e0d0c0b0a0908, 0x0706050403020100}, {0x0706050403020100, 0x0f0e0d0c0b0a0908},
       {0x0302010007060504, 0x0b0a09080f0e0d0c}},
  };
  for (const Order& order : orders) {
    cpu.set_msr((cpu.state.msr & ~ppc::msr::kLittleEndian) | msr_bit::kVector | msr_bit::kVsx |
                (order.little ? ppc::msr::kLittleEndian : 0));
    for (std::size_t i = 0; i < code.size(); ++i) poke<std::uint32_t>(kCodeAddress + 4 * i, code[i], order.little);
    for (const char* pass : {"TLB miss", "TLB hit"}) {
      for (unsigned i = 0; i < 16; ++i) poke<std::uint8_t>(kData + i, static_cast<std::uint8_t>(i));
      for (unsigned i = 0; i < 48; ++i) poke<std::uint8_t>(kCopies + i, 0xee);
      cpu.state.gpr[4] = kData;
      for (unsigned i = 0; i < 3; ++i) cpu.state.gpr[5 + i] = kCopies + 16 * i;
      cpu.state.nip = kCodeAddress;
      ASSERT_EQ(run().reason, ExitReason::hypercall) << pass;
      EXPECT_EQ(cpu.state.vr[1], order.lvx) << pass << (order.little ? " LE" : " BE");
      EXPECT_EQ(cpu.state.vsr(2), order.lxvd2x) << pass << (order.little ? " LE" : " BE");
      EXPECT_EQ(cpu.state.vsr(3), order.lxvw4x) << pass << (order.little ? " LE" : " BE");
      for (unsigned i = 0; i < 48; ++i) {
        ASSERT_EQ(peek<std::uint8_t>(kCopies + i), i % 16) << pass << " byte " << i;
      }
    }
  }
}

// A write watchpoint reports the data address before the store is
// performed (as POWER's DAWR does), also when the page was already in the
// TLB; a read does not trigger it.
TEST_F(CpuRunTest, WriteWatchpointStopsBeforeTheStore) {
  constexpr std::uint64_t kWatched = 0x3000;
  // lwz r5,0(r4); stw r3,4(r4); stw r3,0(r4); sc 1
  place_code({0x80a40000, 0x90640004, 0x90640000, kSystemCallHypervisor});
  cpu.state.gpr[3] = 0xfeed;
  cpu.state.gpr[4] = kWatched;
  std::uint32_t warm = 0;
  ASSERT_TRUE(cpu.store(kWatched, warm));  // puts the page in the TLB
  GuestDebug debug;
  debug.watchpoints.push_back(Watchpoint{kWatched, 4, WatchKind::write});
  cpu.run(stop, external, &debug);
  ASSERT_EQ(cpu.exit().reason, ExitReason::debug);
  EXPECT_EQ(cpu.exit().debug.cause, DebugCause::watchpoint);
  EXPECT_EQ(cpu.exit().debug.address, kWatched);
  EXPECT_EQ(cpu.state.nip, kCodeAddress + 8);
  EXPECT_EQ(peek<std::uint32_t>(kWatched), 0u);
  // Without watchpoints the run goes on to the hypercall.
  EXPECT_EQ(run().reason, ExitReason::hypercall);
}

// An instruction that stores over its own word still completes with its
// own operands (the run loop executes decoded entries in place), and the
// next execution of that word runs what memory now holds.
TEST_F(CpuRunTest, StoreOverTheExecutingInstructionKeepsItsOperands) {
  place_code({0x94640000, kSystemCallHypervisor, 0x4bfffff8});  // stwu r3,0(r4); sc 1; b .-8
  cpu.state.gpr[0] = 0x5a5a;
  cpu.state.gpr[3] = 0x38a00007;  // li r5,7
  cpu.state.gpr[4] = kCodeAddress;
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.state.gpr[4], kCodeAddress) << "the update form wrote its own RA";
  EXPECT_EQ(cpu.state.gpr[0], 0x5a5au);
  EXPECT_EQ(peek<std::uint32_t>(kCodeAddress), 0x38a00007u);
  // Back at the start: the new word (li r5,7) runs, then sc 1 again.
  cpu.state.nip = kCodeAddress;
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.state.gpr[5], 7u);
}

// Chained dispatch falls off a page's last word into the next page, and
// every instruction is counted once.
TEST_F(CpuRunTest, StraightLineCodeRunsAcrossAPageEnd) {
  constexpr std::uint32_t kAddOne = 0x38630001;  // addi r3,r3,1
  cpu.state.nip = 0x1ff8;
  for (std::uint64_t address : {0x1ff8, 0x1ffc, 0x2000}) poke<std::uint32_t>(address, kAddOne);
  poke<std::uint32_t>(0x2004, kSystemCallHypervisor);
  const std::uint64_t before = cpu.instructions_retired();
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.state.gpr[3], 3u);
  EXPECT_EQ(cpu.state.nip, 0x2008u);
  EXPECT_EQ(cpu.instructions_retired() - before, 4u);
}

// A straight run longer than the run loop's check interval (256) is
// chained without a budget test per instruction; the count stays exact and
// nothing is run twice: 600 x addi r3,r3,1; sc 1.
TEST_F(CpuRunTest, StraightRunsLongerThanTheBudgetRetireEveryInstructionOnce) {
  constexpr unsigned kRun = 600;
  for (unsigned i = 0; i < kRun; ++i) poke<std::uint32_t>(kCodeAddress + 4 * i, 0x38630001);
  poke<std::uint32_t>(kCodeAddress + 4 * kRun, kSystemCallHypervisor);
  const std::uint64_t before = cpu.instructions_retired();
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.state.gpr[3], kRun);
  EXPECT_EQ(cpu.state.nip, kCodeAddress + 4 * kRun + 4);
  EXPECT_EQ(cpu.instructions_retired() - before, kRun + 1);
}

// Instructions that work on registers alone leave nip and the retired
// count behind them; a load after them that leaves the soft TLB's hit path
// (here for MMIO) finds both brought up to date: the exit names the load,
// and only what ran before it is counted (the load retires once, when it
// is replayed with the device's answer). The first pass fills the soft
// TLB, so that the lbz misses it, then hits it in the second.
// li r3,1; addi r3,r3,1; lbz r6,0(r5); lwz r7,0(r4) (MMIO); sc 1.
TEST_F(CpuRunTest, AccessLeavingTheTlbAfterRegisterOnlyInstructionsIsPrecise) {
  place_code({0x38600001, 0x38630001, 0x88c50000, 0x80e40000, kSystemCallHypervisor});
  cpu.state.gpr[4] = kDeviceAddress;
  cpu.state.gpr[5] = kCodeAddress;  // its first byte is 0x38
  for (const char* pass : {"TLB miss", "TLB hit"}) {
    cpu.state.nip = kCodeAddress;
    const std::uint64_t before = cpu.instructions_retired();
    ASSERT_EQ(run().reason, ExitReason::mmio) << pass;
    EXPECT_EQ(cpu.state.nip, kCodeAddress + 12) << pass;
    EXPECT_EQ(cpu.instructions_retired() - before, 3u) << pass;
    EXPECT_EQ(cpu.state.gpr[3], 2u) << pass;
    EXPECT_EQ(cpu.state.gpr[6], 0x38u) << pass;
    cpu.complete_mmio_read(0x12345678);
    ASSERT_EQ(run().reason, ExitReason::hypercall) << pass;
    EXPECT_EQ(cpu.state.gpr[7], 0x78563412u) << pass;  // bus order, as in the first test
    EXPECT_EQ(cpu.instructions_retired() - before, 5u) << pass;
  }
}

// An access whose last bytes lie in the next page takes the slow path even
// when the soft TLB maps its first page (and, the second time, both), and
// reaches each page where it translates: with data translation on,
// effective 0x10000000 maps to real 0x30000 and 0x10001000 below it, to
// 0x20000. stb r3,0(r5); lbz r6,0(r5) (filling the TLB for the first page);
// stw r3,0xffe(r5); ld r4,0xffc(r5); sc 1.
TEST_F(CpuRunTest, AccessesAcrossAPageEndReachBothPages) {
  constexpr std::uint64_t kSegment = 0x10000000, kVsid = 0x123;
  constexpr std::uint64_t kFirstReal = 0x30000, kSecondReal = 0x20000;
  constexpr unsigned kOrder = 18;
  memory_system.segment_page_sizes = {{12, 0x000, {{12, 0}}}};  // 4 KiB pages only
  ASSERT_EQ(hash_page_table.allocate(kOrder), ppc::HptStatus::ok);
  for (const auto& [page, real] : {std::pair{kSegment, kFirstReal}, std::pair{kSegment + 0x1000, kSecondReal}}) {
    const std::uint64_t group = (kVsid ^ ((page & 0x0fffffff) >> 12)) & ((1u << (kOrder - 7)) - 1);
    const ppc::Hpte entry{(kVsid << 12) | (((page & 0x0fffffff) >> 23) << 7) | ppc::hpte::kValid, real | 0x190};
    ASSERT_EQ(hash_page_table.write_hpte(group * 8, entry), ppc::HptStatus::ok);
  }
  cpu.state.slb[0] = ppc::SlbEntry{kSegment | ppc::slb::kValid, kVsid << 12};
  cpu.set_msr(cpu.state.msr | ppc::msr::kDataRelocate);
  place_code({0x98650000, 0x88c50000, 0x90650ffe, 0xe8850ffc, kSystemCallHypervisor});
  cpu.state.gpr[5] = kSegment;
  cpu.set_instruction_limit(1000);  // a wrong translation faults in a loop: stop it
  for (const char* pass : {"first", "second"}) {
    poke<std::uint16_t>(kFirstReal + 0xffc, 0xaabb);
    poke<std::uint16_t>(kSecondReal + 2, 0xccdd);
    cpu.state.gpr[3] = 0x11223344;
    cpu.state.nip = kCodeAddress;
    ASSERT_EQ(run().reason, ExitReason::hypercall) << pass;
    EXPECT_EQ(peek<std::uint16_t>(kFirstReal + 0xffe), 0x1122u) << pass;
    EXPECT_EQ(peek<std::uint16_t>(kSecondReal), 0x3344u) << pass;
    EXPECT_EQ(cpu.state.gpr[4], 0xaabb11223344ccddu) << pass;
  }
}

// A loop within one page runs chained from branch to branch; the count
// stays exact: li r4,100; mtctr r4; loop: addi r3,r3,1; bdnz loop; sc 1.
TEST_F(CpuRunTest, LoopsWithinAPageRetireEveryInstructionOnce) {
  place_code({0x38800064, 0x7c8903a6, 0x38630001, 0x4200fffc, kSystemCallHypervisor});
  const std::uint64_t before = cpu.instructions_retired();
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.state.gpr[3], 100u);
  EXPECT_EQ(cpu.instructions_retired() - before, 2u + 2 * 100 + 1);
}

// Chained bc tests the CR bit BI against BO_1 (Book I 2.4): for every BI,
// both senses and both values of the bit, the branch is taken exactly when
// they agree. bc BO,BI,+12; li r3,1; sc 1; li r3,2; sc 1.
TEST_F(CpuRunTest, ChainedConditionalBranchesTestTheirCrBit) {
  for (std::uint32_t bi = 0; bi < 32; ++bi) {
    for (const std::uint32_t bo : {12u, 4u}) {  // branch if the bit is set, if it is clear
      for (const bool bit_set : {false, true}) {
        place_code({0x40000000 | bo << 21 | bi << 16 | 12, 0x38600001, kSystemCallHypervisor, 0x38600002,
                    kSystemCallHypervisor});
        code_invalidations.host_wrote(kCodeAddress, 20);  // as DMA would: the old decode goes
        cpu.state.nip = kCodeAddress;
        cpu.state.cr = bit_set ? 0x80000000u >> bi : 0;
        const std::uint64_t before = cpu.instructions_retired();
        ASSERT_EQ(run().reason, ExitReason::hypercall);
        const bool taken = bit_set == ((bo & 8) != 0);
        EXPECT_EQ(cpu.state.gpr[3], taken ? 2u : 1u) << "BI " << bi << " BO " << bo << " bit " << bit_set;
        EXPECT_EQ(cpu.instructions_retired() - before, 3u);
      }
    }
  }
}

// Relative branches that leave the page, taken or falling through from its
// last word, go on in the next page: at 0x1ff8 "bdnz 0x2010" (taken while
// CTR stays non-zero) then "beq 0x1000" (not taken), then 0x2000 onwards.
TEST_F(CpuRunTest, RelativeBranchesLeaveThePage) {
  constexpr std::uint64_t kLastWords = kCodeAddress + 0xff8;
  poke<std::uint32_t>(kLastWords, 0x42000018);      // bdnz +0x18 (to 0x2010)
  poke<std::uint32_t>(kLastWords + 4, 0x4182f008);  // beq -0xff8 (to kCodeAddress + 4), not taken
  poke<std::uint32_t>(kLastWords + 8, 0x38600003);  // 0x2000: li r3,3
  poke<std::uint32_t>(kLastWords + 12, kSystemCallHypervisor);
  poke<std::uint32_t>(kLastWords + 24, 0x38600004);  // 0x2010: li r3,4
  poke<std::uint32_t>(kLastWords + 28, kSystemCallHypervisor);
  for (const std::uint64_t ctr : {2u, 1u}) {
    cpu.state.nip = kLastWords;
    cpu.state.ctr = ctr;
    cpu.state.cr = 0;
    ASSERT_EQ(run().reason, ExitReason::hypercall);
    EXPECT_EQ(cpu.state.gpr[3], ctr == 2 ? 4u : 3u) << "CTR " << ctr;
  }
}

// A compare and the bc right after it run as one dispatch; the branch
// still tests whichever CR bit BI names, in the compare's field or
// another, and the compare's field holds LT, GT, EQ and SO (Book I 3.3.10).
// cmpwi cr0,r3,5; bc BO,BI,+12; li r4,1; sc 1; li r4,2; sc 1.
TEST_F(CpuRunTest, CompareAndTheBranchAfterItRunTogether) {
  constexpr std::uint32_t kOtherField = 0x00000a00;  // cr5: LT and EQ set, GT and SO clear
  for (const std::int64_t value : {-7, 5, 9}) {
    for (const std::uint32_t bi : {0u, 1u, 2u, 3u, 20u, 21u, 22u}) {
      for (const std::uint32_t bo : {12u, 4u}) {
        place_code({0x2c030005, 0x40000000 | bo << 21 | bi << 16 | 12, 0x38800001, kSystemCallHypervisor,
                    0x38800002, kSystemCallHypervisor});
        code_invalidations.host_wrote(kCodeAddress, 24);
        cpu.state.nip = kCodeAddress;
        cpu.state.gpr[3] = static_cast<std::uint64_t>(value);
        cpu.state.cr = kOtherField;
        cpu.state.set_xer(xer::kSummaryOverflow);
        const std::uint64_t before = cpu.instructions_retired();
        ASSERT_EQ(run().reason, ExitReason::hypercall);
        const std::uint32_t field0 = (value < 5 ? 8u : value > 5 ? 4u : 2u) | 1u;
        EXPECT_EQ(cpu.state.cr, field0 << 28 | kOtherField);
        const bool bit_set = (cpu.state.cr >> (31 - bi)) & 1;
        const bool taken = bit_set == ((bo & 8) != 0);
        EXPECT_EQ(cpu.state.gpr[4], taken ? 2u : 1u) << "r3 " << value << " BI " << bi << " BO " << bo;
        EXPECT_EQ(cpu.instructions_retired() - before, 4u);
      }
    }
  }
}

// A recording form (subf., as a loop's count) and the bne after it run as
// one dispatch; the branch sees CR0 as subf. set it (EQ when the
// difference is zero). li r3,5; loop: addi r4,r4,1; subf. r3,r5,r3; bne
// loop; sc 1, with r5 = 1: five rounds.
TEST_F(CpuRunTest, RecordingFormAndTheBranchAfterItRunTogether) {
  place_code({0x38600005, 0x38840001, 0x7c651851, 0x4082fff8, kSystemCallHypervisor});
  cpu.state.gpr[4] = 0;
  cpu.state.gpr[5] = 1;
  const std::uint64_t before = cpu.instructions_retired();
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.state.gpr[3], 0u);
  EXPECT_EQ(cpu.state.gpr[4], 5u);
  EXPECT_EQ(cpu.state.cr >> 28, 2u);  // EQ
  EXPECT_EQ(cpu.instructions_retired() - before, 1u + 3 * 5 + 1);
}

// A counted loop closed by a compare and a branch, longer than the run
// loop's check interval: every instruction retires once.
// li r3,0; loop: addi r3,r3,1; cmpwi r3,1000; blt loop; sc 1.
TEST_F(CpuRunTest, LoopsClosedByACompareRetireEveryInstructionOnce) {
  place_code({0x38600000, 0x38630001, 0x2c0303e8, 0x4180fff8, kSystemCallHypervisor});
  const std::uint64_t before = cpu.instructions_retired();
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.state.gpr[3], 1000u);
  EXPECT_EQ(cpu.state.nip, kCodeAddress + 20);
  EXPECT_EQ(cpu.instructions_retired() - before, 1u + 3 * 1000 + 1);
}

// The branch after a compare, stored over by the guest, is what runs next
// time, through the soft TLB's miss and then its hit: beq, then nop, then
// beq again. cmpwi r3,0; beq +12; li r4,1; sc 1; li r4,2; sc 1;
// at +24: stw r5,4(r6); sc 1.
TEST_F(CpuRunTest, StoreOverTheBranchAfterACompareIsSeen) {
  constexpr std::uint32_t kBranchIfEqual = 0x41820000 | 12, kNop = 0x60000000;
  place_code({0x2c030000, kBranchIfEqual, 0x38800001, kSystemCallHypervisor, 0x38800002, kSystemCallHypervisor,
              0x90a60004, kSystemCallHypervisor});
  cpu.state.gpr[3] = 0;
  cpu.state.gpr[6] = kCodeAddress;
  for (const std::uint32_t branch_word : {kNop, kBranchIfEqual, kNop}) {
    cpu.state.nip = kCodeAddress;
    ASSERT_EQ(run().reason, ExitReason::hypercall);
    const bool was_branch = peek<std::uint32_t>(kCodeAddress + 4) == kBranchIfEqual;
    EXPECT_EQ(cpu.state.gpr[4], was_branch ? 2u : 1u);
    cpu.state.gpr[5] = branch_word;
    cpu.state.nip = kCodeAddress + 24;
    ASSERT_EQ(run().reason, ExitReason::hypercall);
    ASSERT_EQ(peek<std::uint32_t>(kCodeAddress + 4), branch_word);
  }
  cpu.state.nip = kCodeAddress;
  ASSERT_EQ(run().reason, ExitReason::hypercall);
  EXPECT_EQ(cpu.state.gpr[4], 1u);
}

// A compare on a page's last but one word and its branch on the last: the
// branch leaves the page, taken (beq +0x10, to 0x200c) or not (to 0x2000).
TEST_F(CpuRunTest, BranchAfterACompareLeavesThePage) {
  constexpr std::uint64_t kLastWords = kCodeAddress + 0xff8;
  poke<std::uint32_t>(kLastWords, 0x2c030000);      // cmpwi r3,0
  poke<std::uint32_t>(kLastWords + 4, 0x41820010);  // beq +0x10
  poke<std::uint32_t>(kLastWords + 8, 0x38800003);  // 0x2000: li r4,3
  poke<std::uint32_t>(kLastWords + 12, kSystemCallHypervisor);
  poke<std::uint32_t>(kLastWords + 20, 0x38800004);  // 0x200c: li r4,4
  poke<std::uint32_t>(kLastWords + 24, kSystemCallHypervisor);
  for (const std::uint64_t value : {0u, 1u}) {
    cpu.state.nip = kLastWords;
    cpu.state.gpr[3] = value;
    const std::uint64_t before = cpu.instructions_retired();
    ASSERT_EQ(run().reason, ExitReason::hypercall);
    EXPECT_EQ(cpu.state.gpr[4], value == 0 ? 4u : 3u) << "r3 " << value;
    EXPECT_EQ(cpu.instructions_retired() - before, 4u);
  }
}

TEST_F(CpuRunTest, StopRequestEndsTheRun) {
  place_code({0x48000000});  // b . (an endless loop)
  stop = true;
  EXPECT_EQ(run().reason, ExitReason::stopped);
}

}  // namespace
}  // namespace mosaic::interp::test
