// VSX floating-point arithmetic, compare and conversion instructions
// (insn_vsx_float.cpp, insn_vsx_float_convert.cpp). Expected values are
// worked out from the ISA's definitions (Power ISA 2.07B Book I 7.6).
#include <bit>
#include <cmath>
#include <cstdint>

#include "cpu_fixture.hpp"
#include "insn_common.hpp"

namespace mosaic::interp::test {
namespace {

using namespace encode;
using u64 = std::uint64_t;
using u32 = std::uint32_t;

// FPSCR bit 32+k (Book I 4.2.2).
constexpr u64 bit(unsigned k) { return u64{1} << (31 - k); }
constexpr u64 kFx = bit(0), kFex = bit(1), kVx = bit(2), kXx = bit(6), kVxSnan = bit(7), kVxVc = bit(12),
              kFr = bit(13), kFi = bit(14), kVxCvi = bit(23), kVe = bit(24);
constexpr unsigned kFprfShift = 12;
constexpr u64 kFprfMask = u64{0x1f} << kFprfShift;
constexpr u64 kFprfPlusNormal = 0x04;
constexpr u64 kUpward = 2;

constexpr u64 kSnan = 0x7ff0000020000000ull;  // a single-representable SNaN
constexpr u64 kQnan = 0x7ff8000000000000ull;
constexpr u32 kSingleQnan = 0x7fc00000u, kSingleSnan = 0x7f800001u;

u64 bits_of(double value) { return std::bit_cast<u64>(value); }
u32 bits_of(float value) { return std::bit_cast<u32>(value); }

// Primary 60 extended opcodes: XX3 (bits 21:28), XX3 with Rc (bits 22:28)
// and XX2 (bits 21:29).
enum Xx3 : unsigned {
  kXsadddp = 32, kXsmaddadp = 33, kXsmaddmdp = 41, kXsmsubadp = 49, kXsnmsubmdp = 185, kXsmaxdp = 160,
  kXvmaddadp = 97, kXvmaddmsp = 73, kXvaddsp = 64, kXvadddp = 96,
};
enum Xx3Rc : unsigned { kXvcmpeqdp = 99, kXvcmpgedp = 115, kXvcmpgtsp = 75 };
enum Xx2 : unsigned {
  kXscvdpsp = 265, kXscvdpspn = 267, kXscvspdp = 329, kXscvspdpn = 331, kXscvdpsxws = 88, kXscvdpuxws = 72,
  kXvcvdpsxws = 216, kXscvsxddp = 376, kXsrdpi = 73, kXsrdpic = 107, kXvrspiz = 153, kXvcvsxwdp = 248,
  kXvcvspsxds = 408, kXvcvsxdsp = 440,
};

constexpr u32 xx2(unsigned xo9, unsigned t, unsigned b) {
  return field(60, 5, 6) | field(t, 10, 5) | field(b, 20, 5) | field(xo9, 29, 9) | field(b >> 5, 30, 1) |
         field(t >> 5, 31, 1);
}
constexpr u32 xx3(unsigned xo8, unsigned t, unsigned a, unsigned b) {
  return field(60, 5, 6) | field(t, 10, 5) | field(a, 15, 5) | field(b, 20, 5) | field(xo8, 28, 8) |
         field(a >> 5, 29, 1) | field(b >> 5, 30, 1) | field(t >> 5, 31, 1);
}
constexpr u32 xx3_rc(unsigned xo7, bool rc, unsigned t, unsigned a, unsigned b) {
  return xx3((static_cast<unsigned>(rc) << 7) | xo7, t, a, b);
}

Quadword singles(float w0, float w1, float w2, float w3) {
  return {(u64{bits_of(w0)} << 32) | bits_of(w1), (u64{bits_of(w2)} << 32) | bits_of(w3)};
}

class VsxFloatTest : public CpuFixture {
 protected:
  VsxFloatTest() { cpu.set_msr(cpu.state.msr | msr_bit::kVsx | ppc::msr::kFloatingPoint); }

