// VSX loads and stores, GPR moves, logical/permute/splat/select and the
// FP-format sign manipulations (insn_vsx.cpp).
#include <array>
#include <cstdint>

#include "cpu_fixture.hpp"
#include "insn_common.hpp"

namespace mosaic::interp::test {
namespace {

using namespace encode;
using u64 = std::uint64_t;
using u32 = std::uint32_t;

constexpr u64 kData = 0x2000;

enum Op31 : unsigned {
  kLxsdx = 588, kLxsiwax = 76, kLxsiwzx = 12, kLxsspx = 524, kLxvd2x = 844, kLxvdsx = 332, kLxvw4x = 780,
  kStxsdx = 716, kStxsiwx = 140, kStxsspx = 652, kStxvd2x = 972, kStxvw4x = 908,
  kMfvsrd = 51, kMfvsrwz = 115, kMtvsrd = 179, kMtvsrwa = 211, kMtvsrwz = 243,
};
enum Xx3 : unsigned {
  kXxland = 130, kXxlandc = 138, kXxlor = 146, kXxlxor = 154, kXxlnor = 162, kXxlorc = 170, kXxlnand = 178,
  kXxleqv = 186, kXxmrghw = 18, kXxmrglw = 50, kXscpsgndp = 176, kXvcpsgndp = 240, kXvcpsgnsp = 208,
};
enum Xx2 : unsigned {
  kXsabsdp = 345, kXsnabsdp = 361, kXsnegdp = 377, kXvabsdp = 473, kXvnabsdp = 489, kXvnegdp = 505,
  kXvabssp = 409, kXvnabssp = 425, kXvnegsp = 441, kXxspltw = 164,
};

// XX1 (X-form with TX/SX in bit 31): VSR t, EA = (RA|0) + RB or GPR RA.
constexpr u32 xx1(unsigned xo, unsigned t, unsigned ra, unsigned rb = 0) { return op31(t, ra, rb, xo, t >> 5); }
constexpr u32 xx2(unsigned xo9, unsigned t, unsigned b, unsigned uim = 0) {
  return field(60, 5, 6) | field(t, 10, 5) | field(uim, 15, 5) | field(b, 20, 5) | field(xo9, 29, 9) |
         field(b >> 5, 30, 1) | field(t >> 5, 31, 1);
}
constexpr u32 xx3(unsigned xo8, unsigned t, unsigned a, unsigned b) {
  return field(60, 5, 6) | field(t, 10, 5) | field(a, 15, 5) | field(b, 20, 5) | field(xo8, 28, 8) |
         field(a >> 5, 29, 1) | field(b >> 5, 30, 1) | field(t >> 5, 31, 1);
}
constexpr u32 xxpermdi(unsigned t, unsigned a, unsigned b, unsigned dm) { return xx3((dm << 5) | 10, t, a, b); }
constexpr u32 xxsldwi(unsigned t, unsigned a, unsigned b, unsigned shw) { return xx3((shw << 5) | 2, t, a, b); }
constexpr u32 xxsel(unsigned t, unsigned a, unsigned b, unsigned c) {
  return field(60, 5, 6) | field(t, 10, 5) | field(a, 15, 5) | field(b, 20, 5) | field(c, 25, 5) | field(3, 27, 2) |
         field(c >> 5, 28, 1) | field(a >> 5, 29, 1) | field(b >> 5, 30, 1) | field(t >> 5, 31, 1);
}

class VsxTest : public CpuFixture {
 protected:
  VsxTest() { cpu.set_msr(cpu.state.msr | msr_bit::kVsx); }

  // Runs `word` and expects it to fall through.
  void run(u32 word) { ASSERT_EQ(execute(word), Flow::next); }
  Quadword vsr(unsigned i) const { return cpu.state.vsr(i); }
  void set_vsr(unsigned i, const Quadword& value) { cpu.state.set_vsr(i, value); }
  void expect_bytes(u64 address, const std::array<std::uint8_t, 16>& expected) const {
    for (unsigned i = 0; i < 16; ++i) EXPECT_EQ(peek<std::uint8_t>(address + i), expected[i]) << "byte " << i;
  }

