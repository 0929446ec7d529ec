// Scalar floating-point instructions (Power ISA 2.07 Book I chapter 4).
// Expected values are worked out from the ISA's definitions.
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "cpu_fixture.hpp"

namespace mosaic::interp::test {
namespace {

using namespace encode;
using u64 = std::uint64_t;

// FPSCR bit 32+k (Book I 4.2.2).
constexpr u64 bit(unsigned k) { return u64{1} << (31 - k); }
constexpr u64 kFx = bit(0), kFex = bit(1), kVx = bit(2), kOx = bit(3), kUx = bit(4), kZx = bit(5), kXx = bit(6),
              kVxSnan = bit(7), kVxIsi = bit(8), kVxZdz = bit(10), kVxImz = bit(11), kVxVc = bit(12), kFr = bit(13), kFi = bit(14),
              kVxSqrt = bit(22), kVxCvi = bit(23), kVe = bit(24), kUe = bit(26), kZe = bit(27), kXe = bit(28);
// FPRF (bits 15:19) values.
constexpr u64 kFprfQnan = 0x11, kFprfPlusNormal = 0x04, kFprfPlusInfinity = 0x05, kFprfPlusDenormal = 0x14,
              kFprfMinusZero = 0x12;
// RN values.
constexpr u64 kTowardZero = 1, kUpward = 2, kDownward = 3;

constexpr u64 kDefaultNan = 0x7ff8000000000000ull;
constexpr u64 kSnan = 0x7ff0000000000001ull;
constexpr u64 kMsrFe0 = u64{1} << 11;

u64 bits_of(double value) { return std::bit_cast<u64>(value); }
double value_of(u64 value) { return std::bit_cast<double>(value); }

// A-form primary 59 / 63 extended opcodes (bits 26:30).
enum Xo5 : unsigned { kDiv = 18, kSub = 20, kAdd = 21, kSqrt = 22, kSel = 23, kRe = 24, kMul = 25, kRsqrte = 26,
                      kMsub = 28, kMadd = 29, kNmsub = 30, kNmadd = 31 };
// X-form primary 63 extended opcodes (bits 21:30).
enum Xo10 : unsigned {
  kFcmpu = 0, kFcpsgn = 8, kFrsp = 12, kFctiw = 14, kFctiwz = 15, kFcmpo = 32, kMtfsb1 = 38, kFneg = 40,
  kMcrfs = 64, kMtfsb0 = 70, kFmr = 72, kFtdiv = 128, kFtsqrt = 160, kFnabs = 136, kFctiwu = 142, kFabs = 264,
  kFrin = 392, kFriz = 424, kFrip = 456, kFrim = 488, kMffs = 583, kFctid = 814, kFcfid = 846, kFctidu = 942,
  kFcfidu = 974,
};

constexpr std::uint32_t a_form(unsigned op, unsigned frt, unsigned fra, unsigned frb, unsigned frc, unsigned xo,
                               bool rc = false) {
  return field(op, 5, 6) | field(frt, 10, 5) | field(fra, 15, 5) | field(frb, 20, 5) | field(frc, 25, 5) |
         field(xo, 30, 5) | rc;
}
constexpr std::uint32_t mtfsf(unsigned flm, unsigned frb, bool l, bool w, bool rc = false) {
  return field(63, 5, 6) | field(l, 6, 1) | field(flm, 14, 8) | field(w, 15, 1) | field(frb, 20, 5) |
         field(711, 30, 10) | rc;
}
constexpr std::uint32_t mtfsfi(unsigned bf, unsigned u, bool w) {
  return field(63, 5, 6) | field(bf, 8, 3) | field(w, 15, 1) | field(u, 19, 4) | field(134, 30, 10);
}

class FloatTest : public CpuFixture {
 protected:
  FloatTest() { enable_floating_point(); }

