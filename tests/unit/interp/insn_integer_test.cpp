// Fixed-point arithmetic, compare and logical instructions.
#include <cstdint>

#include "cpu_fixture.hpp"

namespace mosaic::interp::test {
namespace {

using namespace encode;

constexpr std::uint64_t kInt64Min = 0x8000000000000000ull;
constexpr std::uint64_t kAllOnes = ~std::uint64_t{0};

// XO-form extended opcodes (bits 22:30).
enum Xo9 : unsigned {
  kAdd = 266, kAddc = 10, kAdde = 138, kAddme = 234, kAddze = 202, kSubf = 40, kSubfc = 8, kSubfe = 136,
  kSubfze = 200, kNeg = 104, kMullw = 235, kMulld = 233, kMulhw = 75, kMulhwu = 11, kMulhd = 73, kMulhdu = 9,
  kDivw = 491, kDivwu = 459, kDivd = 489, kDivdu = 457, kDivwe = 427, kDivweu = 395, kDivde = 425, kDivdeu = 393,
};

constexpr std::uint32_t kLess = cr_bit::kLess, kGreater = cr_bit::kGreater, kEqual = cr_bit::kEqual,
                        kSo = cr_bit::kSummaryOverflow;

class IntegerTest : public CpuFixture {
 protected:
  // XO forms: RT=3, RA=4, RB=5.
  std::uint64_t xo(unsigned xo9, std::uint64_t a, std::uint64_t b, bool oe = false, bool rc = false) {
    cpu.state.gpr[4] = a;
    cpu.state.gpr[5] = b;
    EXPECT_EQ(execute(xo_form(3, 4, 5, xo9, oe, rc)), Flow::next);
    return cpu.state.gpr[3];
  }
  // X-form logical: RA=3 from RS=4 and RB=5.
  std::uint64_t logical(unsigned xo10, std::uint64_t s, std::uint64_t b = 0, bool rc = false) {
    cpu.state.gpr[4] = s;
    cpu.state.gpr[5] = b;
    EXPECT_EQ(execute(op31(4, 3, 5, xo10, rc)), Flow::next);
    return cpu.state.gpr[3];
  }
  // D-form with RT=3, RA=4.
  std::uint64_t immediate(unsigned op, std::uint64_t a, std::int32_t imm) {
    cpu.state.gpr[4] = a;
    EXPECT_EQ(execute(d_form(op, 3, 4, imm)), Flow::next);
    return cpu.state.gpr[3];
  }
  // Logical immediates: RA=3 from RS=4.
  std::uint64_t logical_immediate(unsigned op, std::uint64_t s, std::uint32_t ui) {
    cpu.state.gpr[4] = s;
    EXPECT_EQ(execute(d_form(op, 4, 3, static_cast<std::int32_t>(ui))), Flow::next);
    return cpu.state.gpr[3];
  }
  std::uint32_t cr0() const { return cpu.state.cr_field(0); }
};

// Cross-checked with `powerpc64le-linux-gnu-as -be -mpower8` + objdump -d.
TEST(EncoderTest, MatchesAssembler) {
  EXPECT_EQ(md_form(4, 3, 33, 40, 0), 0x78830a22u);  // rldicl r3,r4,33,40
  EXPECT_EQ(md_form(4, 3, 5, 60, 1), 0x78832f24u);   // rldicr r3,r4,5,60
  EXPECT_EQ(md_form(4, 3, 35, 2, 2), 0x7883188au);   // rldic r3,r4,35,2
  EXPECT_EQ(md_form(4, 3, 40, 33, 3), 0x7883406eu);  // rldimi r3,r4,40,33
  EXPECT_EQ(mds_form(4, 3, 5, 34, 8), 0x788328b0u);  // rldcl r3,r4,r5,34
  EXPECT_EQ(mds_form(4, 3, 5, 62, 9), 0x78832fb2u);  // rldcr r3,r4,r5,62
  EXPECT_EQ(sradi(3, 4, 33), 0x7c830e76u);
  EXPECT_EQ(sradi(3, 4, 3, true), 0x7c831e75u);
  EXPECT_EQ(m_form(21, 4, 3, 8, 28, 3), 0x54834706u);  // rlwinm r3,r4,8,28,3
  EXPECT_EQ(xfx_cr(3, 0x20, 19, true), 0x7c720026u);   // mfocrf r3,32
  EXPECT_EQ(xfx_cr(3, 0x04, 144, true), 0x7c704120u);  // mtocrf 4,r3
  EXPECT_EQ(xfx_cr(3, 0xff, 144, false), 0x7c6ff120u); // mtcr r3
  EXPECT_EQ(isel(3, 4, 5, 9), 0x7c642a5eu);
  EXPECT_EQ(op31(3, 4, 5, 20), 0x7c642828u);         // lwarx r3,r4,r5
  EXPECT_EQ(op31(3, 4, 5, 150, true), 0x7c64292du);  // stwcx. r3,r4,r5
  EXPECT_EQ(b_form(16, 0, 8, false, false), 0x42000008u);   // bdnz .+8
  EXPECT_EQ(b_form(12, 2, -16, false, true), 0x4182fff1u);  // beql .-16
  EXPECT_EQ(xl_form(20, 0, 0, 16), 0x4e800020u);            // blr
  EXPECT_EQ(xl_form(20, 0, 0, 528, true), 0x4e800421u);     // bctrl
  EXPECT_EQ(xl_form(20, 0, 0, 560), 0x4e800460u);           // btar
  EXPECT_EQ(i_form(0x100, true, false), 0x48000102u);       // ba 0x100
  EXPECT_EQ(xo_form(3, 4, 5, kAdd, true, true), 0x7c642e15u);  // addo.
  EXPECT_EQ(d_form(8, 3, 4, -1), 0x2064ffffu);                 // subfic r3,r4,-1
  EXPECT_EQ(op31(5, 3, 4, 0), 0x7ca32000u);                    // cmpd cr1,r3,r4
  EXPECT_EQ(d_form(10, 28, 3, 0xffff), 0x2b83ffffu);           // cmplwi cr7,r3,65535
  EXPECT_EQ(ds_form(58, 3, 4, -8, 0), 0xe864fff8u);            // ld r3,-8(r4)
  EXPECT_EQ(ds_form(62, 1, 1, -32, 1), 0xf821ffe1u);           // stdu r1,-32(r1)
  EXPECT_EQ(ds_form(58, 3, 4, 8, 2), 0xe864000au);             // lwa r3,8(r4)
  EXPECT_EQ(op31(3, 8, 7, 597), 0x7c683caau);                  // lswi r3,r8,7
  EXPECT_EQ(xl_form(1, 2, 3, 129), 0x4c221902u);               // crandc
  EXPECT_EQ(xl_form(28, 4, 0, 0), 0x4f840000u);                // mcrf cr7,cr1
  EXPECT_EQ(op31(4, 3, 31, 824), 0x7c83fe70u);                 // srawi r3,r4,31
  EXPECT_EQ(op31(0, 0, 3, 1014), 0x7c001fecu);                 // dcbz 0,r3
}

TEST_F(IntegerTest, UnclaimedWordIsAnIllegalInstruction) {
  EXPECT_EQ(execute(0x00000000), Flow::jump);
  expect_program_interrupt(program_cause::kIllegal);
}

TEST_F(IntegerTest, AddImmediateUsesZeroForRegisterZero) {
  cpu.state.gpr[0] = 100;
  EXPECT_EQ(execute(d_form(14, 3, 0, -5)), Flow::next);  // li r3,-5
  EXPECT_EQ(cpu.state.gpr[3], static_cast<std::uint64_t>(-5));
  EXPECT_EQ(execute(d_form(15, 3, 0, -2)), Flow::next);  // lis r3,-2
  EXPECT_EQ(cpu.state.gpr[3], 0xfffffffffffe0000ull);
  EXPECT_EQ(immediate(14, 0x1000, -0x10), 0xff0u);
  EXPECT_EQ(cpu.state.nip, kCodeAddress + 12);
}

TEST_F(IntegerTest, AddImmediateCarrying) {
  EXPECT_EQ(immediate(12, kAllOnes, 1), 0u);  // addic
  EXPECT_TRUE(cpu.state.xer_ca);
  EXPECT_EQ(immediate(12, 5, -1), 4u);
  EXPECT_TRUE(cpu.state.xer_ca);
  EXPECT_EQ(immediate(12, 0, -1), kAllOnes);
  EXPECT_FALSE(cpu.state.xer_ca);
  EXPECT_EQ(immediate(13, kAllOnes, 1), 0u);  // addic. records CR0
  EXPECT_EQ(cr0(), kEqual);
}

TEST_F(IntegerTest, SubtractFromImmediateCarryIsNotBorrow) {
  EXPECT_EQ(immediate(8, 3, 10), 7u);
  EXPECT_TRUE(cpu.state.xer_ca);
  EXPECT_EQ(immediate(8, 10, 3), static_cast<std::uint64_t>(-7));
  EXPECT_FALSE(cpu.state.xer_ca);
}

TEST_F(IntegerTest, CarryComesFromTheLowWordIn32BitMode) {
  EXPECT_EQ(xo(kAddc, 0xffffffff, 1), 0x100000000ull);
  EXPECT_FALSE(cpu.state.xer_ca);
  set_32_bit_mode();
  EXPECT_EQ(xo(kAddc, 0xffffffff, 1, false, true), 0x100000000ull);
  EXPECT_TRUE(cpu.state.xer_ca);
  EXPECT_EQ(cr0(), kEqual);  // the low word is zero
  EXPECT_EQ(xo(kAddc, kAllOnes << 32, 1ull << 32), 0u);
  EXPECT_FALSE(cpu.state.xer_ca);
}

TEST_F(IntegerTest, OverflowSetsSummaryOverflowAndCr0) {
  EXPECT_EQ(xo(kAdd, 0x7fffffffffffffffull, 1, true, true), kInt64Min);
  EXPECT_TRUE(cpu.state.xer_ov);
  EXPECT_TRUE(cpu.state.xer_so);
  EXPECT_EQ(cr0(), kLess | kSo);
  // A later addo without overflow clears OV but SO sticks.
  EXPECT_EQ(xo(kAdd, 1, 2, true, true), 3u);
  EXPECT_FALSE(cpu.state.xer_ov);
  EXPECT_TRUE(cpu.state.xer_so);
  EXPECT_EQ(cr0(), kGreater | kSo);
  // Without OE, OV is left alone.
  cpu.state.xer_ov = true;
  xo(kAdd, 1, 2);
  EXPECT_TRUE(cpu.state.xer_ov);
}

TEST_F(IntegerTest, OverflowIsOfTheLowWordIn32BitMode) {
  xo(kAdd, 0x7fffffff, 1, true);
  EXPECT_FALSE(cpu.state.xer_ov);
  set_32_bit_mode();
  EXPECT_EQ(xo(kAdd, 0x7fffffff, 1, true, true), 0x80000000u);
  EXPECT_TRUE(cpu.state.xer_ov);
  EXPECT_EQ(cr0(), kLess | kSo);
}

TEST_F(IntegerTest, ExtendedAddAndSubtractChainThroughCarry) {
  // 128-bit 0x1_ffffffffffffffff + 1.
  EXPECT_EQ(xo(kAddc, kAllOnes, 1), 0u);
  EXPECT_EQ(xo(kAdde, 1, 0), 2u);
  EXPECT_FALSE(cpu.state.xer_ca);
  // 128-bit 0x2_0000000000000000 - 1: subfc/subfe compute RB - RA.
  EXPECT_EQ(xo(kSubfc, 1, 0), kAllOnes);
  EXPECT_FALSE(cpu.state.xer_ca);  // borrow
  EXPECT_EQ(xo(kSubfe, 0, 2), 1u);
  EXPECT_TRUE(cpu.state.xer_ca);
  EXPECT_EQ(xo(kSubf, 3, 10), 7u);
  EXPECT_EQ(xo(kSubfc, 0, 0), 0u);
  EXPECT_TRUE(cpu.state.xer_ca);
}

TEST_F(IntegerTest, AddAndSubtractMinusOneOrZeroExtended) {
  cpu.state.xer_ca = false;
  EXPECT_EQ(xo(kAddme, 0, 0), kAllOnes);
  EXPECT_FALSE(cpu.state.xer_ca);
  cpu.state.xer_ca = true;
  EXPECT_EQ(xo(kAddze, kAllOnes, 0), 0u);
  EXPECT_TRUE(cpu.state.xer_ca);
  cpu.state.xer_ca = true;
  EXPECT_EQ(xo(kSubfze, 5, 0), static_cast<std::uint64_t>(-5));
  EXPECT_FALSE(cpu.state.xer_ca);
}

TEST_F(IntegerTest, NegateOverflowsOnlyOnTheMostNegativeValue) {
  EXPECT_EQ(xo(kNeg, 5, 0, true), static_cast<std::uint64_t>(-5));
  EXPECT_FALSE(cpu.state.xer_ov);
  EXPECT_EQ(xo(kNeg, kInt64Min, 0, true), kInt64Min);
  EXPECT_TRUE(cpu.state.xer_ov);
  cpu.state.xer_so = false;
  set_32_bit_mode();
  EXPECT_EQ(xo(kNeg, 0x80000000, 0, true), 0xffffffff80000000ull);
  EXPECT_TRUE(cpu.state.xer_ov);
}

TEST_F(IntegerTest, MultiplyLow) {
  EXPECT_EQ(xo(kMullw, 0xdead000000000003ull, 5), 15u);  // only the low words count
  EXPECT_EQ(xo(kMullw, 0xffffffff, 2), static_cast<std::uint64_t>(-2));
  EXPECT_EQ(xo(kMullw, 0x10000, 0x10000, true), 0x100000000ull);  // the full 64-bit product
  EXPECT_TRUE(cpu.state.xer_ov);
  EXPECT_EQ(xo(kMulld, 1ull << 32, 1ull << 32, true), 0u);
  EXPECT_TRUE(cpu.state.xer_ov);
  EXPECT_EQ(xo(kMulld, static_cast<std::uint64_t>(-3), 7, true), static_cast<std::uint64_t>(-21));
  EXPECT_FALSE(cpu.state.xer_ov);
  EXPECT_EQ(immediate(7, static_cast<std::uint64_t>(-4), -3), 12u);  // mulli
}

TEST_F(IntegerTest, MultiplyHigh) {
  EXPECT_EQ(static_cast<std::uint32_t>(xo(kMulhw, 0xfffffffe, 3)), 0xffffffffu);
  EXPECT_EQ(static_cast<std::uint32_t>(xo(kMulhwu, 0xffffffff, 0xffffffff)), 0xfffffffeu);
  EXPECT_EQ(xo(kMulhd, kAllOnes, 1), kAllOnes);
  EXPECT_EQ(xo(kMulhdu, kAllOnes, kAllOnes), kAllOnes - 1);
  EXPECT_EQ(xo(kMulhdu, 1ull << 63, 4), 2u);
}

// OE and Rc are chosen at decode time: without OE an overflowing product
// or quotient leaves OV alone, and Rc sets CR0 from the result (with SO).
TEST_F(IntegerTest, MultiplyAndDivideSetOvOnlyWithOeAndCr0OnlyWithRc) {
  cpu.state.cr = 0;
  xo(kMullw, 0x10000, 0x10000);
  xo(kDivdu, 5, 0);
  EXPECT_FALSE(cpu.state.xer_ov);
  EXPECT_EQ(cr0(), 0u);
  EXPECT_EQ(xo(kMulhd, kAllOnes, 1, false, true), kAllOnes);
  EXPECT_EQ(cr0(), kLess);
  EXPECT_FALSE(cpu.state.xer_ov);
  xo(kDivd, kInt64Min, kAllOnes, true, true);
  EXPECT_TRUE(cpu.state.xer_ov);
  EXPECT_EQ(cr0(), kEqual | kSo);
  EXPECT_EQ(xo(kDivwu, 9, 3, false, true), 3u);
  EXPECT_EQ(cr0(), kGreater | kSo);  // SO stays set
}

TEST_F(IntegerTest, DivideRoundsTowardsZero) {
  EXPECT_EQ(static_cast<std::uint32_t>(xo(kDivw, static_cast<std::uint64_t>(-7), 2)), static_cast<std::uint32_t>(-3));
  EXPECT_EQ(static_cast<std::uint32_t>(xo(kDivwu, 0xfffffffe, 2)), 0x7fffffffu);
  EXPECT_EQ(xo(kDivd, static_cast<std::uint64_t>(-7), 2), static_cast<std::uint64_t>(-3));
  EXPECT_EQ(xo(kDivdu, kAllOnes, 2), 0x7fffffffffffffffull);
}

TEST_F(IntegerTest, InvalidDivisionsSetOverflowWithoutCrashing) {
  xo(kDivw, 0x80000000, 0xffffffff, true, true);
  EXPECT_TRUE(cpu.state.xer_ov);
  EXPECT_TRUE(cpu.state.xer_so);
  EXPECT_EQ(cr0() & kSo, kSo);
  xo(kDivw, 5, 0, true);
  EXPECT_TRUE(cpu.state.xer_ov);
  EXPECT_EQ(xo(kDivd, kInt64Min, kAllOnes, true), 0u);
  EXPECT_TRUE(cpu.state.xer_ov);
  EXPECT_EQ(xo(kDivdu, 5, 0, true), 0u);
  EXPECT_TRUE(cpu.state.xer_ov);
  xo(kDivdu, 5, 1, true);
  EXPECT_FALSE(cpu.state.xer_ov);
}

TEST_F(IntegerTest, DivideExtended) {
  EXPECT_EQ(static_cast<std::uint32_t>(xo(kDivwe, 1, 4, true)), 0x40000000u);
  EXPECT_FALSE(cpu.state.xer_ov);
  xo(kDivwe, 1, 2, true);  // 0x80000000 does not fit a signed word
  EXPECT_TRUE(cpu.state.xer_ov);
  xo(kDivwe, 0x80000000, 0xffffffff, true);
  EXPECT_TRUE(cpu.state.xer_ov);
  EXPECT_EQ(static_cast<std::uint32_t>(xo(kDivweu, 1, 2, true)), 0x80000000u);
  EXPECT_FALSE(cpu.state.xer_ov);
  xo(kDivweu, 2, 2, true);
  EXPECT_TRUE(cpu.state.xer_ov);
  EXPECT_EQ(xo(kDivde, 1, 4, true), 1ull << 62);
  EXPECT_FALSE(cpu.state.xer_ov);
  EXPECT_EQ(xo(kDivde, static_cast<std::uint64_t>(-1), 4, true), static_cast<std::uint64_t>(-(1ll << 62)));
  EXPECT_FALSE(cpu.state.xer_ov);
  xo(kDivde, kInt64Min, kAllOnes, true);
  EXPECT_TRUE(cpu.state.xer_ov);
  EXPECT_EQ(xo(kDivde, 0, kAllOnes, true), 0u);
  EXPECT_FALSE(cpu.state.xer_ov);
  EXPECT_EQ(xo(kDivdeu, 1, 2, true), 1ull << 63);
  EXPECT_FALSE(cpu.state.xer_ov);
  xo(kDivdeu, 3, 3, true);
  EXPECT_TRUE(cpu.state.xer_ov);
}

TEST_F(IntegerTest, CompareWordIgnoresTheHighWord) {
  cpu.state.gpr[3] = 0x100000000ull;
  cpu.state.gpr[4] = 1;
  cpu.state.xer_so = true;
  EXPECT_EQ(execute(op31(4, 3, 4, 0)), Flow::next);  // cmpw cr1,r3,r4
  EXPECT_EQ(cpu.state.cr_field(1), kLess | kSo);
  EXPECT_EQ(execute(op31(5, 3, 4, 0)), Flow::next);  // cmpd cr1,r3,r4
  EXPECT_EQ(cpu.state.cr_field(1), kGreater | kSo);
  EXPECT_EQ(cpu.state.cr_field(0), 0u);
  cpu.state.xer_so = false;
  cpu.state.gpr[3] = 0xffffffff;
  EXPECT_EQ(execute(op31(28, 3, 4, 32)), Flow::next);  // cmplw cr7,r3,r4
  EXPECT_EQ(cpu.state.cr_field(7), kGreater);
  EXPECT_EQ(execute(op31(28, 3, 4, 0)), Flow::next);  // cmpw: -1 < 1
  EXPECT_EQ(cpu.state.cr_field(7), kLess);
}

TEST_F(IntegerTest, CompareImmediate) {
  cpu.state.gpr[3] = static_cast<std::uint64_t>(-1);
  EXPECT_EQ(execute(d_form(11, 9, 3, -1)), Flow::next);  // cmpdi cr2,r3,-1
  EXPECT_EQ(cpu.state.cr_field(2), kEqual);
  EXPECT_EQ(execute(d_form(10, 28, 3, 0xffff)), Flow::next);  // cmplwi cr7,r3,0xffff
  EXPECT_EQ(cpu.state.cr_field(7), kGreater);
  cpu.state.gpr[3] = 0xffff;
  EXPECT_EQ(execute(d_form(10, 29, 3, 0xffff)), Flow::next);  // cmpldi cr7,r3,0xffff
  EXPECT_EQ(cpu.state.cr_field(7), kEqual);
}

TEST_F(IntegerTest, RecordComparesTheLowWordIn32BitMode) {
  logical(444, 0x100000000ull, 0, true);  // or.
  EXPECT_EQ(cr0(), kGreater);
  logical(444, 0x80000000ull, 0, true);
  EXPECT_EQ(cr0(), kGreater);
  set_32_bit_mode();
  logical(444, 0x100000000ull, 0, true);
  EXPECT_EQ(cr0(), kEqual);
  logical(444, 0x80000000ull, 0, true);
  EXPECT_EQ(cr0(), kLess);
}

// or with RS = RB is mr: it copies RS and, without Rc, leaves CR alone;
// mr. records CR0 from the value.
TEST_F(IntegerTest, MoveRegisterAndItsRecordForm) {
  cpu.state.cr = 0x12345678;
  cpu.state.gpr[4] = 0x8000000000000000ull;
  EXPECT_EQ(execute(op31(4, 3, 4, 444)), Flow::next);  // mr r3,r4
  EXPECT_EQ(cpu.state.gpr[3], 0x8000000000000000ull);
  EXPECT_EQ(cpu.state.cr, 0x12345678u);
  EXPECT_EQ(execute(op31(4, 3, 4, 444, true)), Flow::next);  // mr. r3,r4
  EXPECT_EQ(cr0(), kLess);
  for (const unsigned xo : {28u, 316u, 476u, 124u, 284u, 60u, 412u, 954u, 922u, 986u, 26u, 58u}) {
    cpu.state.cr = 0x12345678;
    logical(xo, 0xff, 0x0f);
    EXPECT_EQ(cpu.state.cr, 0x12345678u) << "xo " << xo << ": Rc=0 leaves CR alone";
    logical(xo, 0xff, 0x0f, true);
    EXPECT_NE(cpu.state.cr, 0x12345678u) << "xo " << xo << ": Rc=1 records CR0";
  }
}

TEST_F(IntegerTest, LogicalImmediates) {
  cpu.state.cr = 0;
  EXPECT_EQ(logical_immediate(28, 0xffff00f0, 0x0ff0), 0xf0u);  // andi.
  EXPECT_EQ(cr0(), kGreater);
  EXPECT_EQ(logical_immediate(29, 0xffff00f0, 0x0ff0), 0x0ff00000u);  // andis.
  EXPECT_EQ(logical_immediate(28, 0xf000, 0x0fff), 0u);
  EXPECT_EQ(cr0(), kEqual);
  cpu.state.cr = 0;
  EXPECT_EQ(logical_immediate(24, 0x10000, 0x8001), 0x18001u);  // ori: no sign extension
  EXPECT_EQ(logical_immediate(25, 1, 0x8000), 0x80000001u);     // oris
  EXPECT_EQ(logical_immediate(26, 0xff, 0xffff), 0xff00u);      // xori
  EXPECT_EQ(logical_immediate(27, kAllOnes, 0xffff), 0xffffffff0000ffffull);  // xoris
  EXPECT_EQ(cpu.state.cr, 0u);
}

TEST_F(IntegerTest, LogicalRegisterForms) {
  constexpr std::uint64_t s = 0xff00ff00f0f0f0f0ull, b = 0x0ff00ff0ff00ff00ull;
  EXPECT_EQ(logical(28, s, b), s & b);
  EXPECT_EQ(logical(444, s, b), s | b);
  EXPECT_EQ(logical(316, s, b), s ^ b);
  EXPECT_EQ(logical(476, s, b), ~(s & b));
  EXPECT_EQ(logical(124, s, b), ~(s | b));
  EXPECT_EQ(logical(284, s, b), ~(s ^ b));
  EXPECT_EQ(logical(60, s, b), s & ~b);
  EXPECT_EQ(logical(412, s, b), s | ~b);
  EXPECT_EQ(logical(124, 0, 0, true), kAllOnes);  // not.
  EXPECT_EQ(cr0(), kLess);
}

TEST_F(IntegerTest, SignExtensionAndLeadingZeros) {
  EXPECT_EQ(logical(954, 0x1280), 0xffffffffffffff80ull);  // extsb
  EXPECT_EQ(logical(954, 0xff7f), 0x7fu);
  EXPECT_EQ(logical(922, 0x18000), 0xffffffffffff8000ull);  // extsh
  EXPECT_EQ(logical(986, 0x80000000, 0, true), 0xffffffff80000000ull);  // extsw.
  EXPECT_EQ(cr0(), kLess);
  EXPECT_EQ(logical(26, 0xffffffff00000000ull), 32u);  // cntlzw of a zero low word
  EXPECT_EQ(logical(26, 0x00010000), 15u);
  EXPECT_EQ(logical(58, 0), 64u);  // cntlzd
  EXPECT_EQ(logical(58, 0x00010000), 47u);
}

TEST_F(IntegerTest, PopulationCountsParityAndByteCompare) {
  EXPECT_EQ(logical(122, 0xff01030700000000ull), 0x0801020300000000ull);  // popcntb
  EXPECT_EQ(logical(378, 0xffffffff00000003ull), 0x0000002000000002ull);  // popcntw
  EXPECT_EQ(logical(506, 0xffffffff00000003ull), 34u);                    // popcntd
  EXPECT_EQ(logical(122, ~0ull), 0x0808080808080808ull);  // popcntb, every bit set
  EXPECT_EQ(logical(378, ~0ull), 0x0000002000000020ull);  // popcntw
  EXPECT_EQ(logical(506, ~0ull), 64u);                    // popcntd
  EXPECT_EQ(logical(154, 0x0000000100000101ull), 0x0000000100000000ull);  // prtyw
  EXPECT_EQ(logical(186, 0x0000000100000101ull), 1u);                     // prtyd
  EXPECT_EQ(logical(508, 0x1122334455667788ull, 0x1100334400667700ull), 0xff00ffff00ffff00ull);  // cmpb
}

TEST_F(IntegerTest, BitPermute) {
  // Indexes 0 and 63 select set bits; 64 and 255 are out of range.
  EXPECT_EQ(logical(252, 0x000102033f40ff07ull, 0x8000000000000001ull), 0x88u);
}

TEST_F(IntegerTest, IntegerSelect) {
  cpu.state.gpr[4] = 44;
  cpu.state.gpr[5] = 55;
  cpu.state.set_cr_bit(9, true);
  execute(isel(3, 4, 5, 9));
  EXPECT_EQ(cpu.state.gpr[3], 44u);
  cpu.state.set_cr_bit(9, false);
  execute(isel(3, 4, 5, 9));
  EXPECT_EQ(cpu.state.gpr[3], 55u);
  cpu.state.gpr[0] = 7;
  cpu.state.set_cr_bit(31, true);
  execute(isel(3, 0, 5, 31));
  EXPECT_EQ(cpu.state.gpr[3], 0u);  // RA=0 reads as zero
}

}  // namespace
}  // namespace mosaic::interp::test
