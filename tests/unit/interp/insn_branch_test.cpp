// Branches, CR logical instructions and CR moves.
#include <cstdint>

#include "cpu_fixture.hpp"

namespace mosaic::interp::test {
namespace {

using namespace encode;

// BO values (Book I 2.4).
constexpr unsigned kBoAlways = 20;
constexpr unsigned kBoIfTrue = 12;
constexpr unsigned kBoIfFalse = 4;
constexpr unsigned kBoDecrementNonZero = 16;
constexpr unsigned kBoDecrementZero = 18;
constexpr unsigned kBoDecrementNonZeroAndTrue = 8;
constexpr unsigned kCr0Eq = 2;

enum Xl : unsigned { kBclr = 16, kBcctr = 528, kBctar = 560 };

using BranchTest = CpuFixture;

TEST_F(BranchTest, RelativeAndAbsoluteBranches) {
  EXPECT_EQ(execute(i_form(0x20, false, false)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, kCodeAddress + 0x20);
  EXPECT_EQ(execute(i_form(-0x1020, false, false)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 0u);
  EXPECT_EQ(execute(i_form(0x100, true, false)), Flow::jump);  // ba
  EXPECT_EQ(cpu.state.nip, 0x100u);
  EXPECT_EQ(cpu.state.lr, 0u);
  EXPECT_EQ(execute(i_form(-0x100, true, true)), Flow::jump);  // bla to a sign-extended address
  EXPECT_EQ(cpu.state.nip, 0xffffffffffffff00ull);
  EXPECT_EQ(cpu.state.lr, 0x104u);
}

TEST_F(BranchTest, LinkSavesTheNextAddress) {
  EXPECT_EQ(execute(i_form(0x1fff0, false, true)), Flow::jump);  // bl
  EXPECT_EQ(cpu.state.nip, kCodeAddress + 0x1fff0);
  EXPECT_EQ(cpu.state.lr, kCodeAddress + 4);
}

TEST_F(BranchTest, TargetAndLinkAreTruncatedIn32BitMode) {
  set_32_bit_mode();
  cpu.state.nip = 0xfffffffc;
  EXPECT_EQ(execute(i_form(8, false, true)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 4u);
  EXPECT_EQ(cpu.state.lr, 0u);
}

TEST_F(BranchTest, ConditionalOnCrBit) {
  cpu.state.set_cr_bit(kCr0Eq, true);
  EXPECT_EQ(execute(b_form(kBoIfTrue, kCr0Eq, 0x40, false, false)), Flow::jump);  // beq
  EXPECT_EQ(cpu.state.nip, kCodeAddress + 0x40);
  cpu.state.nip = kCodeAddress;
  EXPECT_EQ(execute(b_form(kBoIfFalse, kCr0Eq, 0x40, false, false)), Flow::next);  // bne
  EXPECT_EQ(cpu.state.nip, kCodeAddress + 4);
  cpu.state.nip = kCodeAddress;
  EXPECT_EQ(execute(b_form(kBoIfTrue, kCr0Eq, -0x10, false, false)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, kCodeAddress - 0x10);
  EXPECT_EQ(execute(b_form(kBoAlways, 0, 0x200, true, false)), Flow::jump);  // absolute
  EXPECT_EQ(cpu.state.nip, 0x200u);
}

TEST_F(BranchTest, NotTakenBranchStillLinks) {
  EXPECT_EQ(execute(b_form(kBoIfTrue, kCr0Eq, 0x40, false, true)), Flow::next);
  EXPECT_EQ(cpu.state.lr, kCodeAddress + 4);
  EXPECT_EQ(cpu.state.nip, kCodeAddress + 4);
}

TEST_F(BranchTest, DecrementCtrAndBranch) {
  cpu.state.ctr = 2;
  EXPECT_EQ(execute(b_form(kBoDecrementNonZero, 0, -8, false, false)), Flow::jump);  // bdnz
  EXPECT_EQ(cpu.state.ctr, 1u);
  cpu.state.nip = kCodeAddress;
  EXPECT_EQ(execute(b_form(kBoDecrementNonZero, 0, -8, false, false)), Flow::next);
  EXPECT_EQ(cpu.state.ctr, 0u);
  cpu.state.ctr = 1;
  EXPECT_EQ(execute(b_form(kBoDecrementZero, 0, 0x10, false, false)), Flow::jump);  // bdz
  EXPECT_EQ(cpu.state.ctr, 0u);
  // bdnzt: both the count and the condition must hold.
  cpu.state.ctr = 5;
  cpu.state.nip = kCodeAddress;
  EXPECT_EQ(execute(b_form(kBoDecrementNonZeroAndTrue, kCr0Eq, 0x10, false, false)), Flow::next);
  EXPECT_EQ(cpu.state.ctr, 4u);
  cpu.state.set_cr_bit(kCr0Eq, true);
  EXPECT_EQ(execute(b_form(kBoDecrementNonZeroAndTrue, kCr0Eq, 0x10, false, false)), Flow::jump);
  EXPECT_EQ(cpu.state.ctr, 3u);
}

TEST_F(BranchTest, CtrTestUsesTheLowWordIn32BitMode) {
  cpu.state.ctr = 0x100000001ull;
  EXPECT_EQ(execute(b_form(kBoDecrementNonZero, 0, 0x10, false, false)), Flow::jump);
  set_32_bit_mode();
  cpu.state.nip = kCodeAddress;
  cpu.state.ctr = 0x100000001ull;
  EXPECT_EQ(execute(b_form(kBoDecrementNonZero, 0, 0x10, false, false)), Flow::next);
  EXPECT_EQ(cpu.state.ctr, 0x100000000ull);
}

TEST_F(BranchTest, BranchToLinkRegister) {
  cpu.state.lr = 0x2003;
  EXPECT_EQ(execute(xl_form(kBoAlways, 0, 0, kBclr)), Flow::jump);  // blr
  EXPECT_EQ(cpu.state.nip, 0x2000u);
  cpu.state.nip = kCodeAddress;
  cpu.state.lr = 0x3000;
  EXPECT_EQ(execute(xl_form(kBoAlways, 0, 0, kBclr, true)), Flow::jump);  // blrl: old LR is the target
  EXPECT_EQ(cpu.state.nip, 0x3000u);
  EXPECT_EQ(cpu.state.lr, kCodeAddress + 4);
  cpu.state.ctr = 1;
  EXPECT_EQ(execute(xl_form(kBoDecrementNonZero, 0, 0, kBclr)), Flow::next);  // bdnzlr
  EXPECT_EQ(cpu.state.ctr, 0u);
}

TEST_F(BranchTest, BranchToCountAndTargetRegisters) {
  cpu.state.ctr = 0x5000;
  EXPECT_EQ(execute(xl_form(kBoAlways, 0, 0, kBcctr, true)), Flow::jump);  // bctrl
  EXPECT_EQ(cpu.state.nip, 0x5000u);
  EXPECT_EQ(cpu.state.lr, kCodeAddress + 4);
  EXPECT_EQ(cpu.state.ctr, 0x5000u);
  cpu.state.tar = 0x6002;
  cpu.state.ctr = 3;
  EXPECT_EQ(execute(xl_form(kBoDecrementNonZero, 0, 0, kBctar)), Flow::jump);  // bctar may count
  EXPECT_EQ(cpu.state.nip, 0x6000u);
  EXPECT_EQ(cpu.state.ctr, 2u);
}

// An invalid form in the ISA; POWER8 (its user manual) decrements and tests
// CTR and branches to CTR's value from before. Linux's count-cache flush
// runs "bcctr 2,0,0" with CTR = 0x7fff and expects to fall through.
TEST_F(BranchTest, BcctrThatDecrementsCtrCountsAsPower8Does) {
  constexpr unsigned kBoDecrementZeroIfFalse = 2;
  cpu.state.ctr = 0x7fff;
  EXPECT_EQ(execute(xl_form(kBoDecrementZeroIfFalse, 0, 0, kBcctr)), Flow::next);
  EXPECT_EQ(cpu.state.nip, kCodeAddress + 4);
  EXPECT_EQ(cpu.state.ctr, 0x7ffeu);
  cpu.state.ctr = 0x5000;
  EXPECT_EQ(execute(xl_form(kBoDecrementNonZero, 0, 0, kBcctr)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 0x5000u);
  EXPECT_EQ(cpu.state.ctr, 0x4fffu);
}

TEST_F(BranchTest, ConditionRegisterLogical) {
  struct Case {
    unsigned xo;
    bool results[4];  // for (a, b) = 00, 01, 10, 11
  };
  const Case cases[] = {
      {257, {false, false, false, true}},  // crand
      {449, {false, true, true, true}},    // cror
      {193, {false, true, true, false}},   // crxor
      {225, {true, true, true, false}},    // crnand
      {33, {true, false, false, false}},   // crnor
      {289, {true, false, false, true}},   // creqv
      {129, {false, false, true, false}},  // crandc
      {417, {true, false, true, true}},    // crorc
  };
  for (const Case& c : cases) {
    for (unsigned inputs = 0; inputs < 4; ++inputs) {
      cpu.state.cr = 0;
      cpu.state.set_cr_bit(9, inputs & 2);
      cpu.state.set_cr_bit(30, inputs & 1);
      execute(xl_form(17, 9, 30, c.xo));
      EXPECT_EQ(cpu.state.cr_bit(17), c.results[inputs]) << "xo " << c.xo << " inputs " << inputs;
    }
  }
}

TEST_F(BranchTest, MoveConditionRegisterField) {
  cpu.state.cr = 0x0a000000;
  EXPECT_EQ(execute(xl_form(7 << 2, 1 << 2, 0, 0)), Flow::next);  // mcrf cr7,cr1
  EXPECT_EQ(cpu.state.cr, 0x0a00000au);
}

TEST_F(BranchTest, MoveFromConditionRegister) {
  cpu.state.cr = 0x12345678;
  cpu.state.gpr[3] = ~std::uint64_t{0};
  execute(xfx_cr(3, 0, 19, false));  // mfcr
  EXPECT_EQ(cpu.state.gpr[3], 0x12345678u);
  execute(xfx_cr(3, 0x20, 19, true));  // mfocrf r3, cr2
  EXPECT_EQ(cpu.state.gpr[3], 0x00300000u);
}

TEST_F(BranchTest, MoveToConditionRegisterFields) {
  cpu.state.cr = 0x12345678;
  cpu.state.gpr[3] = 0xffffffffabcdef01ull;
  execute(xfx_cr(3, 0x81, 144, false));  // mtcrf cr0 and cr7
  EXPECT_EQ(cpu.state.cr, 0xa2345671u);
  execute(xfx_cr(3, 0x04, 144, true));  // mtocrf cr5
  EXPECT_EQ(cpu.state.cr, 0xa2345f71u);
  execute(xfx_cr(3, 0xff, 144, false));  // mtcr
  EXPECT_EQ(cpu.state.cr, 0xabcdef01u);
}

}  // namespace
}  // namespace mosaic::interp::test