  // A form: FRT=1, FRA=2, FRB=3, FRC=4.
  u64 arith(unsigned op, unsigned xo, double a, double b, double c = 0, bool rc = false) {
    return arith_bits(op, xo, bits_of(a), bits_of(b), bits_of(c), rc);
  }
  u64 arith_bits(unsigned op, unsigned xo, u64 a, u64 b, u64 c = 0, bool rc = false) {
    cpu.state.fpr[1] = 0;
    cpu.state.fpr[2] = a;
    cpu.state.fpr[3] = b;
    cpu.state.fpr[4] = c;
    EXPECT_EQ(execute(a_form(op, 1, 2, 3, 4, xo, rc)), Flow::next);
    return cpu.state.fpr[1];
  }
  // X form on frB: FRT=1, FRB=3.
  u64 unary(unsigned op, unsigned xo, u64 b, bool rc = false) {
    cpu.state.fpr[1] = 0;
    cpu.state.fpr[3] = b;
    EXPECT_EQ(execute(x_form(op, 1, 0, 3, xo, rc)), Flow::next);
    return cpu.state.fpr[1];
  }
  void set_rounding(u64 mode) { cpu.state.fpscr = (cpu.state.fpscr & ~u64{3}) | mode; }
  u64 fpscr() const { return cpu.state.fpscr; }
  u64 fprf() const { return (cpu.state.fpscr >> 12) & 0x1f; }
};

TEST(FloatEncoderTest, MatchesAssembler) {
  // Cross-checked with `powerpc64-linux-gnu-as -mpower8` + objdump -d.
  EXPECT_EQ(a_form(63, 1, 2, 4, 3, kMadd), 0xfc2220fau);  // fmadd f1,f2,f3,f4
  EXPECT_EQ(a_form(59, 1, 2, 3, 0, kAdd, true), 0xec22182bu);  // fadds. f1,f2,f3
  EXPECT_EQ(mtfsf(0x01, 5, true, false), 0xfe022d8eu);
  EXPECT_EQ(mtfsf(0x81, 5, false, true), 0xfd032d8eu);
  EXPECT_EQ(mtfsfi(7, 1, false), 0xff80110cu);
  EXPECT_EQ(x_form(63, 3 << 2, 1, 2, kFcmpu), 0xfd811000u);  // fcmpu cr3,f1,f2
  EXPECT_EQ(x_form(63, 2 << 2, 1 << 2, 0, kMcrfs), 0xfd040080u);  // mcrfs cr2,cr1
  EXPECT_EQ(x_form(63, 5, 0, 0, kMtfsb1), 0xfca0004cu);  // mtfsb1 5
  EXPECT_EQ(x_form(63, 1, 0, 2, kFctiwz), 0xfc20101eu);  // fctiwz f1,f2
  EXPECT_EQ(x_form(63, 1 << 2, 2, 3, kFtdiv), 0xfc821900u);  // ftdiv cr1,f2,f3
  EXPECT_EQ(x_form(59, 1, 0, 2, kFcfid), 0xec20169cu);  // fcfids f1,f2
}

TEST_F(FloatTest, UnavailableWhenMsrFpClear) {
  cpu.set_msr(cpu.state.msr & ~ppc::msr::kFloatingPoint);
  cpu.state.fpr[1] = 7;
  EXPECT_EQ(execute(a_form(63, 1, 2, 3, 0, kAdd)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 0x800u);
  EXPECT_EQ(cpu.state.srr0, kCodeAddress);
  EXPECT_EQ(cpu.state.fpr[1], 7u);
  EXPECT_EQ(execute(x_form(63, 1, 0, 0, kMffs)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 0x800u);
}

TEST_F(FloatTest, BasicArithmetic) {
  EXPECT_EQ(value_of(arith(63, kAdd, 1.5, 2.25)), 3.75);
  EXPECT_EQ(fprf(), kFprfPlusNormal);
  EXPECT_EQ(fpscr() & (kFi | kXx | kFx), 0u);
  EXPECT_EQ(value_of(arith(63, kSub, 1.5, 2.25)), -0.75);
  EXPECT_EQ(fprf(), 0x08u);  // -normal
  EXPECT_EQ(value_of(arith(63, kMul, 3.0, 0, 2.5)), 7.5);  // fmul takes frC
  EXPECT_EQ(value_of(arith(63, kDiv, 1.0, 4.0)), 0.25);
  EXPECT_EQ(value_of(arith(63, kSqrt, 0, 16.0)), 4.0);
  EXPECT_EQ(value_of(arith(63, kSub, 1.0, 1.0)), 0.0);
  EXPECT_EQ(fprf(), 0x02u);  // +zero
  EXPECT_EQ(value_of(arith(63, kSqrt, 0, -0.0)), -0.0);
  EXPECT_EQ(fprf(), kFprfMinusZero);
}

TEST_F(FloatTest, RoundingModesAndFrFi) {
  const double tiny = std::ldexp(1.0, -60);
  const double next_up = std::nextafter(1.0, 2.0);
  EXPECT_EQ(value_of(arith(63, kAdd, 1.0, tiny)), 1.0);
  EXPECT_EQ(fpscr() & (kFx | kXx | kFi | kFr), kFx | kXx | kFi);
  set_rounding(kUpward);
  EXPECT_EQ(value_of(arith(63, kAdd, 1.0, tiny)), next_up);
  EXPECT_EQ(fpscr() & (kFi | kFr), kFi | kFr);
  set_rounding(kTowardZero);
  EXPECT_EQ(value_of(arith(63, kAdd, 1.0, tiny)), 1.0);
  EXPECT_EQ(fpscr() & (kFi | kFr), kFi);
  set_rounding(kDownward);
  EXPECT_EQ(value_of(arith(63, kAdd, -1.0, -tiny)), -next_up);
  EXPECT_EQ(fpscr() & kFr, kFr);
  EXPECT_EQ(value_of(arith(63, kAdd, 1.0, tiny)), 1.0);
  // An exact operation clears FR and FI but XX stays sticky.
  EXPECT_EQ(value_of(arith(63, kAdd, 1.0, 1.0)), 2.0);
  EXPECT_EQ(fpscr() & (kFi | kFr | kXx), kXx);
  // The host is back in round-to-nearest.
  volatile double one = 1.0, small = tiny;
  EXPECT_EQ(one + small, 1.0);
}

// In round-to-nearest FR and FI come from the exact rounding error of
// each operation (float_format.hpp's fast path): FR when the magnitude
// went up, FI for any inexact result, neither for an exact one.
TEST_F(FloatTest, NearestFrFiFromTheRoundingError) {
  const double e30 = std::ldexp(1.0, -30), e60 = std::ldexp(1.0, -60);
  const auto fr_fi = [&] { return fpscr() & (kFr | kFi); };
  EXPECT_EQ(value_of(arith(63, kAdd, 1.0, e60)), 1.0);
  EXPECT_EQ(fr_fi(), kFi);
  EXPECT_EQ(value_of(arith(63, kAdd, 1.0, std::ldexp(1.0, -53) + e60)), 1.0 + std::ldexp(1.0, -52));
  EXPECT_EQ(fr_fi(), kFr | kFi);
  EXPECT_EQ(value_of(arith(63, kAdd, -1.0, -std::ldexp(1.0, -53) - e60)), -1.0 - std::ldexp(1.0, -52));
  EXPECT_EQ(fr_fi(), kFr | kFi);
  EXPECT_EQ(value_of(arith(63, kSub, 1.0, e60)), 1.0);
  EXPECT_EQ(fr_fi(), kFr | kFi);
  // An exact result clears FR and FI; XX stays sticky.
  EXPECT_EQ(value_of(arith(63, kAdd, 1.5, 2.25)), 3.75);
  EXPECT_EQ(fpscr() & (kFr | kFi | kXx), kXx);
  // A zero addend: exact.
  EXPECT_EQ(value_of(arith(63, kAdd, 0.0, 1.25)), 1.25);
  EXPECT_EQ(fr_fi(), 0u);

  // (1 + 2^-30)(1 - 2^-30) = 1 - 2^-60 rounds up; (1 + 2^-30)^2 down.
  EXPECT_EQ(value_of(arith(63, kMul, 1.0 + e30, 0, 1.0 - e30)), 1.0);
  EXPECT_EQ(fr_fi(), kFr | kFi);
  EXPECT_EQ(value_of(arith(63, kMul, -1.0 - e30, 0, 1.0 - e30)), -1.0);
  EXPECT_EQ(fr_fi(), kFr | kFi);
  EXPECT_EQ(value_of(arith(63, kMul, 1.0 + e30, 0, 1.0 + e30)), 1.0 + std::ldexp(1.0, -29));
  EXPECT_EQ(fr_fi(), kFi);
  EXPECT_EQ(value_of(arith(63, kMul, 3.0, 0, 2.5)), 7.5);
  EXPECT_EQ(fr_fi(), 0u);

  // 1/10 rounds up, 1/3 down; a negative divisor flips the remainder's sign.
  EXPECT_EQ(value_of(arith(63, kDiv, 1.0, 10.0)), 0x1.999999999999ap-4);
  EXPECT_EQ(fr_fi(), kFr | kFi);
  EXPECT_EQ(value_of(arith(63, kDiv, 1.0, -10.0)), -0x1.999999999999ap-4);
  EXPECT_EQ(fr_fi(), kFr | kFi);
  EXPECT_EQ(value_of(arith(63, kDiv, 1.0, -3.0)), -0x1.5555555555555p-2);
  EXPECT_EQ(fr_fi(), kFi);
  EXPECT_EQ(value_of(arith(63, kDiv, 1.0, 4.0)), 0.25);
  EXPECT_EQ(fr_fi(), 0u);

  // sqrt(2) rounds up, sqrt(3) down.
  EXPECT_EQ(value_of(arith(63, kSqrt, 0, 2.0)), 0x1.6a09e667f3bcdp+0);
  EXPECT_EQ(fr_fi(), kFr | kFi);
  EXPECT_EQ(value_of(arith(63, kSqrt, 0, 3.0)), 0x1.bb67ae8584caap+0);
  EXPECT_EQ(fr_fi(), kFi);
  EXPECT_EQ(value_of(arith(63, kSqrt, 0, 16.0)), 4.0);
  EXPECT_EQ(fr_fi(), 0u);

  // 1 - 2^-60 + 2^-80 rounds up to 1; with a zero addend, 1 - 2^-60 does.
  EXPECT_EQ(value_of(arith(63, kMadd, 1.0 + e30, std::ldexp(1.0, -80), 1.0 - e30)), 1.0);
  EXPECT_EQ(fr_fi(), kFr | kFi);
  EXPECT_EQ(value_of(arith(63, kMadd, 1.0 + e30, 0.0, 1.0 - e30)), 1.0);
  EXPECT_EQ(fr_fi(), kFr | kFi);
  // 1 + 2^-29 + 2^-60 - 2^-29: exactly 1 + 2^-60, rounded down to 1.
  EXPECT_EQ(value_of(arith(63, kMsub, 1.0 + e30, std::ldexp(1.0, -29), 1.0 + e30)), 1.0);
  EXPECT_EQ(fr_fi(), kFi);
  // A product below the double range (2^-1200) beside a normal addend.
  EXPECT_EQ(value_of(arith(63, kMadd, std::ldexp(1.0, -600), -1.0, std::ldexp(1.0, -600))), -1.0);
  EXPECT_EQ(fr_fi(), kFr | kFi);
  EXPECT_EQ(fpscr() & kUx, 0u);

  // Single precision: the same error, rounded again.
  EXPECT_EQ(value_of(arith(59, kAdd, 1.0, e30)), 1.0);
  EXPECT_EQ(fr_fi(), kFi);
  EXPECT_EQ(value_of(arith(59, kAdd, 1.0, std::ldexp(1.0, -24) + e30)), 1.0 + std::ldexp(1.0, -23));
  EXPECT_EQ(fr_fi(), kFr | kFi);
  // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24, exact in double, a single tie: even.
  EXPECT_EQ(value_of(arith(59, kMul, 1.0 + std::ldexp(1.0, -12), 0, 1.0 + std::ldexp(1.0, -12))),
            1.0 + std::ldexp(1.0, -11));
  EXPECT_EQ(fr_fi(), kFi);
  // 1 + 2^-24 + 2^-60: double rounding would tie to 1; once, it rounds up.
  EXPECT_EQ(value_of(arith(59, kAdd, 1.0, std::ldexp(1.0, -24) + e60)), 1.0 + std::ldexp(1.0, -23));
  EXPECT_EQ(fr_fi(), kFr | kFi);
  EXPECT_EQ(value_of(arith(59, kAdd, 1.5, 2.25)), 3.75);
  EXPECT_EQ(fr_fi(), 0u);
}

// The directed modes take the slow path, operation by operation.
TEST_F(FloatTest, DirectedRoundingOfEachOperation) {
  const double e30 = std::ldexp(1.0, -30);
  const auto fr_fi = [&] { return fpscr() & (kFr | kFi); };
  set_rounding(kUpward);
  EXPECT_EQ(value_of(arith(63, kMul, 1.0 + e30, 0, 1.0 + e30)), 1.0 + std::ldexp(1.0, -29) + std::ldexp(1.0, -52));
  EXPECT_EQ(fr_fi(), kFr | kFi);
  EXPECT_EQ(value_of(arith(63, kDiv, 1.0, 3.0)), 0x1.5555555555556p-2);
  EXPECT_EQ(fr_fi(), kFr | kFi);
  EXPECT_EQ(value_of(arith(63, kSqrt, 0, 3.0)), 0x1.bb67ae8584cabp+0);
  EXPECT_EQ(fr_fi(), kFr | kFi);
  EXPECT_EQ(value_of(arith(59, kAdd, 1.0, e30)), 1.0 + std::ldexp(1.0, -23));
  EXPECT_EQ(fr_fi(), kFr | kFi);
  set_rounding(kDownward);
  EXPECT_EQ(value_of(arith(63, kDiv, 1.0, 10.0)), 0x1.9999999999999p-4);
  EXPECT_EQ(fr_fi(), kFi);
  EXPECT_EQ(value_of(arith(63, kDiv, -1.0, 10.0)), -0x1.999999999999ap-4);
  EXPECT_EQ(fr_fi(), kFr | kFi);
  EXPECT_EQ(value_of(arith(63, kSub, 1.0, 1.0)), -0.0);
  EXPECT_EQ(fr_fi(), 0u);
  set_rounding(kTowardZero);
  EXPECT_EQ(value_of(arith(63, kSqrt, 0, 2.0)), 0x1.6a09e667f3bccp+0);
  EXPECT_EQ(fr_fi(), kFi);
  // 1 - 2^-60 + 2^-80 truncates to 1 - 2^-53.
  EXPECT_EQ(value_of(arith(63, kMadd, 1.0 + e30, std::ldexp(1.0, -80), 1.0 - e30)), 1.0 - std::ldexp(1.0, -53));
  EXPECT_EQ(fr_fi(), kFi);
  EXPECT_EQ(value_of(arith(63, kMul, 3.0, 0, 2.5)), 7.5);
  EXPECT_EQ(fr_fi(), 0u);
  // The host is back in round-to-nearest, which the fast path assumes.
  set_rounding(0);
  volatile double one = 1.0, small = std::ldexp(1.0, -60);
  EXPECT_EQ(one - small, 1.0);
  EXPECT_EQ(value_of(arith(63, kSub, 1.0, std::ldexp(1.0, -60))), 1.0);
  EXPECT_EQ(fr_fi(), kFr | kFi);
}

TEST_F(FloatTest, FusedMultiplyAddRoundsOnce) {
  const double a = 1.0 + std::ldexp(1.0, -30), c = 1.0 - std::ldexp(1.0, -30);
  // a*c = 1 - 2^-60 exactly: rounded alone it is 1.0.
  EXPECT_EQ(value_of(arith(63, kMul, a, 0, c)), 1.0);
  EXPECT_EQ(value_of(arith(63, kMadd, a, -1.0, c)), -std::ldexp(1.0, -60));
  EXPECT_EQ(fpscr() & kFi, 0u);
  EXPECT_EQ(value_of(arith(63, kMsub, a, 1.0, c)), -std::ldexp(1.0, -60));
  EXPECT_EQ(value_of(arith(63, kNmadd, a, -1.0, c)), std::ldexp(1.0, -60));
  EXPECT_EQ(value_of(arith(63, kNmsub, a, 1.0, c)), std::ldexp(1.0, -60));
}

TEST_F(FloatTest, SingleFusedMultiplyAddRoundsOnceToSingle) {
  // (1 + 2^-40)^2 + (2^-24 - 2^-39) = 1 + 2^-24 + 2^-80: just above the
  // midpoint between 1 and 1 + 2^-23. Rounding to double first would land
  // on the midpoint and then round to even, 1.0.
  const double a = 1.0 + std::ldexp(1.0, -40);
  const double b = std::ldexp(1.0, -24) - std::ldexp(1.0, -39);
  EXPECT_EQ(value_of(arith(59, kMadd, a, b, a)), 1.0 + std::ldexp(1.0, -23));
  EXPECT_EQ(fpscr() & (kFi | kFr), kFi | kFr);
  EXPECT_EQ(value_of(arith(59, kNmadd, a, b, a)), -(1.0 + std::ldexp(1.0, -23)));
}

TEST_F(FloatTest, SingleArithmetic) {
  EXPECT_EQ(value_of(arith(59, kAdd, 1.0, std::ldexp(1.0, -30))), 1.0);
  EXPECT_EQ(fpscr() & kFi, kFi);
  EXPECT_EQ(value_of(arith(59, kDiv, 1.0, 3.0)), static_cast<double>(1.0f / 3.0f));
  // A single-precision denormal result is classified as denormal.
  EXPECT_EQ(value_of(arith(59, kMul, std::ldexp(1.0, -70), 0, std::ldexp(1.0, -70))), std::ldexp(1.0, -140));
  EXPECT_EQ(fprf(), kFprfPlusDenormal);
  // Overflow of the single range.
  EXPECT_TRUE(std::isinf(value_of(arith(59, kMul, 1e20, 0, 1e20))));
  EXPECT_EQ(fpscr() & (kOx | kXx), kOx | kXx);
  EXPECT_EQ(fprf(), kFprfPlusInfinity);
}

// An exact zero sum is -0 only when rounding toward -inf (Book I 4.3.6),
// in single precision as in double; the negative forms negate it after.
TEST_F(FloatTest, SingleExactZeroSumTakesItsSignFromTheRoundingMode) {
  set_rounding(kDownward);
  EXPECT_EQ(arith(59, kSub, 0.0, 0.0), bits_of(-0.0));
  EXPECT_EQ(fprf(), kFprfMinusZero);
  EXPECT_EQ(arith(59, kAdd, 1.5, -1.5), bits_of(-0.0));
  EXPECT_EQ(arith(59, kMsub, 0.0, 0.0, 1.0), bits_of(-0.0));  // 0 * 1 - 0
  EXPECT_EQ(arith(59, kNmadd, 0.0, -0.0, 1.0), bits_of(0.0));  // -(0 * 1 + -0)
  set_rounding(kUpward);
  EXPECT_EQ(arith(59, kSub, 0.0, 0.0), bits_of(0.0));
  EXPECT_EQ(arith(63, kSub, 0.0, 0.0), bits_of(0.0));
}

TEST_F(FloatTest, NanPropagation) {
  // frA's NaN wins; frB's SNaN still raises VXSNAN.
  EXPECT_EQ(arith_bits(63, kAdd, 0x7ff8000000000abcull, kSnan), 0x7ff8000000000abcull);
  EXPECT_EQ(fpscr() & (kFx | kVx | kVxSnan), kFx | kVx | kVxSnan);
  EXPECT_EQ(fprf(), kFprfQnan);
  cpu.state.fpscr = 0;
  // An SNaN is quieted; a QNaN alone raises nothing.
  EXPECT_EQ(arith_bits(63, kAdd, bits_of(1.0), kSnan), 0x7ff8000000000001ull);
  cpu.state.fpscr = 0;
  EXPECT_EQ(arith_bits(63, kMul, bits_of(1.0), 0, 0xfff8000000000005ull), 0xfff8000000000005ull);
  EXPECT_EQ(fpscr() & kVx, 0u);
  // Multiply-add precedence: frA, then frB, then frC.
  EXPECT_EQ(arith_bits(63, kMadd, bits_of(2.0), 0x7ff8000000000002ull, kSnan), 0x7ff8000000000002ull);
  EXPECT_EQ(fpscr() & kVxSnan, kVxSnan);
  // infinity x 0 is invalid even with a QNaN addend, whose NaN is the result.
  cpu.state.fpscr = 0;
  EXPECT_EQ(arith_bits(63, kMadd, 0, 0x7ff8000000000003ull, bits_of(std::numeric_limits<double>::infinity())),
            0x7ff8000000000003ull);
  EXPECT_EQ(fpscr() & (kVxImz | kVxSnan), kVxImz);
  // fnmadd does not negate a NaN.
  EXPECT_EQ(arith_bits(63, kNmadd, bits_of(2.0), 0x7ff8000000000002ull, 0), 0x7ff8000000000002ull);
  // Single precision keeps the fraction bits a single holds.
  EXPECT_EQ(arith_bits(59, kAdd, 0x7ff0000020000001ull, 0), 0x7ff8000020000000ull);
}

TEST_F(FloatTest, InvalidOperations) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(arith(63, kSub, inf, inf), kDefaultNan);
  EXPECT_EQ(fpscr() & (kFx | kVx | kVxIsi), kFx | kVx | kVxIsi);
  EXPECT_EQ(fprf(), kFprfQnan);
  cpu.state.fpscr = 0;
  EXPECT_EQ(arith(63, kDiv, 0.0, -0.0), kDefaultNan);
  EXPECT_EQ(fpscr() & kVxZdz, kVxZdz);
  cpu.state.fpscr = 0;
  EXPECT_EQ(arith(63, kSqrt, 0, -1.0), kDefaultNan);
  EXPECT_EQ(fpscr() & kVxSqrt, kVxSqrt);
  cpu.state.fpscr = 0;
  EXPECT_EQ(arith(63, kMadd, inf, -inf, 1.0), kDefaultNan);  // inf*1 - inf
  EXPECT_EQ(fpscr() & kVxIsi, kVxIsi);
  // VE=1 leaves FRT and FPRF alone, and sets FEX.
  cpu.state.fpscr = kVe;
  cpu.state.fpr[1] = bits_of(5.0);
  cpu.state.fpr[2] = bits_of(inf);
  cpu.state.fpr[3] = bits_of(inf);
  EXPECT_EQ(execute(a_form(63, 1, 2, 3, 0, kSub)), Flow::next);
  EXPECT_EQ(value_of(cpu.state.fpr[1]), 5.0);
  EXPECT_EQ(fpscr() & (kFex | kVx | kVxIsi), kFex | kVx | kVxIsi);
  EXPECT_EQ(fprf(), 0u);
}

TEST_F(FloatTest, DivideByZero) {
  EXPECT_EQ(value_of(arith(63, kDiv, -1.0, 0.0)), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(fpscr() & (kFx | kZx | kXx | kFi), kFx | kZx);
  EXPECT_EQ(fprf(), 0x09u);  // -infinity
  // ZE=1 with MSR[FE0,FE1]=0: FRT kept, FEX set, no interrupt.
  cpu.state.fpscr = kZe;
  cpu.state.fpr[1] = bits_of(5.0);
  cpu.state.fpr[2] = bits_of(1.0);
  cpu.state.fpr[3] = 0;
  EXPECT_EQ(execute(a_form(63, 1, 2, 3, 0, kDiv)), Flow::next);
  EXPECT_EQ(value_of(cpu.state.fpr[1]), 5.0);
  EXPECT_EQ(fpscr() & (kFex | kZx), kFex | kZx);
  // With FE0=1 the enabled exception interrupts.
  cpu.set_msr(cpu.state.msr | kMsrFe0);
  cpu.state.nip = kCodeAddress;
  EXPECT_EQ(execute(a_form(63, 1, 2, 3, 0, kDiv)), Flow::jump);
  expect_program_interrupt(program_cause::kFloatingPoint);
  EXPECT_EQ(value_of(cpu.state.fpr[1]), 5.0);
  // fre(0) divides by zero as well.
  cpu.set_msr(ppc::msr::kSixtyFour | ppc::msr::kFloatingPoint);
  cpu.state.fpscr = 0;
  EXPECT_EQ(value_of(arith(63, kRe, 0, 0.0)), std::numeric_limits<double>::infinity());
  EXPECT_EQ(fpscr() & kZx, kZx);
}

TEST_F(FloatTest, EnabledInexactTrapsAfterWritingResult) {
  cpu.state.fpscr = kXe;
  cpu.set_msr(cpu.state.msr | kMsrFe0);
  EXPECT_EQ(execute(a_form(63, 1, 1, 1, 0, kAdd)), Flow::next);  // 0 + 0 is exact
  cpu.state.nip = kCodeAddress;
  cpu.state.fpr[2] = bits_of(1.0);
  cpu.state.fpr[3] = bits_of(std::ldexp(1.0, -60));
  EXPECT_EQ(execute(a_form(63, 1, 2, 3, 0, kAdd, true)), Flow::jump);
  expect_program_interrupt(program_cause::kFloatingPoint);
  EXPECT_EQ(value_of(cpu.state.fpr[1]), 1.0);
  EXPECT_EQ(fpscr() & (kFx | kFex | kXx | kFi), kFx | kFex | kXx | kFi);
  EXPECT_EQ(cpu.state.cr_field(1), 0b1100u);  // FX, FEX
}

TEST_F(FloatTest, Estimates) {
  EXPECT_EQ(value_of(arith(63, kRe, 0, 4.0)), 0.25);
  EXPECT_EQ(value_of(arith(63, kRsqrte, 0, 4.0)), 0.5);
  EXPECT_NEAR(value_of(arith(59, kRe, 0, 3.0)), 1.0 / 3.0, 1.0 / 3.0 / 256);
  EXPECT_EQ(value_of(arith(63, kRsqrte, 0, std::numeric_limits<double>::infinity())), 0.0);
  EXPECT_EQ(arith(63, kRsqrte, 0, -4.0), kDefaultNan);
  EXPECT_EQ(fpscr() & kVxSqrt, kVxSqrt);
}

TEST_F(FloatTest, Select) {
  EXPECT_EQ(value_of(arith(63, kSel, -0.0, 1.0, 2.0)), 2.0);  // -0 >= 0 selects frC
  EXPECT_EQ(value_of(arith(63, kSel, -1.0, 1.0, 2.0)), 1.0);
  EXPECT_EQ(arith_bits(63, kSel, kDefaultNan, bits_of(1.0), bits_of(2.0)), bits_of(1.0));
  EXPECT_EQ(fpscr(), 0u);
}

TEST_F(FloatTest, Moves) {
  EXPECT_EQ(unary(63, kFmr, kSnan), kSnan);
  EXPECT_EQ(unary(63, kFneg, bits_of(2.0)), bits_of(-2.0));
  EXPECT_EQ(unary(63, kFabs, bits_of(-2.0)), bits_of(2.0));
  EXPECT_EQ(unary(63, kFnabs, bits_of(2.0)), bits_of(-2.0));
  cpu.state.fpr[2] = bits_of(-0.0);
  cpu.state.fpr[3] = bits_of(3.0);
  EXPECT_EQ(execute(x_form(63, 1, 2, 3, kFcpsgn)), Flow::next);
  EXPECT_EQ(value_of(cpu.state.fpr[1]), -3.0);
  EXPECT_EQ(fpscr(), 0u);
}

TEST_F(FloatTest, ConvertToWordSaturates) {
  EXPECT_EQ(unary(63, kFctiw, bits_of(2.5)) & 0xffffffff, 2u);  // nearest even
  EXPECT_EQ(fpscr() & (kXx | kFi | kFr), kXx | kFi);
  EXPECT_EQ(unary(63, kFctiw, bits_of(3.5)) & 0xffffffff, 4u);
  EXPECT_EQ(fpscr() & kFr, kFr);
  EXPECT_EQ(unary(63, kFctiwz, bits_of(-2.7)) & 0xffffffff, 0xfffffffeu);
  cpu.state.fpscr = 0;
  EXPECT_EQ(unary(63, kFctiw, bits_of(3e9)) & 0xffffffff, 0x7fffffffu);
  EXPECT_EQ(fpscr() & (kFx | kVx | kVxCvi | kXx), kFx | kVx | kVxCvi);
  EXPECT_EQ(unary(63, kFctiw, bits_of(-3e9)) & 0xffffffff, 0x80000000u);
  // 2^31 - 0.5 rounds up to 2^31, which is out of range.
  cpu.state.fpscr = 0;
  EXPECT_EQ(unary(63, kFctiw, bits_of(2147483647.5)) & 0xffffffff, 0x7fffffffu);
  EXPECT_EQ(fpscr() & kVxCvi, kVxCvi);
  cpu.state.fpscr = 0;
  EXPECT_EQ(unary(63, kFctiw, kSnan) & 0xffffffff, 0x80000000u);
  EXPECT_EQ(fpscr() & (kVxCvi | kVxSnan), kVxCvi | kVxSnan);
  cpu.state.fpscr = 0;
  EXPECT_EQ(unary(63, kFctiwu, bits_of(-1.0)), 0u);
  EXPECT_EQ(fpscr() & kVxCvi, kVxCvi);
  cpu.state.fpscr = 0;
  EXPECT_EQ(unary(63, kFctiwu, bits_of(-0.25)), 0u);  // rounds to -0: in range
  EXPECT_EQ(fpscr() & (kVxCvi | kXx), kXx);
  EXPECT_EQ(unary(63, kFctiwu, bits_of(4294967295.0)), 0xffffffffu);
  // RN applies to the non-z forms.
  set_rounding(kUpward);
  EXPECT_EQ(unary(63, kFctiw, bits_of(1.1)) & 0xffffffff, 2u);
  EXPECT_EQ(unary(63, kFctiwz, bits_of(1.9)) & 0xffffffff, 1u);
}

TEST_F(FloatTest, ConvertToDoubleword) {
  EXPECT_EQ(unary(63, kFctid, bits_of(-5.0)), static_cast<u64>(-5));
  EXPECT_EQ(unary(63, kFctid, bits_of(std::ldexp(1.0, 63))), 0x7fffffffffffffffull);
  EXPECT_EQ(fpscr() & kVxCvi, kVxCvi);
  EXPECT_EQ(unary(63, kFctid, bits_of(-std::ldexp(1.0, 63))), 0x8000000000000000ull);
  EXPECT_EQ(unary(63, kFctidu, bits_of(std::ldexp(1.0, 64) - 2048)), 0xfffffffffffff800ull);
  EXPECT_EQ(unary(63, kFctidu, bits_of(std::ldexp(1.0, 64))), ~u64{0});
  EXPECT_EQ(unary(63, kFctidu, kDefaultNan), 0u);
}

TEST_F(FloatTest, ConvertFromInteger) {
  EXPECT_EQ(value_of(unary(63, kFcfid, static_cast<u64>(-42))), -42.0);
  EXPECT_EQ(fpscr() & kXx, 0u);
  EXPECT_EQ(fprf(), 0x08u);
  // 2^53 + 1 is a tie: nearest even is 2^53.
  EXPECT_EQ(value_of(unary(63, kFcfid, (u64{1} << 53) + 1)), std::ldexp(1.0, 53));
  EXPECT_EQ(fpscr() & (kXx | kFi | kFr), kXx | kFi);
  set_rounding(kUpward);
  EXPECT_EQ(value_of(unary(63, kFcfid, (u64{1} << 53) + 1)), std::ldexp(1.0, 53) + 2);
  EXPECT_EQ(fpscr() & kFr, kFr);
  set_rounding(0);
  EXPECT_EQ(value_of(unary(63, kFcfidu, ~u64{0})), std::ldexp(1.0, 64));
  // fcfids rounds once to single: 2^24 + 1 ties to 2^24.
  EXPECT_EQ(value_of(unary(59, kFcfid, (u64{1} << 24) + 1)), std::ldexp(1.0, 24));
  EXPECT_EQ(value_of(unary(59, kFcfidu, ~u64{0})), std::ldexp(1.0, 64));
}

TEST_F(FloatTest, RoundToSingle) {
  // 1 + 2^-24 + 2^-30 is above the midpoint: rounds up to 1 + 2^-23.
  EXPECT_EQ(value_of(unary(63, kFrsp, bits_of(1.0 + std::ldexp(1.0, -24) + std::ldexp(1.0, -30)))),
            1.0 + std::ldexp(1.0, -23));
  EXPECT_EQ(fpscr() & (kFr | kFi | kXx), kFr | kFi | kXx);
  EXPECT_EQ(value_of(unary(63, kFrsp, bits_of(1.0 + std::ldexp(1.0, -24)))), 1.0);  // tie to even
  EXPECT_EQ(fpscr() & (kFr | kFi), kFi);
  // Overflow: infinity in RN, the largest single toward zero.
  cpu.state.fpscr = 0;
  EXPECT_TRUE(std::isinf(value_of(unary(63, kFrsp, bits_of(1e300)))));
  EXPECT_EQ(fpscr() & (kOx | kXx | kFx), kOx | kXx | kFx);
  EXPECT_EQ(fprf(), kFprfPlusInfinity);
  set_rounding(kTowardZero);
  EXPECT_EQ(value_of(unary(63, kFrsp, bits_of(1e300))), static_cast<double>(std::numeric_limits<float>::max()));
  // Underflow to a single denormal.
  cpu.state.fpscr = 0;
  EXPECT_EQ(value_of(unary(63, kFrsp, bits_of(std::ldexp(1.0, -140) + std::ldexp(1.0, -160)))),
            std::ldexp(1.0, -140));
  EXPECT_EQ(fpscr() & (kUx | kXx), kUx | kXx);
  EXPECT_EQ(fprf(), kFprfPlusDenormal);
  // Tininess is detected before rounding: 2^-126 - 2^-160 rounds up to the
  // smallest normal single but still underflows.
  cpu.state.fpscr = 0;
  EXPECT_EQ(value_of(unary(63, kFrsp, bits_of(std::ldexp(1.0, -126) - std::ldexp(1.0, -160)))),
            std::ldexp(1.0, -126));
  EXPECT_EQ(fpscr() & (kUx | kXx), kUx | kXx);
  EXPECT_EQ(fprf(), kFprfPlusNormal);
  // An exact tiny result underflows only when UE=1.
  cpu.state.fpscr = 0;
  unary(63, kFrsp, bits_of(std::ldexp(1.0, -140)));
  EXPECT_EQ(fpscr() & (kUx | kXx), 0u);
  EXPECT_EQ(value_of(arith(63, kMul, std::ldexp(1.0, -1000), 0, std::ldexp(1.0, -30))), std::ldexp(1.0, -1030));
  EXPECT_EQ(fpscr() & kUx, 0u);
  cpu.state.fpscr = kUe;
  unary(63, kFrsp, bits_of(std::ldexp(1.0, -140)));
  EXPECT_EQ(fpscr() & (kUx | kFex), kUx | kFex);
  // An SNaN is quieted and truncated to single.
  EXPECT_EQ(unary(63, kFrsp, 0x7ff0000020000001ull), 0x7ff8000020000000ull);
  EXPECT_EQ(fpscr() & kVxSnan, kVxSnan);
}

TEST_F(FloatTest, RoundToIntegral) {
  EXPECT_EQ(value_of(unary(63, kFrin, bits_of(2.5))), 3.0);
  EXPECT_EQ(value_of(unary(63, kFrin, bits_of(-2.5))), -3.0);
  EXPECT_EQ(unary(63, kFriz, bits_of(-0.5)), bits_of(-0.0));
  EXPECT_EQ(fprf(), kFprfMinusZero);
  EXPECT_EQ(value_of(unary(63, kFrip, bits_of(1.1))), 2.0);
  EXPECT_EQ(value_of(unary(63, kFrim, bits_of(-0.5))), -1.0);
  EXPECT_EQ(fpscr() & (kXx | kFi), 0u);
}

TEST_F(FloatTest, CompareUnorderedAndOrdered) {
  cpu.state.fpr[1] = bits_of(1.0);
  cpu.state.fpr[2] = bits_of(2.0);
  EXPECT_EQ(execute(x_form(63, 3 << 2, 1, 2, kFcmpu)), Flow::next);
  EXPECT_EQ(cpu.state.cr_field(3), cr_bit::kLess);
  EXPECT_EQ(fprf() & 0xf, 8u);  // FPCC = FL
  cpu.state.fpr[2] = kDefaultNan;
  EXPECT_EQ(execute(x_form(63, 3 << 2, 1, 2, kFcmpu)), Flow::next);
  EXPECT_EQ(cpu.state.cr_field(3), cr_bit::kSummaryOverflow);  // FU
  EXPECT_EQ(fprf() & 0xf, 1u);
  EXPECT_EQ(fpscr() & kVx, 0u);  // a QNaN is fine for fcmpu
  EXPECT_EQ(execute(x_form(63, 0, 1, 2, kFcmpo)), Flow::next);
  EXPECT_EQ(cpu.state.cr_field(0), cr_bit::kSummaryOverflow);
  EXPECT_EQ(fpscr() & (kFx | kVx | kVxVc), kFx | kVx | kVxVc);
  cpu.state.fpscr = 0;
  cpu.state.fpr[2] = kSnan;
  EXPECT_EQ(execute(x_form(63, 0, 1, 2, kFcmpu)), Flow::next);
  EXPECT_EQ(fpscr() & (kVxSnan | kVxVc), kVxSnan);
  cpu.state.fpr[2] = bits_of(-0.0);
  cpu.state.fpr[1] = bits_of(0.0);
  EXPECT_EQ(execute(x_form(63, 7 << 2, 1, 2, kFcmpu)), Flow::next);
  EXPECT_EQ(cpu.state.cr_field(7), cr_bit::kEqual);
}

TEST_F(FloatTest, RecordCopiesFpscrToCr1) {
  cpu.state.cr = 0;
  const double inf = std::numeric_limits<double>::infinity();
  arith(63, kSub, inf, inf, 0, true);
  EXPECT_EQ(cpu.state.cr_field(1), 0b1010u);  // FX, VX
  cpu.state.fpscr = kVe;
  arith(63, kSub, inf, inf, 0, true);
  EXPECT_EQ(cpu.state.cr_field(1), 0b1110u);  // FX, FEX, VX
  cpu.state.fpscr = kOx;
  unary(63, kFmr, 0, true);
  EXPECT_EQ(cpu.state.cr_field(1), 0b0001u);
}

TEST_F(FloatTest, MoveToAndFromFpscr) {
  // mtfsf L=1 writes everything but the summaries VX and FEX.
  cpu.state.fpr[5] = 0x00000003'ffffffffull;
  EXPECT_EQ(execute(mtfsf(0, 5, true, false)), Flow::next);
  EXPECT_EQ(execute(x_form(63, 6, 0, 0, kMffs)), Flow::next);
  EXPECT_EQ(cpu.state.fpr[6], 0x00000003'ffffffffull);
  // Only field 7 (the low nibble: NI, RN) with FLM=0x01.
  cpu.state.fpscr = 0;
  cpu.state.fpr[5] = 0xffffffff'ffffffffull;
  EXPECT_EQ(execute(mtfsf(0x01, 5, false, false)), Flow::next);
  EXPECT_EQ(fpscr(), 0xfu);
  // W=1 reaches the high word.
  EXPECT_EQ(execute(mtfsf(0x01, 5, false, true)), Flow::next);
  EXPECT_EQ(fpscr(), 0x0000000f'0000000full);
  // VX and FEX come from the other bits: setting them alone does nothing.
  cpu.state.fpscr = 0;
  cpu.state.fpr[5] = kVx | kFex;
  EXPECT_EQ(execute(mtfsf(0x80, 5, false, false)), Flow::next);
  EXPECT_EQ(fpscr(), 0u);
  // mtfsfi 7,2 sets RN = round toward +infinity, and arithmetic uses it.
  EXPECT_EQ(execute(mtfsfi(7, 2, false)), Flow::next);
  EXPECT_EQ(fpscr(), kUpward);
  EXPECT_EQ(value_of(arith(63, kAdd, 1.0, std::ldexp(1.0, -60))), std::nextafter(1.0, 2.0));
  // mtfsb1 on ZX sets FX; with ZE it sets FEX and, under FE0, interrupts.
  cpu.state.fpscr = kZe;
  cpu.set_msr(cpu.state.msr | kMsrFe0);
  cpu.state.nip = kCodeAddress;
  EXPECT_EQ(execute(x_form(63, 5, 0, 0, kMtfsb1)), Flow::jump);
  expect_program_interrupt(program_cause::kFloatingPoint);
  EXPECT_EQ(fpscr(), kZe | kZx | kFx | kFex);
  cpu.set_msr(ppc::msr::kSixtyFour | ppc::msr::kFloatingPoint);  // the interrupt cleared MSR[FP]
  EXPECT_EQ(execute(x_form(63, 5, 0, 0, kMtfsb0)), Flow::next);
  EXPECT_EQ(fpscr(), kZe | kFx);
}

TEST_F(FloatTest, McrfsCopiesAndClearsExceptions) {
  cpu.state.fpscr = kFx | kVx | kOx | kVxSnan | kFr;
  EXPECT_EQ(execute(x_form(63, 2 << 2, 0, 0, kMcrfs)), Flow::next);
  EXPECT_EQ(cpu.state.cr_field(2), 0b1011u);
  // FX and OX are cleared; VX is a summary of VXSNAN, still set.
  EXPECT_EQ(fpscr(), kVx | kVxSnan | kFr);
  EXPECT_EQ(execute(x_form(63, 2 << 2, 1 << 2, 0, kMcrfs)), Flow::next);
  EXPECT_EQ(cpu.state.cr_field(2), 0b0001u);  // field 1: UX ZX XX VXSNAN
  EXPECT_EQ(fpscr(), kFr);
}

TEST_F(FloatTest, TestForSoftwareDivideAndSquareRoot) {
  cpu.state.fpr[2] = bits_of(1.0);
  cpu.state.fpr[3] = bits_of(3.0);
  EXPECT_EQ(execute(x_form(63, 1 << 2, 2, 3, kFtdiv)), Flow::next);
  EXPECT_EQ(cpu.state.cr_field(1), 0b1000u);
  cpu.state.fpr[3] = 0;
  EXPECT_EQ(execute(x_form(63, 1 << 2, 2, 3, kFtdiv)), Flow::next);
  EXPECT_EQ(cpu.state.cr_field(1), 0b1110u);  // fg and fe
  cpu.state.fpr[3] = bits_of(4.0);
  EXPECT_EQ(execute(x_form(63, 1 << 2, 0, 3, kFtsqrt)), Flow::next);
  EXPECT_EQ(cpu.state.cr_field(1), 0b1000u);
  cpu.state.fpr[3] = bits_of(-4.0);
  EXPECT_EQ(execute(x_form(63, 1 << 2, 0, 3, kFtsqrt)), Flow::next);
  EXPECT_EQ(cpu.state.cr_field(1), 0b1010u);
}

// fmrgew / fmrgow: word halves side by side, FPSCR untouched.
TEST_F(FloatTest, MergeEvenAndOddWords) {
  cpu.state.fpr[2] = 0x1111111122222222ull;
  cpu.state.fpr[3] = 0x3333333344444444ull;
  cpu.state.fpscr = 0;
  ASSERT_EQ(execute(x_form(63, 1, 2, 3, 966)), Flow::next);  // fmrgew f1,f2,f3
  EXPECT_EQ(cpu.state.fpr[1], 0x1111111133333333ull);
  ASSERT_EQ(execute(x_form(63, 1, 2, 3, 838)), Flow::next);  // fmrgow f1,f2,f3
  EXPECT_EQ(cpu.state.fpr[1], 0x2222222244444444ull);
  EXPECT_EQ(cpu.state.fpscr, 0u);
  EXPECT_EQ(x_form(63, 1, 2, 3, 966), 0xfc221f8cu);
  EXPECT_EQ(x_form(63, 1, 2, 3, 838), 0xfc221e8cu);
}

}  // namespace
}  // namespace mosaic::interp::test
