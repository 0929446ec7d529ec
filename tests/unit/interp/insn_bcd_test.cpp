// bcdadd. and bcdsub. (insn_bcd.cpp): signed packed decimal sums worked out
// by hand from ISA 2.07B's definition (sign codes, preferred sign PS,
// CR6 = LT/GT/EQ of the unbounded result, SO for overflow or an invalid
// operand).
#include <cstdint>
#include <string_view>

#include "cpu_fixture.hpp"
#include "insn_common.hpp"

namespace mosaic::interp::test {
namespace {

using namespace encode;
using u64 = std::uint64_t;
using u32 = std::uint32_t;

// VX form, bit 21 = 1, PS in bit 22, XO 1 (bcdadd.) or 65 (bcdsub.) in 23:31.
constexpr u32 bcd_op(unsigned xo9, unsigned t, unsigned a, unsigned b, unsigned ps) {
  return field(4, 5, 6) | field(t, 10, 5) | field(a, 15, 5) | field(b, 20, 5) | field(1, 21, 1) | field(ps, 22, 1) |
         field(xo9, 31, 9);
}
constexpr u32 bcdadd(unsigned t, unsigned a, unsigned b, unsigned ps = 0) { return bcd_op(1, t, a, b, ps); }
constexpr u32 bcdsub(unsigned t, unsigned a, unsigned b, unsigned ps = 0) { return bcd_op(65, t, a, b, ps); }

// A packed decimal register: the digits right-aligned, then the sign code.
Quadword decimal(std::string_view digits, unsigned sign) {
  unsigned __int128 value = sign;
  unsigned shift = 4;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it, shift += 4) {
    const unsigned nibble = *it <= '9' ? static_cast<unsigned>(*it - '0') : static_cast<unsigned>(*it - 'a' + 10);
    value |= static_cast<unsigned __int128>(nibble) << shift;
  }
  return {static_cast<u64>(value >> 64), static_cast<u64>(value)};
}

constexpr std::string_view kMaximum = "9999999999999999999999999999999";  // 31 nines

enum Cr6 : u32 { kLt = 8, kGt = 4, kEq = 2, kSo = 1 };

class BcdTest : public CpuFixture {
 protected:
  BcdTest() {
    cpu.set_msr(cpu.state.msr | msr_bit::kVector);
    cpu.state.cr = 0x12345678;  // CR6 is 7: the instructions must replace it and nothing else
  }
  void run(u32 word) { ASSERT_EQ(execute(word), Flow::next); }
  Quadword& vr(unsigned i) { return cpu.state.vr[i]; }
  u32 cr6() const { return (cpu.state.cr >> 4) & 0xf; }
  void expect_other_fields_kept() const { EXPECT_EQ(cpu.state.cr & ~u32{0xf0}, 0x12345608u); }

