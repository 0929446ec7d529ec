// Rotate and shift instructions.
#include <cstdint>

#include "cpu_fixture.hpp"

namespace mosaic::interp::test {
namespace {

using namespace encode;

constexpr std::uint64_t kAllOnes = ~std::uint64_t{0};
constexpr std::uint64_t kPattern = 0x0123456789abcdefull;

class RotateTest : public CpuFixture {
 protected:
  // RA=3 from RS=4 (and RB=5 for the register-amount forms).
  std::uint64_t run(std::uint32_t word, std::uint64_t s, std::uint64_t b = 0, std::uint64_t a = 0) {
    cpu.state.gpr[3] = a;
    cpu.state.gpr[4] = s;
    cpu.state.gpr[5] = b;
    EXPECT_EQ(execute(word), Flow::next);
    return cpu.state.gpr[3];
  }
  std::uint64_t shift(unsigned xo, std::uint64_t s, std::uint64_t amount) { return run(op31(4, 3, 5, xo), s, amount); }
};

TEST_F(RotateTest, RotateWordImmediateAndMask) {
  EXPECT_EQ(run(m_form(21, 4, 3, 0, 24, 31), 0xffffffff12345678ull), 0x78u);         // clrlwi 24
  EXPECT_EQ(run(m_form(21, 4, 3, 4, 0, 27), 0xffffffff12345678ull), 0x23456780u);    // slwi 4
  EXPECT_EQ(run(m_form(21, 4, 3, 28, 4, 31), 0x12345678), 0x01234567u);             // srwi 4
}

TEST_F(RotateTest, WrappingWordMaskKeepsTheDuplicatedHighWord) {
  // MB=28 > ME=3: the mask covers bits 0:35 and 60:63 of the doubleword,
  // and the high word holds the rotated low word a second time.
  EXPECT_EQ(run(m_form(21, 4, 3, 8, 28, 3), 0x12345678), 0x3456781230000002ull);
}

TEST_F(RotateTest, RotateWordRecordsCr0) {
  run(m_form(21, 4, 3, 0, 0, 31, true), 0x80000000);  // rotlwi. 0: 0x80000000 in 64-bit mode
  EXPECT_EQ(cpu.state.cr_field(0), cr_bit::kGreater);
  run(m_form(21, 4, 3, 0, 16, 31, true), 0x80000000);
  EXPECT_EQ(cpu.state.cr_field(0), cr_bit::kEqual);
}

TEST_F(RotateTest, RotateWordNandInsert) {
  EXPECT_EQ(run(m_form(23, 4, 3, 5, 0, 31), 0x80000001, 36), 0x18u);  // rlwnm: amount is RB[59:63]
  EXPECT_EQ(run(m_form(20, 4, 3, 8, 16, 23), 0x12, 0, kAllOnes), 0xffffffffffff12ffull);  // rlwimi
}

TEST_F(RotateTest, RotateDoublewordImmediate) {
  EXPECT_EQ(run(md_form(4, 3, 33, 40, 0), kPattern), 0x468acfu);                   // rldicl
  EXPECT_EQ(run(md_form(4, 3, 5, 60, 1), kPattern), 0x2468acf13579bde0ull);        // rldicr
  EXPECT_EQ(run(md_form(4, 3, 35, 2, 2), kPattern), 0x0d5e6f7800000000ull);        // rldic
  EXPECT_EQ(run(md_form(4, 3, 40, 33, 3), kPattern, 0, kAllOnes), 0xabcdefffa3456789ull);  // rldimi
  EXPECT_EQ(run(md_form(4, 3, 0, 32, 0), kPattern), 0x89abcdefu);                  // clrldi 32
  EXPECT_EQ(run(md_form(4, 3, 63, 63, 1), kPattern), 0x8091a2b3c4d5e6f7ull);       // rotldi 63 via rldicr
}

TEST_F(RotateTest, RotateDoublewordByRegister) {
  EXPECT_EQ(run(mds_form(4, 3, 5, 34, 8), kPattern, 68), 0x1abcdef0u);             // rldcl: RB[58:63]
  EXPECT_EQ(run(mds_form(4, 3, 5, 62, 9), kPattern, 12), 0x3456789abcdef012ull);   // rldcr
}

TEST_F(RotateTest, WordShiftsUseSixBitAmounts) {
  EXPECT_EQ(shift(24, kAllOnes, 4), 0xfffffff0u);  // slw
  EXPECT_EQ(shift(24, kAllOnes, 31), 0x80000000u);
  EXPECT_EQ(shift(24, kAllOnes, 32), 0u);
  EXPECT_EQ(shift(24, kAllOnes, 0x40 | 4), 0xfffffff0u);  // RB[57] is ignored
  EXPECT_EQ(shift(536, 0xffffffff80000000ull, 4), 0x08000000u);  // srw
  EXPECT_EQ(shift(536, kAllOnes, 63), 0u);
}

TEST_F(RotateTest, DoublewordShiftsUseSevenBitAmounts) {
  EXPECT_EQ(shift(27, kAllOnes, 4), 0xfffffffffffffff0ull);  // sld
  EXPECT_EQ(shift(27, kAllOnes, 64), 0u);
  EXPECT_EQ(shift(27, kAllOnes, 127), 0u);
  EXPECT_EQ(shift(27, kAllOnes, 128 + 4), 0xfffffffffffffff0ull);
  EXPECT_EQ(shift(539, 1ull << 63, 63), 1u);  // srd
  EXPECT_EQ(shift(539, 1ull << 63, 64), 0u);
}

TEST_F(RotateTest, ShiftRightAlgebraicWordSetsCarryOnLostOnes) {
  EXPECT_EQ(shift(792, 0xfffffff1, 4), kAllOnes);  // sraw: -15 >> 4 = -1, ones lost
  EXPECT_TRUE(cpu.state.xer_ca);
  EXPECT_EQ(shift(792, 0x00000000fffffff0ull, 4), kAllOnes);  // -16 >> 4: exact
  EXPECT_FALSE(cpu.state.xer_ca);
  EXPECT_EQ(shift(792, 0xffffffff7ffffff1ull, 4), 0x07ffffffu);  // positive word: no carry
  EXPECT_FALSE(cpu.state.xer_ca);
  EXPECT_EQ(shift(792, 0x80000000, 32), kAllOnes);
  EXPECT_TRUE(cpu.state.xer_ca);
  EXPECT_EQ(shift(792, 0x7fffffff, 40), 0u);
  EXPECT_FALSE(cpu.state.xer_ca);
  EXPECT_EQ(shift(792, 0x80000000, 0), 0xffffffff80000000ull);  // sign-extended even unshifted
  EXPECT_FALSE(cpu.state.xer_ca);
  EXPECT_EQ(run(op31(4, 3, 31, 824), 0x80000000), kAllOnes);  // srawi 31: exact
  EXPECT_FALSE(cpu.state.xer_ca);
  EXPECT_EQ(run(op31(4, 3, 31, 824), 0x80000001), kAllOnes);
  EXPECT_TRUE(cpu.state.xer_ca);
}

TEST_F(RotateTest, ShiftRightAlgebraicDoubleword) {
  EXPECT_EQ(shift(794, static_cast<std::uint64_t>(-17), 4), static_cast<std::uint64_t>(-2));  // srad
  EXPECT_TRUE(cpu.state.xer_ca);
  EXPECT_EQ(shift(794, static_cast<std::uint64_t>(-16), 4), kAllOnes);
  EXPECT_FALSE(cpu.state.xer_ca);
  EXPECT_EQ(shift(794, 1ull << 63, 64), kAllOnes);
  EXPECT_TRUE(cpu.state.xer_ca);
  EXPECT_EQ(shift(794, 0x7fffffffffffffffull, 100), 0u);
  EXPECT_FALSE(cpu.state.xer_ca);
  // sradi with sh5 set: 33 bits out, one of them a one.
  EXPECT_EQ(run(sradi(3, 4, 33), 0x8000000100000000ull), 0xffffffffc0000000ull);
  EXPECT_TRUE(cpu.state.xer_ca);
  EXPECT_EQ(run(sradi(3, 4, 3, true), 0x80), 0x10u);
  EXPECT_FALSE(cpu.state.xer_ca);
  EXPECT_EQ(cpu.state.cr_field(0), cr_bit::kGreater);
}

}  // namespace
}  // namespace mosaic::interp::test
