// VMX (Altivec): loads and stores in both byte orders, permutes, integer
// arithmetic with saturation, compares with CR6, packs, the facility check
// (insn_vmx.cpp, insn_vmx_arith.cpp). Expected values are worked out from
// the ISA's element definitions.
#include <array>
#include <bit>
#include <cstdint>

#include "cpu_fixture.hpp"
#include "insn_common.hpp"

namespace mosaic::interp::test {
namespace {

using namespace encode;
using u64 = std::uint64_t;
using u32 = std::uint32_t;

constexpr u64 kData = 0x2000;

enum Op31 : unsigned { kLvsl = 6, kLvewx = 71, kLvx = 103, kStvewx = 199, kStvx = 231 };
enum Vx : unsigned {
  kVaddubm = 0, kVaddcuw = 384, kVaddubs = 512, kVaddsbs = 768, kVadduqm = 256, kVaddcuq = 320, kVsububs = 1536,
  kVmaxsw = 386, kVavgub = 1026, kVslw = 388, kVsraw = 900, kVrlw = 132, kVmuleuh = 584, kVmulosh = 328,
  kVsum4ubs = 1544, kVsumsws = 1928, kVand = 1028, kVxor = 1220, kVspltb = 524, kVspltisw = 908, kVmrghw = 140,
  kVmrglb = 268, kVpkuhum = 14, kVpkshus = 270, kVupklsb = 654, kVslo = 1036, kVclzw = 1922, kVpopcntd = 1987,
  kVgbbd = 1292, kMfvscr = 1540, kMtvscr = 1604, kVctsxs = 970, kVpkpx = 782, kVupkhpx = 846, kVaddfp = 10,
  kVminfp = 1098, kVmaxfp = 1034,
};
enum Va : unsigned { kVmsumubm = 36, kVsel = 42, kVperm = 43, kVsldoi = 44, kVmaddfp = 46, kVnmsubfp = 47 };
enum Vc : unsigned { kVcmpequb = 6, kVcmpgtsw = 902 };

constexpr u32 vx(unsigned xo, unsigned t, unsigned a, unsigned b) {
  return field(4, 5, 6) | field(t, 10, 5) | field(a, 15, 5) | field(b, 20, 5) | field(xo, 31, 11);
}
constexpr u32 va(unsigned xo, unsigned t, unsigned a, unsigned b, unsigned c) {
  return field(4, 5, 6) | field(t, 10, 5) | field(a, 15, 5) | field(b, 20, 5) | field(c, 25, 5) | field(xo, 31, 6);
}
constexpr u32 vc(unsigned xo, unsigned t, unsigned a, unsigned b, bool rc) {
  return field(4, 5, 6) | field(t, 10, 5) | field(a, 15, 5) | field(b, 20, 5) | field(rc, 21, 1) |
         field(xo, 31, 10);
}

class VmxTest : public CpuFixture {
 protected:
  VmxTest() { cpu.set_msr(cpu.state.msr | msr_bit::kVector); }