  void run(u32 word) { ASSERT_EQ(execute(word), Flow::next); }
  Quadword vsr(unsigned i) const { return cpu.state.vsr(i); }
  void set_vsr(unsigned i, const Quadword& value) { cpu.state.set_vsr(i, value); }
  void set_double(unsigned i, double value) { set_vsr(i, {bits_of(value), 0x1234}); }
  u64 fprf() const { return (cpu.state.fpscr & kFprfMask) >> kFprfShift; }
};

// The a-forms add XT to XA x XB; the m-forms multiply XA by XT and add XB.
TEST_F(VsxFloatTest, FusedMultiplyAddOperandRoles) {
  const auto setup = [&] {
    set_double(1, 10.0);
    set_double(2, 2.0);
    set_double(3, 3.0);
  };
  setup();
  run(xx3(kXsmaddadp, 1, 2, 3));
  EXPECT_EQ(vsr(1), (Quadword{bits_of(16.0), 0}));  // 2 * 3 + 10
  setup();
  run(xx3(kXsmaddmdp, 1, 2, 3));
  EXPECT_EQ(vsr(1)[0], bits_of(23.0));  // 2 * 10 + 3
  setup();
  run(xx3(kXsmsubadp, 1, 2, 3));
  EXPECT_EQ(vsr(1)[0], bits_of(-4.0));  // 2 * 3 - 10
  setup();
  run(xx3(kXsnmsubmdp, 1, 2, 3));
  EXPECT_EQ(vsr(1)[0], bits_of(-17.0));  // -(2 * 10 - 3)
  EXPECT_EQ(fprf(), 0x08u);              // - normal

  set_vsr(1, {bits_of(1.0), bits_of(-1.0)});
  set_vsr(2, {bits_of(2.0), bits_of(4.0)});
  set_vsr(3, {bits_of(5.0), bits_of(0.5)});
  run(xx3(kXvmaddadp, 1, 2, 3));
  EXPECT_EQ(vsr(1), (Quadword{bits_of(11.0), bits_of(1.0)}));

  set_vsr(1, singles(1, 2, 3, 4));
  set_vsr(2, singles(2, 2, 2, 2));
  set_vsr(3, singles(1, 1, 1, -1));
  run(xx3(kXvmaddmsp, 1, 2, 3));
  EXPECT_EQ(vsr(1), singles(3, 5, 7, 7));
}

TEST_F(VsxFloatTest, XsadddpHonoursRoundingMode) {
  set_double(2, 1.0);
  set_double(3, 0x1p-60);
  run(xx3(kXsadddp, 1, 2, 3));
  EXPECT_EQ(vsr(1), (Quadword{bits_of(1.0), 0}));
  EXPECT_EQ(cpu.state.fpscr & (kXx | kFi | kFr | kFx), kXx | kFi | kFx);
  EXPECT_EQ(fprf(), kFprfPlusNormal);

  cpu.state.fpscr = kUpward;
  run(xx3(kXsadddp, 1, 2, 3));
  EXPECT_EQ(vsr(1)[0], bits_of(1.0 + 0x1p-52));
  EXPECT_EQ(cpu.state.fpscr & (kFi | kFr), kFi | kFr);
}

// VSRs 32-63 are the VRs, reached through the TX / AX / BX bits.
// Scalar VSX arithmetic reports FR and FI as the FPU does; the vector
// forms share the fast path but set only XX.
TEST_F(VsxFloatTest, RoundingErrorGivesFrFi) {
  const double e30 = std::ldexp(1.0, -30);
  set_double(1, 0.0);
  set_double(2, 1.0 + e30);
  set_double(3, 1.0 - e30);
  run(xx3(kXsmaddadp, 1, 2, 3));  // (1 + 2^-30)(1 - 2^-30) + 0 rounds up
  EXPECT_EQ(vsr(1)[0], bits_of(1.0));
  EXPECT_EQ(cpu.state.fpscr & (kFr | kFi | kXx), kFr | kFi | kXx);
  set_double(2, 1.0);
  set_double(3, std::ldexp(1.0, -60));
  run(xx3(kXsadddp, 1, 2, 3));  // 1 + 2^-60 rounds down
  EXPECT_EQ(vsr(1)[0], bits_of(1.0));
  EXPECT_EQ(cpu.state.fpscr & (kFr | kFi), kFi);
  set_double(3, 0.5);
  run(xx3(kXsadddp, 1, 2, 3));
  EXPECT_EQ(vsr(1)[0], bits_of(1.5));
  EXPECT_EQ(cpu.state.fpscr & (kFr | kFi), 0u);
  cpu.state.fpscr = 0;
  set_vsr(2, {bits_of(1.0), bits_of(1.0)});
  set_vsr(3, {bits_of(0.5), bits_of(std::ldexp(1.0, -60))});
  run(xx3(kXvadddp, 1, 2, 3));
  EXPECT_EQ(vsr(1), (Quadword{bits_of(1.5), bits_of(1.0)}));
  EXPECT_EQ(cpu.state.fpscr & (kFr | kFi | kXx), kXx);
}

TEST_F(VsxFloatTest, HighRegisterNumbers) {
  set_double(33, 1.5);
  set_double(63, 2.25);
  cpu.state.fpr[8] = 0x5555;
  run(xx3(kXsadddp, 40, 33, 63));
  EXPECT_EQ(vsr(40), (Quadword{bits_of(3.75), 0}));
  EXPECT_EQ(cpu.state.vr[8], (Quadword{bits_of(3.75), 0}));
  EXPECT_EQ(cpu.state.fpr[8], 0x5555u);

  set_vsr(34, {bits_of(-3.7), bits_of(1e10)});
  run(xx2(kXvcvdpsxws, 62, 34));
  EXPECT_EQ(vsr(62), (Quadword{u64{0xfffffffdu} << 32, u64{0x7fffffffu} << 32}));
  EXPECT_NE(cpu.state.fpscr & kVxCvi, 0u);
}

TEST_F(VsxFloatTest, VsxUnavailable) {
  cpu.set_msr(cpu.state.msr & ~msr_bit::kVsx);
  set_double(2, 1.0);
  set_double(3, 2.0);
  EXPECT_EQ(execute(xx3(kXsadddp, 1, 2, 3)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 0xf40u);
  EXPECT_EQ(cpu.state.srr0, kCodeAddress);
  EXPECT_EQ(vsr(1), (Quadword{0, 0}));
  EXPECT_EQ(cpu.state.fpscr, 0u);
}

// xscvdpsp rounds and quiets; xscvdpspn only reformats, signalling nothing.
TEST_F(VsxFloatTest, ConvertDoubleToSingleSignallingAndNot) {
  set_vsr(2, {kSnan, 0});
  run(xx2(kXscvdpspn, 1, 2));
  EXPECT_EQ(vsr(1), (Quadword{u64{kSingleSnan} << 32, 0}));
  EXPECT_EQ(cpu.state.fpscr, 0u);
  run(xx2(kXscvdpsp, 1, 2));
  EXPECT_EQ(vsr(1)[0] >> 32, kSingleSnan | 0x00400000u);  // quieted, payload kept
  EXPECT_EQ(cpu.state.fpscr & (kVxSnan | kVx | kFx), kVxSnan | kVx | kFx);

  cpu.state.fpscr = 0;
  set_double(2, 1.0 + 0x1p-30);
  run(xx2(kXscvdpsp, 1, 2));
  EXPECT_EQ(vsr(1)[0] >> 32, bits_of(1.0f));
  EXPECT_EQ(cpu.state.fpscr & (kXx | kFi), kXx | kFi);
  EXPECT_EQ(fprf(), kFprfPlusNormal);

  // And back: xscvspdp quiets an SNaN, xscvspdpn keeps it.
  cpu.state.fpscr = 0;
  set_vsr(2, {u64{kSingleSnan} << 32, 0});
  run(xx2(kXscvspdpn, 1, 2));
  EXPECT_EQ(vsr(1)[0], kSnan);
  EXPECT_EQ(cpu.state.fpscr, 0u);
  run(xx2(kXscvspdp, 1, 2));
  EXPECT_EQ(vsr(1)[0], kSnan | kQnan);
  EXPECT_NE(cpu.state.fpscr & kVxSnan, 0u);
}

TEST_F(VsxFloatTest, ConvertToWordSaturates) {
  const auto convert = [&](unsigned xo, u64 value) {
    cpu.state.fpscr = 0;
    set_vsr(2, {value, 0});
    run(xx2(xo, 1, 2));
    return vsr(1)[0];
  };
  EXPECT_EQ(convert(kXscvdpsxws, bits_of(3e10)), 0x7fffffffu);
  EXPECT_EQ(cpu.state.fpscr & (kVxCvi | kVx | kFx), kVxCvi | kVx | kFx);
  EXPECT_EQ(convert(kXscvdpsxws, bits_of(-3e10)), 0xffffffff80000000ull);
  EXPECT_NE(cpu.state.fpscr & kVxCvi, 0u);
  EXPECT_EQ(convert(kXscvdpsxws, kSnan), 0xffffffff80000000ull);
  EXPECT_EQ(cpu.state.fpscr & (kVxCvi | kVxSnan), kVxCvi | kVxSnan);
  // Always toward zero, whatever RN says.
  EXPECT_EQ(convert(kXscvdpsxws, bits_of(-2.75)), 0xfffffffffffffffeull);
  EXPECT_EQ(cpu.state.fpscr & (kVxCvi | kXx | kFi), kXx | kFi);
  EXPECT_EQ(convert(kXscvdpuxws, bits_of(-1.0)), 0u);
  EXPECT_NE(cpu.state.fpscr & kVxCvi, 0u);
  EXPECT_EQ(convert(kXscvdpuxws, bits_of(4294967295.0)), 0xffffffffu);
  EXPECT_EQ(cpu.state.fpscr, 0u);

  // With VE=1 the target keeps its value.
  cpu.state.fpscr = kVe;
  set_vsr(1, {0x77, 0x88});
  set_vsr(2, {bits_of(1e300), 0});
  run(xx2(kXscvdpsxws, 1, 2));
  EXPECT_EQ(vsr(1), (Quadword{0x77, 0x88}));
  EXPECT_NE(cpu.state.fpscr & kFex, 0u);
}

TEST_F(VsxFloatTest, VectorCompareRecordsCr6) {
  set_vsr(2, {bits_of(1.0), bits_of(2.0)});
  set_vsr(3, {bits_of(1.0), bits_of(2.0)});
  run(xx3_rc(kXvcmpeqdp, true, 1, 2, 3));
  EXPECT_EQ(vsr(1), (Quadword{~u64{0}, ~u64{0}}));
  EXPECT_EQ((cpu.state.cr >> 4) & 0xf, 0b1000u);

  set_vsr(3, {bits_of(1.0), bits_of(3.0)});
  run(xx3_rc(kXvcmpeqdp, true, 1, 2, 3));
  EXPECT_EQ(vsr(1), (Quadword{~u64{0}, 0}));
  EXPECT_EQ((cpu.state.cr >> 4) & 0xf, 0u);

  set_vsr(3, {kQnan, bits_of(3.0)});
  run(xx3_rc(kXvcmpeqdp, true, 1, 2, 3));
  EXPECT_EQ(vsr(1), (Quadword{0, 0}));
  EXPECT_EQ((cpu.state.cr >> 4) & 0xf, 0b0010u);
  EXPECT_EQ(cpu.state.fpscr, 0u);  // equality is an unordered compare

  // Without Rc CR6 stays; an ordered compare with a QNaN raises VXVC.
  cpu.state.cr = 0;
  run(xx3_rc(kXvcmpgedp, false, 1, 2, 3));
  EXPECT_EQ(vsr(1), (Quadword{0, 0}));
  EXPECT_EQ(cpu.state.cr, 0u);
  EXPECT_NE(cpu.state.fpscr & kVxVc, 0u);

  set_vsr(2, singles(1, 2, 3, 4));
  set_vsr(3, singles(0, 2, 5, -1));
  run(xx3_rc(kXvcmpgtsp, true, 1, 2, 3));
  EXPECT_EQ(vsr(1), (Quadword{0xffffffff00000000ull, 0x00000000ffffffffull}));
  EXPECT_EQ((cpu.state.cr >> 4) & 0xf, 0u);
}

// Each lane is computed on its own; NaN lanes do not disturb the others,
// and vector forms leave FPRF, FR and FI alone.
TEST_F(VsxFloatTest, VectorSingleAddWithNanLanes) {
  cpu.state.fpscr = u64{0x1f} << kFprfShift;
  set_vsr(2, {(u64{bits_of(1.5f)} << 32) | kSingleQnan, (u64{kSingleSnan} << 32) | bits_of(0.1f)});
  set_vsr(3, singles(2, 7, 7, 0.2f));
  run(xx3(kXvaddsp, 1, 2, 3));
  EXPECT_EQ(vsr(1), (Quadword{(u64{bits_of(3.5f)} << 32) | kSingleQnan,
                              (u64{kSingleSnan | 0x00400000u} << 32) | bits_of(0.1f + 0.2f)}));
  EXPECT_EQ(cpu.state.fpscr & (kVxSnan | kXx | kFx), kVxSnan | kXx | kFx);
  EXPECT_EQ(fprf(), 0x1fu);
  EXPECT_EQ(cpu.state.fpscr & (kFi | kFr), 0u);

  // With VE=1 the SNaN leaves the whole target unchanged.
  cpu.state.fpscr = kVe;
  set_vsr(1, {5, 6});
  run(xx3(kXvaddsp, 1, 2, 3));
  EXPECT_EQ(vsr(1), (Quadword{5, 6}));
}

TEST_F(VsxFloatTest, MaximumPrefersNumbersOverQuietNans) {
  set_vsr(2, {kQnan, 0});
  set_double(3, -4.0);
  run(xx3(kXsmaxdp, 1, 2, 3));
  EXPECT_EQ(vsr(1)[0], bits_of(-4.0));
  set_double(2, -0.0);
  set_double(3, 0.0);
  run(xx3(kXsmaxdp, 1, 2, 3));
  EXPECT_EQ(vsr(1)[0], bits_of(0.0));
  EXPECT_EQ(cpu.state.fpscr, 0u);
}

TEST_F(VsxFloatTest, IntegerConversionsAndRounding) {
  set_vsr(2, {static_cast<u64>(-5), 0});
  run(xx2(kXscvsxddp, 1, 2));
  EXPECT_EQ(vsr(1)[0], bits_of(-5.0));

  set_vsr(2, {0xfffffffe00000000ull, 0x0000000700000000ull});
  run(xx2(kXvcvsxwdp, 1, 2));
  EXPECT_EQ(vsr(1), (Quadword{bits_of(-2.0), bits_of(7.0)}));

  set_vsr(2, singles(-3.5f, 99.0f, 1e20f, 0.0f));
  run(xx2(kXvcvspsxds, 1, 2));
  EXPECT_EQ(vsr(1), (Quadword{static_cast<u64>(-3), 0x7fffffffffffffffull}));
  EXPECT_NE(cpu.state.fpscr & kVxCvi, 0u);

  cpu.state.fpscr = 0;
  set_vsr(2, {static_cast<u64>(-6), (u64{1} << 24) + 1});
  run(xx2(kXvcvsxdsp, 1, 2));
  EXPECT_EQ(vsr(1), (Quadword{u64{bits_of(-6.0f)} << 32, u64{bits_of(16777216.0f)} << 32}));
  EXPECT_NE(cpu.state.fpscr & kXx, 0u);

  cpu.state.fpscr = 0;
  set_double(2, 2.5);
  run(xx2(kXsrdpi, 1, 2));
  EXPECT_EQ(vsr(1)[0], bits_of(3.0));  // ties away from zero
  EXPECT_EQ(cpu.state.fpscr & kXx, 0u);
  run(xx2(kXsrdpic, 1, 2));
  EXPECT_EQ(vsr(1)[0], bits_of(2.0));  // RN: ties to even
  EXPECT_EQ(cpu.state.fpscr & (kXx | kFi), kXx | kFi);

  set_vsr(2, singles(1.5f, -2.5f, 7.0f, -0.25f));
  run(xx2(kXvrspiz, 1, 2));
  EXPECT_EQ(vsr(1), singles(1.0f, -2.0f, 7.0f, -0.0f));
}

}  // namespace
}  // namespace mosaic::interp::test