  static constexpr Quadword kPattern{0x0011223344556677ull, 0x8899aabbccddeeffull};
};

TEST_F(VsxTest, DoublewordVectorRoundTripBigEndian) {
  set_vsr(40, kPattern);
  cpu.state.gpr[4] = kData;
  run(xx1(kStxvd2x, 40, 0, 4));
  expect_bytes(kData, {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff});
  cpu.state.gpr[3] = kData - 0x10;
  cpu.state.gpr[4] = 0x10;
  run(xx1(kLxvd2x, 5, 3, 4));
  EXPECT_EQ(vsr(5), kPattern);
  EXPECT_EQ(cpu.state.fpr[5], kPattern[0]);
}

TEST_F(VsxTest, DoublewordVectorLittleEndianReversesEachElementInPlace) {
  set_little_endian();
  set_vsr(40, kPattern);
  cpu.state.gpr[4] = kData;
  run(xx1(kStxvd2x, 40, 0, 4));
  expect_bytes(kData, {0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00, 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88});
  run(xx1(kLxvd2x, 63, 0, 4));
  EXPECT_EQ(vsr(63), kPattern);
}

TEST_F(VsxTest, WordVectorLittleEndian) {
  set_little_endian();
  for (unsigned i = 0; i < 16; ++i) poke<std::uint8_t>(kData + i, static_cast<std::uint8_t>(i));
  cpu.state.gpr[4] = kData;
  run(xx1(kLxvw4x, 33, 0, 4));
  EXPECT_EQ(vsr(33), (Quadword{0x0302010007060504ull, 0x0b0a09080f0e0d0cull}));
  set_vsr(2, {0x0011223344556677ull, 0x8899aabbccddeeffull});
  run(xx1(kStxvw4x, 2, 0, 4));
  expect_bytes(kData, {0x33, 0x22, 0x11, 0x00, 0x77, 0x66, 0x55, 0x44, 0xbb, 0xaa, 0x99, 0x88, 0xff, 0xee, 0xdd, 0xcc});
}

TEST_F(VsxTest, WordVectorBigEndianAndDoublewordSplat) {
  cpu.state.gpr[4] = kData;
  poke<u64>(kData, 0x0011223344556677ull);
  poke<u64>(kData + 8, 0x8899aabbccddeeffull);
  run(xx1(kLxvw4x, 1, 0, 4));
  EXPECT_EQ(vsr(1), kPattern);
  run(xx1(kLxvdsx, 34, 0, 4));
  EXPECT_EQ(vsr(34), (Quadword{kPattern[0], kPattern[0]}));
}

TEST_F(VsxTest, LowVsrsAliasFprsAndHighVsrsAliasVrs) {
  cpu.state.fpr[3] = 0x1111111111111111ull;
  cpu.state.vsr_low[3] = 0x2222222222222222ull;
  run(xx3(kXxlor, 40, 3, 3));
  EXPECT_EQ(cpu.state.vr[8], (Quadword{0x1111111111111111ull, 0x2222222222222222ull}));
  cpu.state.vr[31] = {0xaaaaaaaaaaaaaaaaull, 0xbbbbbbbbbbbbbbbbull};
  run(xx3(kXxlor, 7, 63, 63));
  EXPECT_EQ(cpu.state.fpr[7], 0xaaaaaaaaaaaaaaaaull);
  EXPECT_EQ(cpu.state.vsr_low[7], 0xbbbbbbbbbbbbbbbbull);
  // A scalar load writes the FPR half of VSR 0-31.
  poke<u64>(kData, 0x400921fb54442d18ull);
  cpu.state.gpr[4] = kData;
  run(xx1(kLxsdx, 9, 0, 4));
  EXPECT_EQ(cpu.state.fpr[9], 0x400921fb54442d18ull);
}

TEST_F(VsxTest, ScalarLoadsAndStores) {
  cpu.state.gpr[4] = kData;
  poke<u32>(kData, 0x80000001u);
  run(xx1(kLxsiwax, 35, 0, 4));
  EXPECT_EQ(vsr(35), (Quadword{0xffffffff80000001ull, 0}));
  run(xx1(kLxsiwzx, 35, 0, 4));
  EXPECT_EQ(vsr(35), (Quadword{0x80000001ull, 0}));
  poke<u32>(kData, 0x3fc00000u);  // 1.5f
  run(xx1(kLxsspx, 4, 0, 4));
  EXPECT_EQ(vsr(4)[0], 0x3ff8000000000000ull);
  poke<u32>(kData, 0x00000001u);  // smallest single denormal, 2^-149
  run(xx1(kLxsspx, 4, 0, 4));
  EXPECT_EQ(vsr(4)[0], u64{1023 - 149} << 52);
  run(xx1(kStxsspx, 4, 0, 4));
  EXPECT_EQ(peek<u32>(kData), 0x00000001u);
  set_vsr(50, {0xc000000000000000ull, 0x1234});  // -2.0
  run(xx1(kStxsspx, 50, 0, 4));
  EXPECT_EQ(peek<u32>(kData), 0xc0000000u);
  set_vsr(50, {0x0123456789abcdefull, 0});
  run(xx1(kStxsiwx, 50, 0, 4));
  EXPECT_EQ(peek<u32>(kData), 0x89abcdefu);
  run(xx1(kStxsdx, 50, 0, 4));
  EXPECT_EQ(peek<u64>(kData), 0x0123456789abcdefull);
}

TEST_F(VsxTest, PermdiSelectsDoublewordsByDm) {
  set_vsr(1, {0xa0, 0xa1});
  set_vsr(34, {0xb0, 0xb1});
  const std::array<Quadword, 4> expected{{{0xa0, 0xb0}, {0xa0, 0xb1}, {0xa1, 0xb0}, {0xa1, 0xb1}}};
  for (unsigned dm = 0; dm < 4; ++dm) {
    run(xxpermdi(60, 1, 34, dm));
    EXPECT_EQ(vsr(60), expected[dm]) << "DM " << dm;
  }
  // Swapping the doublewords of a register in place (xxswapd).
  run(xxpermdi(1, 1, 1, 2));
  EXPECT_EQ(vsr(1), (Quadword{0xa1, 0xa0}));
}

TEST_F(VsxTest, ShiftLeftDoubleByWord) {
  set_vsr(2, {0x0000000011111111ull, 0x2222222233333333ull});
  set_vsr(3, {0x4444444455555555ull, 0x6666666677777777ull});
  run(xxsldwi(4, 2, 3, 0));
  EXPECT_EQ(vsr(4), vsr(2));
  run(xxsldwi(4, 2, 3, 1));
  EXPECT_EQ(vsr(4), (Quadword{0x1111111122222222ull, 0x3333333344444444ull}));
  run(xxsldwi(4, 2, 3, 3));
  EXPECT_EQ(vsr(4), (Quadword{0x3333333344444444ull, 0x5555555566666666ull}));
}

TEST_F(VsxTest, SplatWordAndMerges) {
  set_vsr(40, {0x0000000011111111ull, 0x2222222233333333ull});
  for (u64 uim = 0; uim < 4; ++uim) {
    run(xx2(kXxspltw, 5, 40, static_cast<unsigned>(uim)));
    const u64 word = uim * 0x11111111ull;
    EXPECT_EQ(vsr(5), (Quadword{(word << 32) | word, (word << 32) | word})) << "UIM " << uim;
  }
  set_vsr(41, {0xaaaaaaaabbbbbbbbull, 0xccccccccddddddddull});
  run(xx3(kXxmrghw, 6, 40, 41));
  EXPECT_EQ(vsr(6), (Quadword{0x00000000aaaaaaaaull, 0x11111111bbbbbbbbull}));
  run(xx3(kXxmrglw, 6, 40, 41));
  EXPECT_EQ(vsr(6), (Quadword{0x22222222ccccccccull, 0x33333333ddddddddull}));
}

TEST_F(VsxTest, SelectTakesBWhereCIsSet) {
  set_vsr(1, {0x1111111111111111ull, 0x1111111111111111ull});
  set_vsr(32, {0x2222222222222222ull, 0x2222222222222222ull});
  set_vsr(63, {0xff00ff00ff00ff00ull, 0x00000000ffffffffull});
  run(xxsel(33, 1, 32, 63));
  EXPECT_EQ(vsr(33), (Quadword{0x2211221122112211ull, 0x1111111122222222ull}));
}

TEST_F(VsxTest, LogicalOperations) {
  set_vsr(1, {0xff00ff00ff00ff00ull, 0x0f0f0f0f0f0f0f0full});
  set_vsr(2, {0xf0f0f0f0f0f0f0f0ull, 0x00ff00ff00ff00ffull});
  const auto check = [&](unsigned xo, u64 (*op)(u64, u64)) {
    run(xx3(xo, 40, 1, 2));
    EXPECT_EQ(vsr(40), (Quadword{op(vsr(1)[0], vsr(2)[0]), op(vsr(1)[1], vsr(2)[1])})) << "XO " << xo;
  };
  check(kXxland, [](u64 a, u64 b) { return a & b; });
  check(kXxlandc, [](u64 a, u64 b) { return a & ~b; });
  check(kXxlor, [](u64 a, u64 b) { return a | b; });
  check(kXxlxor, [](u64 a, u64 b) { return a ^ b; });
  check(kXxlnor, [](u64 a, u64 b) { return ~(a | b); });
  check(kXxlorc, [](u64 a, u64 b) { return a | ~b; });
  check(kXxlnand, [](u64 a, u64 b) { return ~(a & b); });
  check(kXxleqv, [](u64 a, u64 b) { return ~(a ^ b); });
}

TEST_F(VsxTest, SignManipulations) {
  constexpr u64 kMinusTwo = 0xc000000000000000ull, kTwo = 0x4000000000000000ull;
  set_vsr(1, {kMinusTwo, kTwo});
  run(xx2(kXsabsdp, 2, 1));
  EXPECT_EQ(vsr(2), (Quadword{kTwo, 0}));
  run(xx2(kXsnabsdp, 2, 1));
  EXPECT_EQ(vsr(2)[0], kMinusTwo);
  run(xx2(kXsnegdp, 2, 1));
  EXPECT_EQ(vsr(2)[0], kTwo);
  run(xx2(kXvabsdp, 2, 1));
  EXPECT_EQ(vsr(2), (Quadword{kTwo, kTwo}));
  run(xx2(kXvnabsdp, 2, 1));
  EXPECT_EQ(vsr(2), (Quadword{kMinusTwo, kMinusTwo}));
  run(xx2(kXvnegdp, 2, 1));
  EXPECT_EQ(vsr(2), (Quadword{kTwo, kMinusTwo}));
  set_vsr(3, {kTwo, kMinusTwo});
  run(xx3(kXscpsgndp, 4, 3, 1));  // sign of A (+), magnitude of B
  EXPECT_EQ(vsr(4), (Quadword{kTwo, 0}));
  run(xx3(kXvcpsgndp, 4, 3, 1));
  EXPECT_EQ(vsr(4), (Quadword{kTwo, kMinusTwo}));

  set_vsr(40, {0xbf8000003f800000ull, 0x7fc00000ff800000ull});  // -1, 1, qNaN, -inf
  run(xx2(kXvabssp, 41, 40));
  EXPECT_EQ(vsr(41), (Quadword{0x3f8000003f800000ull, 0x7fc000007f800000ull}));
  run(xx2(kXvnabssp, 41, 40));
  EXPECT_EQ(vsr(41), (Quadword{0xbf800000bf800000ull, 0xffc00000ff800000ull}));
  run(xx2(kXvnegsp, 41, 40));
  EXPECT_EQ(vsr(41), (Quadword{0x3f800000bf800000ull, 0xffc000007f800000ull}));
  set_vsr(42, {0x8000000000000000ull, 0x0000000080000000ull});
  run(xx3(kXvcpsgnsp, 43, 42, 40));
  EXPECT_EQ(vsr(43), (Quadword{0xbf8000003f800000ull, 0x7fc00000ff800000ull}));
}

TEST_F(VsxTest, GprMovesExtendAndCheckTheirFacility) {
  cpu.set_msr(cpu.state.msr | ppc::msr::kFloatingPoint | msr_bit::kVector);
  set_vsr(3, {0xfedcba9876543210ull, 0x1111});
  run(xx1(kMfvsrd, 3, 5));
  EXPECT_EQ(cpu.state.gpr[5], 0xfedcba9876543210ull);
  run(xx1(kMfvsrwz, 3, 5));
  EXPECT_EQ(cpu.state.gpr[5], 0x76543210ull);
  cpu.state.gpr[6] = 0x0123456780000000ull;
  run(xx1(kMtvsrwa, 40, 6));
  EXPECT_EQ(vsr(40)[0], 0xffffffff80000000ull);
  run(xx1(kMtvsrwz, 40, 6));
  EXPECT_EQ(vsr(40)[0], 0x80000000ull);
  run(xx1(kMtvsrd, 8, 6));
  EXPECT_EQ(cpu.state.fpr[8], 0x0123456780000000ull);

  // VSR 32-63 need MSR[VEC], VSR 0-31 MSR[FP]; MSR[VSX] does not matter.
  cpu.set_msr(cpu.state.msr & ~(msr_bit::kVector | msr_bit::kVsx));
  run(xx1(kMtvsrd, 8, 6));
  EXPECT_EQ(execute(xx1(kMfvsrd, 40, 5)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 0xf20u);
  EXPECT_EQ(cpu.state.gpr[5], 0x76543210ull);
  cpu.state.nip = kCodeAddress;
  cpu.set_msr(ppc::msr::kSixtyFour | msr_bit::kVector);
  EXPECT_EQ(execute(xx1(kMtvsrd, 8, 5)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 0x800u);
  EXPECT_EQ(cpu.state.fpr[8], 0x0123456780000000ull);
}

TEST_F(VsxTest, VsxUnavailableWhenMsrVsxIsClear) {
  cpu.set_msr(cpu.state.msr & ~msr_bit::kVsx);
  set_vsr(1, kPattern);
  EXPECT_EQ(execute(xx3(kXxlxor, 1, 1, 1)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 0xf40u);
  EXPECT_EQ(cpu.state.srr0, kCodeAddress);
  EXPECT_EQ(vsr(1), kPattern);
  cpu.state.nip = kCodeAddress;
  cpu.state.gpr[4] = kData;
  EXPECT_EQ(execute(xx1(kLxvd2x, 1, 0, 4)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 0xf40u);
  EXPECT_EQ(vsr(1), kPattern);
}

TEST_F(VsxTest, LoadThatFaultsHalfwayLeavesTargetUnchanged) {
  // The first doubleword is the last one of RAM; the second is MMIO.
  poke<u64>(kRamBytes - 8, 0x5555555555555555ull);
  set_vsr(40, kPattern);
  cpu.state.gpr[4] = kRamBytes - 8;
  EXPECT_EQ(execute(xx1(kLxvd2x, 40, 0, 4)), Flow::exit);
  EXPECT_EQ(cpu.exit().reason, ExitReason::mmio);
  EXPECT_EQ(cpu.exit().mmio.address, kRamBytes);
  EXPECT_EQ(vsr(40), kPattern);
  EXPECT_EQ(cpu.state.nip, kCodeAddress);
}

}  // namespace
}  // namespace mosaic::interp::test