  void run(u32 word) { ASSERT_EQ(execute(word), Flow::next); }
  Quadword& vr(unsigned i) { return cpu.state.vr[i]; }
  // A register from its 16 bytes, element 0 first.
  static Quadword from_bytes(const std::array<std::uint8_t, 16>& bytes) {
    Quadword value{};
    for (unsigned i = 0; i < 16; ++i) value[i / 8] |= u64{bytes[i]} << (56 - 8 * (i % 8));
    return value;
  }
  static Quadword from_words(u32 w0, u32 w1, u32 w2, u32 w3) {
    return {(u64{w0} << 32) | w1, (u64{w2} << 32) | w3};
  }
  static u32 lane_word(const Quadword& value, unsigned i) {
    return static_cast<u32>(value[i / 2] >> (i % 2 == 0 ? 32 : 0));
  }
  static Quadword counting_bytes(std::uint8_t first) {
    std::array<std::uint8_t, 16> bytes{};
    for (unsigned i = 0; i < 16; ++i) bytes[i] = static_cast<std::uint8_t>(first + i);
    return from_bytes(bytes);
  }
  void poke_counting(u64 address, unsigned count) {
    for (unsigned i = 0; i < count; ++i) poke<std::uint8_t>(address + i, static_cast<std::uint8_t>(i));
  }
};

TEST_F(VmxTest, LvxIgnoresTheLowFourAddressBitsBigEndian) {
  poke_counting(kData, 16);
  cpu.state.gpr[3] = kData;
  cpu.state.gpr[4] = 7;
  run(op31(2, 3, 4, kLvx));
  EXPECT_EQ(vr(2), counting_bytes(0));
}

TEST_F(VmxTest, LvxLittleEndianReadsTheQuadwordAsOneNumber) {
  set_little_endian();
  poke_counting(kData, 16);
  cpu.state.gpr[4] = kData;
  run(op31(2, 0, 4, kLvx));
  // Memory byte 15 is the most significant byte: element 0.
  EXPECT_EQ(vr(2), (Quadword{0x0f0e0d0c0b0a0908ull, 0x0706050403020100ull}));
  run(op31(2, 0, 4, kStvx));
  for (unsigned i = 0; i < 16; ++i) EXPECT_EQ(peek<std::uint8_t>(kData + i), i);
  cpu.state.gpr[4] = kData + 0x20;
  run(op31(2, 0, 4, kStvx));
  EXPECT_EQ(peek<std::uint64_t>(kData + 0x20, true), 0x0706050403020100ull);
}

TEST_F(VmxTest, ElementLoadAndStorePlaceTheWordByAddressAndByteOrder) {
  poke<u32>(kData + 8, 0xdeadbeef);
  cpu.state.gpr[4] = kData + 9;  // rounded down to the word
  vr(1) = {};
  run(op31(1, 0, 4, kLvewx));
  EXPECT_EQ(vr(1), from_words(0, 0, 0xdeadbeef, 0));

  set_little_endian();
  poke<u32>(kData + 8, 0xcafef00d, true);
  vr(1) = {};
  run(op31(1, 0, 4, kLvewx));
  // Bytes 8..11 of a little-endian quadword are its word 1 from the top,
  // bytes 4..7 its word 2.
  EXPECT_EQ(vr(1), from_words(0, 0xcafef00d, 0, 0));
  cpu.state.gpr[4] = kData + 0x14;
  vr(1) = from_words(1, 2, 3, 4);
  run(op31(1, 0, 4, kStvewx));
  EXPECT_EQ(peek<u32>(kData + 0x14, true), 3u);
}

TEST_F(VmxTest, LvslAndVpermAssembleAnUnalignedQuadword) {
  poke_counting(kData, 32);
  cpu.state.gpr[4] = kData + 5;
  run(op31(10, 0, 4, kLvsl));
  EXPECT_EQ(vr(10), counting_bytes(5));
  run(op31(11, 0, 4, kLvx));
  cpu.state.gpr[4] = kData + 5 + 15;
  run(op31(12, 0, 4, kLvx));
  run(va(kVperm, 13, 11, 12, 10));
  EXPECT_EQ(vr(13), counting_bytes(5));
}

TEST_F(VmxTest, VsldoiAndOctetShift) {
  vr(1) = counting_bytes(0);
  vr(2) = counting_bytes(16);
  run(va(kVsldoi, 3, 1, 2, 3));  // SHB = 3 sits in the VRC field's low bits
  EXPECT_EQ(vr(3), counting_bytes(3));
  vr(4) = {0, 2 << 3};  // shift by 2 octets
  run(vx(kVslo, 5, 1, 4));
  EXPECT_EQ(vr(5), (Quadword{0x0203040506070809ull, 0x0a0b0c0d0e0f0000ull}));
}

TEST_F(VmxTest, ModuloAndSaturatingByteAdds) {
  vr(1) = from_bytes({0xff, 0x7f, 0x80, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  vr(2) = from_bytes({0x01, 0x01, 0xff, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  run(vx(kVaddubm, 3, 1, 2));
  EXPECT_EQ(vr(3), from_bytes({0x00, 0x80, 0x7f, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(cpu.state.vscr & 1, 0u);
  run(vx(kVaddubs, 3, 1, 2));
  EXPECT_EQ(vr(3), from_bytes({0xff, 0x80, 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(cpu.state.vscr & 1, 1u) << "VSCR[SAT]";
  run(vx(kVaddsbs, 3, 1, 2));  // -1+1, 127+1 (saturates), -128-1 (saturates)
  EXPECT_EQ(vr(3), from_bytes({0x00, 0x7f, 0x80, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  run(vx(kVsububs, 3, 2, 1));  // 1-255 clamps at 0
  EXPECT_EQ(vr(3).at(0) >> 32, 0x00007f00u);
}

TEST_F(VmxTest, CarriesAndQuadwordAdd) {
  vr(1) = from_words(0xffffffff, 1, 0x80000000, 0);
  vr(2) = from_words(1, 1, 0x80000000, 0);
  run(vx(kVaddcuw, 3, 1, 2));
  EXPECT_EQ(vr(3), from_words(1, 0, 1, 0));
  vr(1) = {0, ~u64{0}};
  vr(2) = {0, 1};
  run(vx(kVadduqm, 3, 1, 2));
  EXPECT_EQ(vr(3), (Quadword{1, 0}));
  vr(1) = {~u64{0}, ~u64{0}};
  run(vx(kVaddcuq, 3, 1, 2));
  EXPECT_EQ(vr(3), (Quadword{0, 1}));
}

TEST_F(VmxTest, WordMaxAverageShiftsAndRotates) {
  vr(1) = from_words(0xffffffff, 5, 0x80000000, 33);
  vr(2) = from_words(1, 0xffffffff, 0x7fffffff, 33);
  run(vx(kVmaxsw, 3, 1, 2));
  EXPECT_EQ(vr(3), from_words(1, 5, 0x7fffffff, 33));
  // Shift counts are the element's low five bits: 33 shifts by 1.
  run(vx(kVslw, 3, 2, 1));
  EXPECT_EQ(vr(3), from_words(0x80000000, 0xffffffe0, 0x7fffffff, 0x42));
  run(vx(kVsraw, 3, 1, 2));
  EXPECT_EQ(vr(3), from_words(0xffffffff, 0, 0xffffffff, 16));
  run(vx(kVrlw, 3, 1, 2));
  EXPECT_EQ(vr(3), from_words(0xffffffff, 0x80000002, 0x40000000, 66));
  vr(4) = from_bytes({255, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  vr(5) = from_bytes({255, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  run(vx(kVavgub, 6, 4, 5));  // rounds up, without overflowing 255
  EXPECT_EQ(vr(6).at(0) >> 40, 0xff0102u);
}

TEST_F(VmxTest, EvenOddMultipliesAndSums) {
  vr(1) = from_words(0xffff0002, 0x00030004, 0, 0);
  vr(2) = from_words(0xffff0003, 0xfffe0005, 0, 0);
  run(vx(kVmuleuh, 3, 1, 2));  // elements 0, 2: 0xffff*0xffff, 3*0xfffe
  EXPECT_EQ(vr(3), from_words(0xfffe0001, 0x0002fffa, 0, 0));
  run(vx(kVmulosh, 3, 1, 2));  // elements 1, 3 signed: 2*3, 4*5
  EXPECT_EQ(vr(3), from_words(6, 20, 0, 0));
  vr(1) = counting_bytes(1);
  vr(2) = from_words(0xfffffffa, 0, 0, 0);
  run(vx(kVsum4ubs, 3, 1, 2));  // 1+2+3+4 = 10 overflows word 0
  EXPECT_EQ(vr(3), from_words(0xffffffff, 5 + 6 + 7 + 8, 9 + 10 + 11 + 12, 13 + 14 + 15 + 16));
  vr(4) = from_words(0, 0, 0, 100);
  run(va(kVmsumubm, 5, 1, 1, 4));  // word 3: 13^2+14^2+15^2+16^2 + 100
  EXPECT_EQ(vr(5).at(1) & 0xffffffff, 169u + 196 + 225 + 256 + 100);
  vr(6) = from_words(0x7fffffff, 1, 0, 0);
  vr(7) = from_words(0, 0, 0, 5);
  run(vx(kVsumsws, 8, 6, 7));
  EXPECT_EQ(vr(8), from_words(0, 0, 0, 0x7fffffff));
}

TEST_F(VmxTest, ComparesSetElementsAndCr6) {
  vr(1) = counting_bytes(0);
  vr(2) = counting_bytes(0);
  run(vc(kVcmpequb, 3, 1, 2, true));
  EXPECT_EQ(vr(3), (Quadword{~u64{0}, ~u64{0}}));
  EXPECT_EQ(cpu.state.cr_field(6), 0b1000u) << "all equal";
  vr(2) = counting_bytes(100);
  run(vc(kVcmpequb, 3, 1, 2, true));
  EXPECT_EQ(vr(3), (Quadword{0, 0}));
  EXPECT_EQ(cpu.state.cr_field(6), 0b0010u) << "none equal";
  cpu.state.cr = 0x12345678;
  vr(4) = from_words(0xffffffff, 2, 0, 0);
  vr(5) = from_words(1, 1, 0, 0);
  run(vc(kVcmpgtsw, 3, 4, 5, false));  // -1 > 1 is false, signed
  EXPECT_EQ(vr(3), from_words(0, 0xffffffff, 0, 0));
  EXPECT_EQ(cpu.state.cr, 0x12345678u) << "Rc=0 leaves CR alone";
}

TEST_F(VmxTest, SplatMergeAndSelect) {
  run(vx(kVspltisw, 1, 0x1f, 0));  // SIM = -1
  EXPECT_EQ(vr(1), (Quadword{~u64{0}, ~u64{0}}));
  vr(2) = counting_bytes(0x40);
  run(vx(kVspltb, 3, 5, 2));
  EXPECT_EQ(vr(3), (Quadword{0x4545454545454545ull, 0x4545454545454545ull}));
  vr(4) = from_words(1, 2, 3, 4);
  vr(5) = from_words(5, 6, 7, 8);
  run(vx(kVmrghw, 6, 4, 5));
  EXPECT_EQ(vr(6), from_words(1, 5, 2, 6));
  run(vx(kVmrglb, 6, 2, 3));
  EXPECT_EQ(vr(6).at(0) >> 48, 0x4845u);
  vr(7) = {0xff00ff00ff00ff00ull, 0};
  run(va(kVsel, 8, 4, 5, 7));
  EXPECT_EQ(vr(8), (Quadword{0x0000000100000002ull, 0x0000000300000004ull}));
}

TEST_F(VmxTest, PacksUnpacksAndSaturation) {
  vr(1) = from_words(0x01238000, 0x00ff7fff, 0xfffe0100, 0x00000001);
  vr(2) = vr(1);
  run(vx(kVpkuhum, 3, 1, 2));
  EXPECT_EQ(vr(3).at(0), 0x2300fffffe000001ull);
  cpu.state.vscr = 0;
  run(vx(kVpkshus, 3, 1, 2));  // signed halfwords to unsigned bytes
  EXPECT_EQ(vr(3).at(0), 0xff00ffff00ff0001ull);
  EXPECT_EQ(cpu.state.vscr & 1, 1u);
  vr(4) = from_bytes({0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x7f, 1, 0xff, 0, 0, 0, 0});
  run(vx(kVupklsb, 5, 0, 4));
  EXPECT_EQ(vr(5).at(0), 0xff80007f0001ffffull);
}

TEST_F(VmxTest, CountsAndBitMatrixTranspose) {
  vr(1) = from_words(0, 1, 0x80000000, 0x00010000);
  run(vx(kVclzw, 2, 0, 1));
  EXPECT_EQ(vr(2), from_words(32, 31, 0, 15));
  vr(3) = {0xff, 0x8000000000000001ull};
  run(vx(kVpopcntd, 4, 0, 3));
  EXPECT_EQ(vr(4), (Quadword{8, 2}));
  vr(5) = {0x8000000000000000ull, 0x00000000000000ffull};
  run(vx(kVgbbd, 6, 0, 5));
  EXPECT_EQ(vr(6), (Quadword{0x8000000000000000ull, 0x0101010101010101ull}));
}

TEST_F(VmxTest, FusedMultiplyAddAndSaturatingConversion) {
  // a*c = 1 + 2^-11 + 2^-24 needs 25 bits: rounded alone it would be
  // 1 + 2^-11 and the sum 0; fused, the sum is 2^-24.
  const float a = 1.0f + 0x1p-12f, c = a, b = -(1.0f + 0x1p-11f);
  vr(1) = from_words(std::bit_cast<u32>(a), 0, 0, 0);
  vr(2) = from_words(std::bit_cast<u32>(b), 0, 0, 0);
  vr(3) = from_words(std::bit_cast<u32>(c), 0, 0, 0);
  run(va(kVmaddfp, 4, 1, 2, 3));
  EXPECT_EQ(std::bit_cast<float>(static_cast<u32>(vr(4).at(0) >> 32)), 0x1p-24f);
  vr(5) = from_words(std::bit_cast<u32>(3e9f), std::bit_cast<u32>(-2.75f), 0x7fc00000, std::bit_cast<u32>(1.5f));
  cpu.state.vscr = 0;
  run(vx(kVctsxs, 6, 1, 5));  // UIM = 1: times 2
  EXPECT_EQ(vr(6), from_words(0x7fffffff, static_cast<u32>(-5), 0, 3));
  EXPECT_EQ(cpu.state.vscr & 1, 1u);
}

TEST_F(VmxTest, PixelPackAndUnpackRoundTrip) {
  vr(1) = from_words(0x01f80808, 0x00ffffff, 0x01000000, 0x00080000);
  vr(2) = vr(1);
  run(vx(kVpkpx, 3, 1, 2));
  EXPECT_EQ(vr(3).at(0), 0xfc217fff80000400ull);
  run(vx(kVupkhpx, 4, 0, 3));
  EXPECT_EQ(vr(4), from_words(0xff1f0101, 0x001f1f1f, 0xff000000, 0x00010000));
}

// NaN operands propagate in the order VRA, VRB, VRC (quieted) and keep
// their sign through vnmsubfp; zeros of both signs order -0 < +0.
TEST_F(VmxTest, FloatNanOrderAndSignedZeros) {
  vr(1) = from_words(0xffbf0001, 0x3f800000, 0x3f800000, 0x80000000);
  vr(2) = from_words(0x7f800001, 0x7f800002, 0x3f800000, 0x00000000);
  vr(3) = from_words(0x7f800003, 0x7f800004, 0x7f800005, 0x3f800000);
  run(vx(kVaddfp, 4, 1, 2));
  EXPECT_EQ(vr(4), from_words(0xffff0001, 0x7fc00002, 0x40000000, 0x00000000));
  run(va(kVmaddfp, 4, 1, 2, 3));  // a * c + b
  EXPECT_EQ(vr(4), from_words(0xffff0001, 0x7fc00002, 0x7fc00005, 0x00000000));
  run(va(kVnmsubfp, 4, 1, 2, 3));
  EXPECT_EQ(lane_word(vr(4), 0), 0xffff0001u);
  run(vx(kVminfp, 5, 1, 2));
  EXPECT_EQ(lane_word(vr(5), 3), 0x80000000u);
  run(vx(kVmaxfp, 5, 1, 2));
  EXPECT_EQ(lane_word(vr(5), 3), 0x00000000u);
}

TEST_F(VmxTest, VscrMovesAndLogical) {
  vr(1) = from_words(0, 0, 0, 0x00010001);
  run(vx(kMtvscr, 0, 0, 1));
  EXPECT_EQ(cpu.state.vscr, 0x00010001u);
  run(vx(kMfvscr, 2, 0, 0));
  EXPECT_EQ(vr(2), vr(1));
  vr(3) = {0xf0f0, 0xff};
  run(vx(kVand, 4, 3, 2));
  EXPECT_EQ(vr(4), (Quadword{0, 1}));
  run(vx(kVxor, 4, 3, 3));
  EXPECT_EQ(vr(4), (Quadword{0, 0}));
}

TEST_F(VmxTest, VectorUnavailableWhenMsrVecIsClear) {
  cpu.set_msr(cpu.state.msr & ~msr_bit::kVector);
  vr(3) = {1, 2};
  EXPECT_EQ(execute(vx(kVaddubm, 3, 1, 2)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 0xf20u);
  EXPECT_EQ(cpu.state.srr0, kCodeAddress);
  EXPECT_EQ(vr(3), (Quadword{1, 2}));
}

}  // namespace
}  // namespace mosaic::interp::test