  // Runs `word` on a and b into v3; checks the result and CR6.
  void check(u32 word, const Quadword& a, const Quadword& b, const Quadword& expected, u32 expected_cr6) {
    vr(1) = a;
    vr(2) = b;
    run(word);
    EXPECT_EQ(vr(3), expected);
    EXPECT_EQ(cr6(), expected_cr6);
    expect_other_fields_kept();
  }
};

TEST_F(BcdTest, AddPositivesWithEachPreferredSign) {
  check(bcdadd(3, 1, 2), decimal("123", 0xc), decimal("456", 0xc), decimal("579", 0xc), kGt);
  // 0xA and 0xE are plus too; PS = 1 writes plus as 0xF.
  check(bcdadd(3, 1, 2, 1), decimal("123", 0xa), decimal("456", 0xe), decimal("579", 0xf), kGt);
}

TEST_F(BcdTest, AddCarriesAcrossDigits) {
  check(bcdadd(3, 1, 2), decimal("99995", 0xc), decimal("7", 0xc), decimal("100002", 0xc), kGt);
}

TEST_F(BcdTest, AddOperandsOfOppositeSign) {
  // 123 + (-456) = -333: the sign is always 0xD, whatever PS says.
  check(bcdadd(3, 1, 2, 1), decimal("123", 0xc), decimal("456", 0xd), decimal("333", 0xd), kLt);
  // 456 + (-123) = 333; 0xB is minus too.
  check(bcdadd(3, 1, 2), decimal("456", 0xc), decimal("123", 0xb), decimal("333", 0xc), kGt);
  // -1000 + 1 = -999.
  check(bcdadd(3, 1, 2), decimal("1000", 0xd), decimal("1", 0xc), decimal("999", 0xd), kLt);
}

TEST_F(BcdTest, ZeroResultTakesThePlusSign) {
  check(bcdadd(3, 1, 2), decimal("123", 0xc), decimal("123", 0xd), decimal("0", 0xc), kEq);
  check(bcdadd(3, 1, 2, 1), decimal("123", 0xd), decimal("123", 0xa), decimal("0", 0xf), kEq);
  // Minus zero plus minus zero is still zero, and zero is plus.
  check(bcdadd(3, 1, 2), decimal("0", 0xd), decimal("0", 0xb), decimal("0", 0xc), kEq);
}

TEST_F(BcdTest, SubtractNegatesTheSecondOperand) {
  check(bcdsub(3, 1, 2), decimal("100", 0xc), decimal("250", 0xc), decimal("150", 0xd), kLt);
  check(bcdsub(3, 1, 2), decimal("5", 0xd), decimal("7", 0xb), decimal("2", 0xc), kGt);  // -5 - (-7)
  check(bcdsub(3, 1, 2, 1), decimal("5", 0xc), decimal("7", 0xd), decimal("12", 0xf), kGt);
  check(bcdsub(3, 1, 2, 1), decimal("42", 0xe), decimal("42", 0xc), decimal("0", 0xf), kEq);
}

TEST_F(BcdTest, OverflowKeepsTheLow31DigitsAndSetsSo) {
  // (10^31 - 1) + 1 = 10^31: the low 31 digits are zero, but the unbounded
  // result is positive, not zero.
  check(bcdadd(3, 1, 2), decimal(kMaximum, 0xc), decimal("1", 0xc), decimal("0", 0xc), kGt | kSo);
  // -(10^31 - 1) - 2 = -(10^31 + 1).
  check(bcdsub(3, 1, 2), decimal(kMaximum, 0xd), decimal("2", 0xc), decimal("1", 0xd), kLt | kSo);
  // The largest sum that fits does not overflow.
  check(bcdadd(3, 1, 2), decimal("5000000000000000000000000000000", 0xc),
        decimal("4999999999999999999999999999999", 0xc), decimal(kMaximum, 0xc), kGt);
}

TEST_F(BcdTest, InvalidOperandsSetOnlySo) {
  vr(3) = {7, 7};
  vr(1) = decimal("123", 0x9);  // a sign code below 0xA
  vr(2) = decimal("1", 0xc);
  run(bcdadd(3, 1, 2));
  EXPECT_EQ(cr6(), u32{kSo});
  expect_other_fields_kept();
  vr(1) = decimal("12a", 0xc);  // a digit above 9
  run(bcdsub(3, 1, 2));
  EXPECT_EQ(cr6(), u32{kSo});
  vr(1) = decimal("1", 0xc);
  vr(2) = decimal("f000000000000000000000000000001", 0xc);  // the most significant digit
  run(bcdadd(3, 1, 2));
  EXPECT_EQ(cr6(), u32{kSo});
}

TEST_F(BcdTest, BothPreferredSignEncodingsDecode) {
  // Bit 22 (PS) must not make the word decode as anything else.
  vr(1) = decimal("1", 0xc);
  vr(2) = decimal("2", 0xc);
  for (unsigned ps = 0; ps < 2; ++ps) {
    run(bcdsub(3, 1, 2, ps));
    EXPECT_EQ(vr(3), decimal("1", 0xd));
  }
}

TEST_F(BcdTest, NeedsTheVectorFacility) {
  cpu.set_msr(cpu.state.msr & ~msr_bit::kVector);
  EXPECT_EQ(execute(bcdadd(3, 1, 2)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 0xf20u);
  EXPECT_EQ(cpu.state.cr, 0x12345678u);
}

}  // namespace
}  // namespace mosaic::interp::test
