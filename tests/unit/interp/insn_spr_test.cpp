// SPR access as Power ISA 2.07 defines it for a partition, transactional
// memory as a POWER8 without TM refuses it, the PMU's instruction and cycle
// counters, and the trace interrupt.
#include <atomic>
#include <cstdint>

#include "cpu_fixture.hpp"

namespace mosaic::interp::test {
namespace {

using namespace encode;

// The SPR number is encoded with its two 5-bit halves swapped.
constexpr std::uint32_t mtspr(unsigned spr, unsigned rs) { return op31(rs, spr & 31, spr >> 5, 467); }
constexpr std::uint32_t mfspr(unsigned rt, unsigned spr) { return op31(rt, spr & 31, spr >> 5, 339); }

constexpr unsigned kTexasr = 130, kFscr = 153, kPmc5 = 791, kPmc6 = 792, kUserPmc5 = 775, kMmcr0 = 795,
                   kBescrSet = 800, kBescrSetUpper = 801, kBescrReset = 802, kBescrResetUpper = 803, kBescr = 806,
                   kTar = 815, kSiar = 796;
constexpr std::uint64_t kFacilityUnavailable = 0xf60;
constexpr std::uint32_t kSystemCallHypervisor = 0x44000022;  // sc 1
constexpr std::uint32_t kNop = 0x60000000;

class SprTest : public CpuFixture {
 protected:
  std::uint64_t read(unsigned spr) {
    EXPECT_EQ(execute(mfspr(9, spr)), Flow::next);
    return cpu.state.gpr[9];
  }
  void write(unsigned spr, std::uint64_t value) {
    cpu.state.gpr[9] = value;
    EXPECT_EQ(execute(mtspr(spr, 9)), Flow::next);
  }
  void enter_problem_state() { cpu.set_msr(cpu.state.msr | ppc::msr::kProblemState); }
  // The facility-unavailable interrupt at the instruction, with FSCR[IC].
  void expect_facility_unavailable(unsigned cause) {
    EXPECT_EQ(cpu.state.nip, kFacilityUnavailable);
    EXPECT_EQ(cpu.state.srr0, kCodeAddress);
    EXPECT_EQ(cpu.state.fscr >> 56, cause);
  }
};

// Book II 6.2.1: BESCRS/BESCRSU set bits, BESCRR/BESCRRU clear them; the
// upper forms work on BESCR's high word through the value's low word.
TEST_F(SprTest, BescrSetAndResetAliasesChangeOnlyTheBitsGiven) {
  write(kBescr, 0x0000000100000010);
  write(kBescrSet, 0x5);
  EXPECT_EQ(read(kBescr), 0x0000000100000015u);
  write(kBescrSetUpper, 0x80000000);
  EXPECT_EQ(read(kBescr), 0x8000000100000015u);
  EXPECT_EQ(read(kBescrSetUpper), 0x80000001u);
  write(kBescrReset, 0x11);
  write(kBescrResetUpper, 0x1);
  EXPECT_EQ(read(kBescr), 0x8000000000000004u);
  EXPECT_EQ(read(kBescrReset), 0x8000000000000004u);
  EXPECT_EQ(read(kBescrResetUpper), 0x80000000u);
}

// FSCR gates problem-state use of EBB, TAR and DSCR (Book III 4.4.3).
TEST_F(SprTest, ProblemStateNeedsTheFacilityEnabledInFscr) {
  enter_problem_state();
  execute(mtspr(kBescrSet, 3));
  expect_facility_unavailable(7);
  cpu.state.nip = kCodeAddress;
  enter_problem_state();
  execute(mfspr(3, kTar));
  expect_facility_unavailable(8);

  cpu.state.nip = kCodeAddress;
  cpu.state.fscr = (1u << 7) | (1u << 8);
  cpu.set_msr(cpu.state.msr | ppc::msr::kProblemState);
  write(kTar, 0x1234);
  EXPECT_EQ(read(kTar), 0x1234u);
  write(kBescrSet, 1);
  EXPECT_EQ(read(kBescr), 1u);
}

TEST_F(SprTest, PrivilegedSprsFromProblemStateArePrivilegedInstructions) {
  enter_problem_state();
  execute(mfspr(3, kFscr));
  expect_program_interrupt(program_cause::kPrivileged);
}

// A number that is no SPR (ISA 2.07 Book III 4.4.4): outside the privileged
// range (SPR bit 0x10 clear) an illegal instruction, which POWER8 raises as
// a Hypervisor Emulation Assistance interrupt and KVM-HV reflects as one
// (QEMU 7.2 reports it as privileged); inside it, privileged from problem
// state and a no-op in supervisor state.
TEST_F(SprTest, NumbersThatAreNoSprFollowTheirPrivilegeBit) {
  cpu.state.gpr[3] = 0x1234;
  execute(mfspr(3, 704));
  expect_program_interrupt(program_cause::kIllegal);

  cpu.state.nip = kCodeAddress;
  EXPECT_EQ(execute(mfspr(3, 720)), Flow::next);  // supervisor: no-op
  EXPECT_EQ(cpu.state.gpr[3], 0x1234u);

  cpu.state.nip = kCodeAddress;
  enter_problem_state();
  execute(mfspr(3, 720));
  expect_program_interrupt(program_cause::kPrivileged);
  cpu.state.nip = kCodeAddress;
  cpu.set_msr(cpu.state.msr | ppc::msr::kProblemState);
  execute(mtspr(5, 3));
  expect_program_interrupt(program_cause::kIllegal);
}

// A partition without TM: each TM instruction, and TEXASR, takes the
// facility-unavailable interrupt with IC = TM (5); treclaim. from problem
// state is privileged first.
TEST_F(SprTest, TransactionalMemoryIsUnavailableAndNeverHangs) {
  constexpr std::uint32_t kTbegin = 0x7c00051d;     // tbegin.
  constexpr std::uint32_t kTend = 0x7c00055d;       // tend.
  constexpr std::uint32_t kTcheck = 0x7c00059c;     // tcheck cr0
  constexpr std::uint32_t kTreclaim = 0x7c00075d;   // treclaim. r0
  for (std::uint32_t word : {kTbegin, kTend, kTcheck, kTreclaim, mfspr(3, kTexasr)}) {
    cpu.state.nip = kCodeAddress;
    cpu.set_msr(ppc::msr::kSixtyFour);
    execute(word);
    expect_facility_unavailable(5);
  }
  cpu.state.nip = kCodeAddress;
  enter_problem_state();
  execute(kTreclaim);
  expect_program_interrupt(program_cause::kPrivileged);
}

class PmuTest : public SprTest {
 protected:
  // Runs `count` nops then sc 1 through the run loop (each count has code
  // of its own: poke() bypasses the decoded-code invalidation).
  void run_nops(unsigned count) {
    const std::uint64_t start = 0x8000 + 0x100 * count;
    for (unsigned i = 0; i < count; ++i) poke<std::uint32_t>(start + 4 * i, kNop);
    poke<std::uint32_t>(start + 4 * count, kSystemCallHypervisor);
    cpu.state.nip = start;
    std::atomic<bool> stop{false}, external{false};
    cpu.run(stop, external);
    ASSERT_EQ(cpu.exit().reason, ExitReason::hypercall);
  }
};

// PMC5 counts instructions and PMC6 cycles (one per instruction here), as
// perf's instructions and cycles events read them; MMCR0 freezes them.
TEST_F(PmuTest, Pmc5AndPmc6CountWhileMmcr0LetsThem) {
  write(kMmcr0, 0);
  write(kPmc5, 0);
  write(kPmc6, 100);
  run_nops(10);
  cpu.state.nip = kCodeAddress;
  EXPECT_EQ(read(kPmc5), 11u);  // ten nops and the sc
  EXPECT_EQ(read(kPmc6), 111u);
  EXPECT_EQ(read(kUserPmc5), 11u);

  write(kMmcr0, 0x10);  // FC56
  write(kPmc5, 0);
  run_nops(10);
  cpu.state.nip = kCodeAddress;
  EXPECT_EQ(read(kPmc5), 0u);

  write(kMmcr0, 0x20000000);  // FCP: count only in supervisor state
  run_nops(4);
  cpu.state.nip = kCodeAddress;
  EXPECT_EQ(read(kPmc5), 5u);
}

TEST_F(PmuTest, CountersWrapAt32Bits) {
  write(kMmcr0, 0);
  write(kPmc5, 0xfffffffe);
  run_nops(3);
  cpu.state.nip = kCodeAddress;
  EXPECT_EQ(read(kPmc5), 2u);
}

class TraceTest : public PmuTest {
 protected:
  static constexpr std::uint64_t kTraceVector = 0xd00;
  void SetUp() override { poke<std::uint32_t>(kTraceVector, kSystemCallHypervisor); }
  void run_until_hypercall() {
    std::atomic<bool> stop{false}, external{false};
    cpu.run(stop, external);
    ASSERT_EQ(cpu.exit().reason, ExitReason::hypercall);
  }
};

// MSR[SE]: one instruction, then the trace interrupt: SRR0 the next
// instruction, SIAR the traced one, SE clear in the handler.
TEST_F(TraceTest, SingleStepTracesEachInstruction) {
  poke<std::uint32_t>(kCodeAddress, d_form(14, 3, 0, 1));  // li r3,1
  poke<std::uint32_t>(kCodeAddress + 4, d_form(14, 3, 0, 2));
  cpu.set_msr(cpu.state.msr | msr_bit::kSingleStep);
  run_until_hypercall();
  EXPECT_EQ(cpu.state.nip, kTraceVector + 4);
  EXPECT_EQ(cpu.state.gpr[3], 1u);
  EXPECT_EQ(cpu.state.srr0, kCodeAddress + 4);
  EXPECT_NE(cpu.state.srr1 & msr_bit::kSingleStep, 0u);
  EXPECT_EQ(cpu.state.srr1 & 0x783f0000, 1ull << (63 - 33));  // ISA 2.07: bit 33 set
  EXPECT_EQ(cpu.state.plain_spr[kSiar], kCodeAddress);
  EXPECT_EQ(cpu.state.msr & msr_bit::kSingleStep, 0u);
}

// MSR[BE]: straight-line code runs on; the branch is traced, taken or not.
TEST_F(TraceTest, BranchTraceStopsAfterBranchesOnly) {
  poke<std::uint32_t>(kCodeAddress, kNop);
  poke<std::uint32_t>(kCodeAddress + 4, b_form(4, 2, 8, false, false));  // bne +8, not taken: CR0[EQ] set
  poke<std::uint32_t>(kCodeAddress + 8, i_form(0x100, false, false));   // b +0x100
  cpu.state.set_cr_field(0, 0x2);
  cpu.set_msr(cpu.state.msr | msr_bit::kBranchTrace);
  run_until_hypercall();
  EXPECT_EQ(cpu.state.srr0, kCodeAddress + 8);
  EXPECT_EQ(cpu.state.plain_spr[kSiar], kCodeAddress + 4);

  cpu.state.nip = cpu.state.srr0;
  cpu.set_msr(cpu.state.srr1);
  run_until_hypercall();
  EXPECT_EQ(cpu.state.srr0, kCodeAddress + 8 + 0x100);
  EXPECT_EQ(cpu.state.plain_spr[kSiar], kCodeAddress + 8);
}

}  // namespace
}  // namespace mosaic::interp::test
