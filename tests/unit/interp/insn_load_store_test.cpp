// Integer and floating-point loads and stores, reservations and dcbz.
#include <cstdint>

#include "cpu_fixture.hpp"

namespace mosaic::interp::test {
namespace {

using namespace encode;

constexpr std::uint64_t kData = 0x2000;
constexpr std::uint64_t kBase = kData - 0x10;  // RA for D-form tests with D = 0x10
// The first real address past the fixture's 1 MiB of RAM: MMIO.
constexpr std::uint64_t kMmio = 0x200000;

enum Primary : unsigned {
  kLwz = 32, kLwzu = 33, kLbz = 34, kLbzu = 35, kStw = 36, kStwu = 37, kStb = 38, kStbu = 39, kLhz = 40,
  kLhzu = 41, kLha = 42, kLhau = 43, kSth = 44, kSthu = 45, kLmw = 46, kStmw = 47, kLfs = 48, kLfsu = 49,
  kLfd = 50, kLfdu = 51, kStfs = 52, kStfsu = 53, kStfd = 54, kStfdu = 55,
};
enum Op31 : unsigned {
  kLqarx = 276, kStqcx = 182,
  kLwarx = 20, kLdx = 21, kLwzx = 23, kLdarx = 84, kLbzux = 119, kStdcx = 214, kStwcx = 150, kStwx = 151,
  kLwax = 341, kLhbrx = 790, kLwbrx = 534, kLdbrx = 532, kSthbrx = 918, kStwbrx = 662, kStdbrx = 660,
  kLswi = 597, kLswx = 533, kStswi = 725, kStswx = 661, kDcbz = 1014, kDcbf = 86, kIcbi = 982,
  kLfsx = 535, kStfiwx = 983, kLfiwax = 855, kLfiwzx = 887,
};

class LoadStoreTest : public CpuFixture {
 protected:
  // D-form access with RT=3, RA=4 = kBase, D = 0x10.
  Flow d_access(unsigned op) {
    cpu.state.gpr[4] = kBase;
    return execute(d_form(op, 3, 4, 0x10));
  }
};

TEST_F(LoadStoreTest, DFormLoadsAreBigEndianAndExtendAsAsked) {
  poke<std::uint32_t>(kData, 0x8badf00d);
  ASSERT_EQ(d_access(kLwz), Flow::next);
  EXPECT_EQ(cpu.state.gpr[3], 0x8badf00du);
  d_access(kLhz);
  EXPECT_EQ(cpu.state.gpr[3], 0x8badu);
  d_access(kLha);
  EXPECT_EQ(cpu.state.gpr[3], 0xffffffffffff8badull);
  d_access(kLbz);
  EXPECT_EQ(cpu.state.gpr[3], 0x8bu);
  EXPECT_EQ(cpu.state.gpr[4], kBase);
  EXPECT_EQ(cpu.state.nip, kCodeAddress + 16);
}

TEST_F(LoadStoreTest, DsFormDoublewordAndWordAlgebraic) {
  poke<std::uint64_t>(kData, 0xfedcba9876543210ull);
  cpu.state.gpr[4] = kData + 8;
  execute(ds_form(58, 3, 4, -8, 0));  // ld r3,-8(r4)
  EXPECT_EQ(cpu.state.gpr[3], 0xfedcba9876543210ull);
  execute(ds_form(58, 3, 4, -8, 2));  // lwa r3,-8(r4)
  EXPECT_EQ(cpu.state.gpr[3], 0xfffffffffedcba98ull);
  cpu.state.gpr[1] = kData + 0x40;
  cpu.state.gpr[5] = 0x1122334455667788ull;
  execute(ds_form(62, 5, 1, -32, 1));  // stdu r5,-32(r1)
  EXPECT_EQ(peek<std::uint64_t>(kData + 0x20), 0x1122334455667788ull);
  EXPECT_EQ(cpu.state.gpr[1], kData + 0x20);
  cpu.state.gpr[1] = kData + 0x40;
  execute(ds_form(62, 1, 1, -32, 1));  // stdu r1,-32(r1) stores the old r1
  EXPECT_EQ(peek<std::uint64_t>(kData + 0x20), kData + 0x40);
  EXPECT_EQ(cpu.state.gpr[1], kData + 0x20);
}

TEST_F(LoadStoreTest, StoresOfEachSize) {
  cpu.state.gpr[3] = 0x1122334455667788ull;
  d_access(kStw);
  EXPECT_EQ(peek<std::uint32_t>(kData), 0x55667788u);
  d_access(kSth);
  EXPECT_EQ(peek<std::uint32_t>(kData), 0x77887788u);
  d_access(kStb);
  EXPECT_EQ(peek<std::uint32_t>(kData), 0x88887788u);
}

TEST_F(LoadStoreTest, LittleEndianModeReversesBytes) {
  set_little_endian();
  cpu.state.gpr[3] = 0x11223344;
  d_access(kStw);
  EXPECT_EQ(peek<std::uint32_t>(kData, true), 0x11223344u);
  EXPECT_EQ(peek<std::uint8_t>(kData), 0x44u);
  poke<std::uint16_t>(kData + 2, 0x8001, true);
  cpu.state.gpr[4] = kData;
  execute(d_form(kLha, 3, 4, 2));
  EXPECT_EQ(cpu.state.gpr[3], 0xffffffffffff8001ull);
}

TEST_F(LoadStoreTest, UpdateFormsWriteTheEffectiveAddress) {
  poke<std::uint8_t>(kData, 0x5a);
  ASSERT_EQ(d_access(kLbzu), Flow::next);
  EXPECT_EQ(cpu.state.gpr[3], 0x5au);
  EXPECT_EQ(cpu.state.gpr[4], kData);
  cpu.state.gpr[3] = 0xabcd;
  d_access(kSthu);
  EXPECT_EQ(peek<std::uint16_t>(kData), 0xabcdu);
  EXPECT_EQ(cpu.state.gpr[4], kData);
  cpu.state.gpr[4] = kBase;
  cpu.state.gpr[5] = 0x10;
  execute(op31(3, 4, 5, kLbzux));
  EXPECT_EQ(cpu.state.gpr[3], 0xabu);
  EXPECT_EQ(cpu.state.gpr[4], kData);
}

TEST_F(LoadStoreTest, UpdateFormsWithRaZeroOrRaEqualRtAreInvalid) {
  cpu.state.gpr[0] = kBase;
  EXPECT_EQ(execute(d_form(kLwzu, 3, 0, 0x10)), Flow::jump);
  expect_program_interrupt(program_cause::kIllegal);

  cpu.state.nip = kCodeAddress;
  cpu.state.gpr[3] = kBase;
  EXPECT_EQ(execute(d_form(kLwzu, 3, 3, 0x10)), Flow::jump);
  expect_program_interrupt(program_cause::kIllegal);
  EXPECT_EQ(cpu.state.gpr[3], kBase);

  cpu.state.nip = kCodeAddress;
  EXPECT_EQ(execute(d_form(kStwu, 3, 0, 0x10)), Flow::jump);
  expect_program_interrupt(program_cause::kIllegal);

  // A store with update may name RS as RA.
  cpu.state.nip = kCodeAddress;
  EXPECT_EQ(execute(d_form(kStwu, 3, 3, 0x10)), Flow::next);
  EXPECT_EQ(peek<std::uint32_t>(kData), static_cast<std::uint32_t>(kBase));
}

TEST_F(LoadStoreTest, IndexedFormsUseZeroForRaZero) {
  poke<std::uint64_t>(kData, 0x0102030405060708ull);
  cpu.state.gpr[0] = 0x12345;
  cpu.state.gpr[5] = kData;
  execute(op31(3, 0, 5, kLdx));
  EXPECT_EQ(cpu.state.gpr[3], 0x0102030405060708ull);
  poke<std::uint32_t>(kData, 0x80000000);
  cpu.state.gpr[4] = kData - 4;
  cpu.state.gpr[5] = 4;
  execute(op31(3, 4, 5, kLwax));
  EXPECT_EQ(cpu.state.gpr[3], 0xffffffff80000000ull);
  execute(op31(3, 4, 5, kLwzx));
  EXPECT_EQ(cpu.state.gpr[3], 0x80000000u);
  cpu.state.gpr[6] = 0xcafef00d;
  execute(op31(6, 4, 5, kStwx));
  EXPECT_EQ(peek<std::uint32_t>(kData), 0xcafef00du);
}

TEST_F(LoadStoreTest, ByteReversedAccessesUseTheOtherOrder) {
  poke<std::uint64_t>(kData, 0x0102030405060708ull);
  cpu.state.gpr[5] = kData;
  execute(op31(3, 0, 5, kLwbrx));
  EXPECT_EQ(cpu.state.gpr[3], 0x04030201u);
  execute(op31(3, 0, 5, kLhbrx));
  EXPECT_EQ(cpu.state.gpr[3], 0x0201u);
  execute(op31(3, 0, 5, kLdbrx));
  EXPECT_EQ(cpu.state.gpr[3], 0x0807060504030201ull);
  cpu.state.gpr[3] = 0x1122334455667788ull;
  execute(op31(3, 0, 5, kStdbrx));
  EXPECT_EQ(peek<std::uint64_t>(kData, true), 0x1122334455667788ull);
  execute(op31(3, 0, 5, kStwbrx));
  EXPECT_EQ(peek<std::uint32_t>(kData, true), 0x55667788u);
  execute(op31(3, 0, 5, kSthbrx));
  EXPECT_EQ(peek<std::uint16_t>(kData, true), 0x7788u);
  // In little-endian mode the reversed forms read big-endian data.
  set_little_endian();
  poke<std::uint32_t>(kData, 0xdeadbeef);
  execute(op31(3, 0, 5, kLwbrx));
  EXPECT_EQ(cpu.state.gpr[3], 0xdeadbeefu);
}

TEST_F(LoadStoreTest, AddressesWrapIn32BitMode) {
  set_32_bit_mode();
  poke<std::uint32_t>(0x4, 0x600dcafe);
  cpu.state.gpr[4] = 0xfffffffcull;
  ASSERT_EQ(execute(d_form(kLwzu, 3, 4, 8)), Flow::next);
  EXPECT_EQ(cpu.state.gpr[3], 0x600dcafeu);
  EXPECT_EQ(cpu.state.gpr[4], 4u);
  cpu.state.gpr[4] = 0xdead000000000000ull;  // the high word does not take part
  cpu.state.gpr[3] = 0;
  execute(d_form(kLwz, 3, 4, 4));
  EXPECT_EQ(cpu.state.gpr[3], 0x600dcafeu);
}

TEST_F(LoadStoreTest, MmioLoadLeavesRegistersUntilReplayed) {
  cpu.state.gpr[3] = 0x1111;
  cpu.state.gpr[4] = kMmio - 0x10;
  EXPECT_EQ(execute(d_form(kLwzu, 3, 4, 0x10)), Flow::exit);
  EXPECT_EQ(cpu.exit().reason, ExitReason::mmio);
  EXPECT_EQ(cpu.exit().mmio.address, kMmio);
  EXPECT_EQ(cpu.state.gpr[3], 0x1111u);
  EXPECT_EQ(cpu.state.gpr[4], kMmio - 0x10);
  EXPECT_EQ(cpu.state.nip, kCodeAddress);
  cpu.complete_mmio_read(0x78563412);  // bus order: bytes 12 34 56 78, a big-endian 0x12345678
  EXPECT_EQ(execute(d_form(kLwzu, 3, 4, 0x10)), Flow::next);
  EXPECT_EQ(cpu.state.gpr[3], 0x12345678u);
  EXPECT_EQ(cpu.state.gpr[4], kMmio);
}

TEST_F(LoadStoreTest, LoadAndStoreMultiple) {
  cpu.state.gpr[29] = 0xaaaaaaaa11111111ull;
  cpu.state.gpr[30] = 0x22222222;
  cpu.state.gpr[31] = 0x33333333;
  cpu.state.gpr[4] = kData;
  execute(d_form(kStmw, 29, 4, 0));
  EXPECT_EQ(peek<std::uint32_t>(kData), 0x11111111u);
  EXPECT_EQ(peek<std::uint32_t>(kData + 8), 0x33333333u);
  cpu.state.gpr[29] = cpu.state.gpr[30] = cpu.state.gpr[31] = 0;
  execute(d_form(kLmw, 29, 4, 0));
  EXPECT_EQ(cpu.state.gpr[29], 0x11111111u);
  EXPECT_EQ(cpu.state.gpr[30], 0x22222222u);
  EXPECT_EQ(cpu.state.gpr[31], 0x33333333u);
}

TEST_F(LoadStoreTest, LoadMultipleIntoItsBaseRegisterIsInvalid) {
  cpu.state.gpr[30] = kData;
  EXPECT_EQ(execute(d_form(kLmw, 29, 30, 0)), Flow::jump);
  expect_program_interrupt(program_cause::kIllegal);
}

TEST_F(LoadStoreTest, MultipleAndStringTakeAlignmentInterruptsInLittleEndianMode) {
  set_little_endian();
  cpu.state.gpr[4] = kData;
  EXPECT_EQ(execute(d_form(kStmw, 29, 4, 0)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 0x600u);
  EXPECT_EQ(cpu.state.dar, kData);
  cpu.set_msr(ppc::msr::kSixtyFour | ppc::msr::kLittleEndian);
  cpu.state.nip = kCodeAddress;
  EXPECT_EQ(execute(op31(5, 4, 7, kLswi)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 0x600u);
}

TEST_F(LoadStoreTest, LoadAndStoreString) {
  for (unsigned i = 0; i < 7; ++i) poke<std::uint8_t>(kData + i, static_cast<std::uint8_t>(0x11 * (i + 1)));
  cpu.state.gpr[4] = kData;
  cpu.state.gpr[6] = ~std::uint64_t{0};
  execute(op31(5, 4, 7, kLswi));
  EXPECT_EQ(cpu.state.gpr[5], 0x11223344u);
  EXPECT_EQ(cpu.state.gpr[6], 0x55667700u);
  cpu.state.gpr[9] = kData + 0x40;
  poke<std::uint8_t>(kData + 0x47, 0x99);
  execute(op31(5, 9, 7, kStswi));  // seven bytes: the eighth stays
  EXPECT_EQ(peek<std::uint64_t>(kData + 0x40), 0x1122334455667799ull);
  cpu.state.gpr[8] = 0x20;
  cpu.state.xer_byte_count = 5;
  execute(op31(5, 4, 8, kStswx));
  EXPECT_EQ(peek<std::uint64_t>(kData + 0x20), 0x1122334455000000ull);
  cpu.state.xer_byte_count = 5;
  execute(op31(31, 4, 8, kLswx));  // wraps from r31 to r0
  EXPECT_EQ(cpu.state.gpr[31], 0x11223344u);
  EXPECT_EQ(cpu.state.gpr[0], 0x55000000u);
}

TEST_F(LoadStoreTest, LoadStringIntoItsBaseRegisterIsInvalid) {
  cpu.state.gpr[4] = kData;
  EXPECT_EQ(execute(op31(3, 4, 8, kLswi)), Flow::jump);  // r3, r4 loaded; RA = r4
  expect_program_interrupt(program_cause::kIllegal);
}

TEST_F(LoadStoreTest, StoreConditionalSucceedsOnlyUnderAReservation) {
  poke<std::uint32_t>(kData, 7);
  cpu.state.gpr[4] = kData;
  cpu.state.gpr[5] = 8;
  cpu.state.xer_so = true;
  execute(op31(3, 0, 4, kLwarx));
  EXPECT_EQ(cpu.state.gpr[3], 7u);
  EXPECT_TRUE(cpu.state.reservation_valid);
  ASSERT_EQ(execute(op31(5, 0, 4, kStwcx, true)), Flow::next);
  EXPECT_EQ(cpu.state.cr_field(0), cr_bit::kEqual | cr_bit::kSummaryOverflow);
  EXPECT_EQ(peek<std::uint32_t>(kData), 8u);
  EXPECT_FALSE(cpu.state.reservation_valid);
  // The reservation is gone: the second attempt stores nothing.
  cpu.state.xer_so = false;
  cpu.state.gpr[5] = 9;
  execute(op31(5, 0, 4, kStwcx, true));
  EXPECT_EQ(cpu.state.cr_field(0), 0u);
  EXPECT_EQ(peek<std::uint32_t>(kData), 8u);
}

// Another vCPU's store between lwarx and stwcx. (here a second Cpu over
// the same RAM) cancels the reservation, so the update is not lost.
TEST_F(LoadStoreTest, StoreByAnotherVcpuMakesStoreConditionalFail) {
  Cpu other{memory_system};
  other.set_msr(ppc::msr::kSixtyFour);
  poke<std::uint32_t>(kData, 7);
  cpu.state.gpr[4] = kData;
  execute(op31(3, 0, 4, kLwarx));
  other.state.gpr[4] = kData;
  ASSERT_TRUE(other.store<std::uint32_t>(kData, 100));
  cpu.state.gpr[5] = 8;
  execute(op31(5, 0, 4, kStwcx, true));
  EXPECT_EQ(cpu.state.cr_field(0), 0u);
  EXPECT_EQ(peek<std::uint32_t>(kData), 100u);
}

TEST_F(LoadStoreTest, StoreConditionalToAnotherGranuleFails) {
  cpu.state.gpr[4] = kData;
  cpu.state.gpr[6] = kData + 0x200;
  execute(op31(3, 0, 4, kLdarx));
  cpu.state.gpr[5] = 0x55;
  execute(op31(5, 0, 6, kStdcx, true));
  EXPECT_EQ(cpu.state.cr_field(0), 0u);
  EXPECT_EQ(peek<std::uint64_t>(kData + 0x200), 0u);
  EXPECT_FALSE(cpu.state.reservation_valid);
}

TEST_F(LoadStoreTest, UnalignedLoadAndReserveTakesAnAlignmentInterrupt) {
  cpu.state.gpr[4] = kData + 2;
  EXPECT_EQ(execute(op31(3, 0, 4, kLwarx)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 0x600u);
  EXPECT_EQ(cpu.state.dar, kData + 2);
  EXPECT_FALSE(cpu.state.reservation_valid);
}

// --- Quadword accesses. Encodings checked against binutils -mpower8:
// lq r4,16(r3) = 0xe0830010, stq r4,16(r3) = 0xf8830012,
// lqarx r4,0,r5 = 0x7c802a28, stqcx. r4,0,r5 = 0x7c80296d. ---

constexpr unsigned kLq = 56;
std::uint32_t lq(unsigned rt, unsigned ra, std::int32_t dq) { return d_form(kLq, rt, ra, dq); }
std::uint32_t stq(unsigned rs, unsigned ra, std::int32_t ds) { return ds_form(62, rs, ra, ds, 2); }

TEST_F(LoadStoreTest, QuadwordEncodingsMatchTheAssembler) {
  EXPECT_EQ(lq(4, 3, 16), 0xe0830010u);
  EXPECT_EQ(stq(4, 3, 16), 0xf8830012u);
  EXPECT_EQ(op31(4, 0, 5, kLqarx), 0x7c802a28u);
  EXPECT_EQ(op31(4, 0, 5, kStqcx, true), 0x7c80296du);
}

TEST_F(LoadStoreTest, LoadQuadwordBigEndianPutsTheDoublewordAtEaInTheEvenRegister) {
  for (unsigned i = 0; i < 16; ++i) poke<std::uint8_t>(kData + i, static_cast<std::uint8_t>(0x10 + i));
  cpu.state.gpr[3] = kData - 16;
  ASSERT_EQ(execute(lq(4, 3, 16)), Flow::next);
  EXPECT_EQ(cpu.state.gpr[4], 0x1011121314151617ull);
  EXPECT_EQ(cpu.state.gpr[5], 0x18191a1b1c1d1e1full);
  EXPECT_EQ(cpu.state.nip, kCodeAddress + 4);
}

TEST_F(LoadStoreTest, StoreQuadwordBigEndianIsByteExact) {
  cpu.state.gpr[6] = 0x0011223344556677ull;
  cpu.state.gpr[7] = 0x8899aabbccddeeffull;
  cpu.state.gpr[3] = kData + 0x20;
  ASSERT_EQ(execute(stq(6, 3, -0x10)), Flow::next);
  for (unsigned i = 0; i < 16; ++i) EXPECT_EQ(peek<std::uint8_t>(kData + 0x10 + i), 0x11 * i) << i;
  EXPECT_EQ(peek<std::uint64_t>(kData + 0x08), 0u);  // nothing around it
  EXPECT_EQ(peek<std::uint64_t>(kData + 0x20), 0u);
  ASSERT_EQ(execute(lq(8, 3, -0x10)), Flow::next);
  EXPECT_EQ(cpu.state.gpr[8], 0x0011223344556677ull);
  EXPECT_EQ(cpu.state.gpr[9], 0x8899aabbccddeeffull);
}

// In little-endian mode the quadword is one little-endian number: memory
// byte 0 is the least significant byte of the odd register.
TEST_F(LoadStoreTest, QuadwordAccessesInLittleEndianModeAreOneLittleEndianNumber) {
  set_little_endian();
  for (unsigned i = 0; i < 16; ++i) poke<std::uint8_t>(kData + i, static_cast<std::uint8_t>(0x10 + i));
  cpu.state.gpr[3] = kData;
  ASSERT_EQ(execute(lq(4, 3, 0)), Flow::next);
  EXPECT_EQ(cpu.state.gpr[4], 0x1f1e1d1c1b1a1918ull);  // the doubleword at EA+8
  EXPECT_EQ(cpu.state.gpr[5], 0x1716151413121110ull);  // the doubleword at EA

  cpu.state.gpr[6] = 0xffeeddccbbaa9988ull;
  cpu.state.gpr[7] = 0x7766554433221100ull;
  ASSERT_EQ(execute(stq(6, 3, 0x20)), Flow::next);
  for (unsigned i = 0; i < 16; ++i) EXPECT_EQ(peek<std::uint8_t>(kData + 0x20 + i), 0x11 * i) << i;
  ASSERT_EQ(execute(lq(8, 3, 0x20)), Flow::next);
  EXPECT_EQ(cpu.state.gpr[8], 0xffeeddccbbaa9988ull);
  EXPECT_EQ(cpu.state.gpr[9], 0x7766554433221100ull);
}

// 2.07 made lq and stq legal in problem state.
TEST_F(LoadStoreTest, QuadwordAccessesWorkInProblemState) {
  cpu.set_msr(cpu.state.msr | ppc::msr::kProblemState);
  cpu.state.gpr[3] = kData;
  cpu.state.gpr[4] = 1;
  cpu.state.gpr[5] = 2;
  ASSERT_EQ(execute(stq(4, 3, 0)), Flow::next);
  ASSERT_EQ(execute(lq(6, 3, 0)), Flow::next);
  EXPECT_EQ(cpu.state.gpr[6], 1u);
  EXPECT_EQ(cpu.state.gpr[7], 2u);
}

TEST_F(LoadStoreTest, QuadwordInvalidFormsAreIllegal) {
  cpu.state.gpr[3] = kData;
  cpu.state.gpr[4] = 0x4444;
  cpu.state.gpr[5] = 0x5555;
  const std::uint32_t invalid[] = {
      lq(5, 3, 0),                     // odd RTp
      lq(4, 4, 0),                     // RTp = RA
      stq(5, 3, 0),                    // odd RSp
      op31(5, 0, 3, kLqarx),           // odd RTp
      op31(4, 4, 3, kLqarx),           // RTp = RA
      op31(4, 0, 4, kLqarx),           // RTp = RB
      op31(5, 0, 3, kStqcx, true),     // odd RSp
  };
  for (const std::uint32_t word : invalid) {
    cpu.state.nip = kCodeAddress;
    EXPECT_EQ(execute(word), Flow::jump) << std::hex << word;
    expect_program_interrupt(program_cause::kIllegal);
  }
  EXPECT_EQ(cpu.state.gpr[4], 0x4444u);
  EXPECT_EQ(cpu.state.gpr[5], 0x5555u);
  EXPECT_EQ(peek<std::uint64_t>(kData), 0u);
  // A store may use one of its source registers as the base.
  cpu.state.nip = kCodeAddress;
  cpu.state.gpr[4] = kData;
  EXPECT_EQ(execute(stq(4, 4, 0)), Flow::next);
  EXPECT_EQ(peek<std::uint64_t>(kData), kData);
}

TEST_F(LoadStoreTest, UnalignedQuadwordAccessesTakeAlignmentInterrupts) {
  cpu.state.gpr[3] = kData + 8;
  cpu.state.gpr[4] = 0x4444;
  EXPECT_EQ(execute(lq(4, 3, 0)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 0x600u);
  EXPECT_EQ(cpu.state.srr0, kCodeAddress);
  EXPECT_EQ(cpu.state.dar, kData + 8);
  EXPECT_EQ(cpu.state.gpr[4], 0x4444u);

  cpu.state.nip = kCodeAddress;
  EXPECT_EQ(execute(stq(4, 3, 4)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 0x600u);
  EXPECT_EQ(cpu.state.dar, kData + 12);
  EXPECT_EQ(peek<std::uint64_t>(kData + 8), 0u);

  cpu.state.nip = kCodeAddress;
  cpu.state.gpr[5] = kData + 4;
  EXPECT_EQ(execute(op31(6, 0, 5, kLqarx)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 0x600u);
  EXPECT_EQ(cpu.state.dar, kData + 4);
  EXPECT_FALSE(cpu.state.reservation_valid);

  cpu.state.nip = kCodeAddress;
  EXPECT_EQ(execute(op31(6, 0, 5, kStqcx, true)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 0x600u);
}

TEST_F(LoadStoreTest, StoreQuadwordConditionalSucceedsUnderAReservation) {
  poke<std::uint64_t>(kData, 0x0102030405060708ull);
  poke<std::uint64_t>(kData + 8, 0x090a0b0c0d0e0f10ull);
  cpu.state.gpr[5] = kData;
  cpu.state.xer_so = true;
  ASSERT_EQ(execute(op31(6, 0, 5, kLqarx)), Flow::next);
  EXPECT_EQ(cpu.state.gpr[6], 0x0102030405060708ull);
  EXPECT_EQ(cpu.state.gpr[7], 0x090a0b0c0d0e0f10ull);
  EXPECT_TRUE(cpu.state.reservation_valid);
  cpu.state.gpr[8] = 0xaaaaaaaaaaaaaaaaull;
  cpu.state.gpr[9] = 0xbbbbbbbbbbbbbbbbull;
  ASSERT_EQ(execute(op31(8, 0, 5, kStqcx, true)), Flow::next);
  EXPECT_EQ(cpu.state.cr_field(0), cr_bit::kEqual | cr_bit::kSummaryOverflow);
  EXPECT_EQ(peek<std::uint64_t>(kData), 0xaaaaaaaaaaaaaaaaull);
  EXPECT_EQ(peek<std::uint64_t>(kData + 8), 0xbbbbbbbbbbbbbbbbull);
  EXPECT_FALSE(cpu.state.reservation_valid);
  // The reservation is gone: a second attempt stores nothing.
  cpu.state.xer_so = false;
  cpu.state.gpr[8] = 0;
  execute(op31(8, 0, 5, kStqcx, true));
  EXPECT_EQ(cpu.state.cr_field(0), 0u);
  EXPECT_EQ(peek<std::uint64_t>(kData), 0xaaaaaaaaaaaaaaaaull);
}

TEST_F(LoadStoreTest, StoreQuadwordConditionalInLittleEndianMode) {
  set_little_endian();
  for (unsigned i = 0; i < 16; ++i) poke<std::uint8_t>(kData + i, static_cast<std::uint8_t>(0x10 + i));
  cpu.state.gpr[5] = kData;
  ASSERT_EQ(execute(op31(6, 0, 5, kLqarx)), Flow::next);
  EXPECT_EQ(cpu.state.gpr[6], 0x1f1e1d1c1b1a1918ull);
  EXPECT_EQ(cpu.state.gpr[7], 0x1716151413121110ull);
  cpu.state.gpr[8] = 0xffeeddccbbaa9988ull;
  cpu.state.gpr[9] = 0x7766554433221100ull;
  ASSERT_EQ(execute(op31(8, 0, 5, kStqcx, true)), Flow::next);
  EXPECT_EQ(cpu.state.cr_field(0), cr_bit::kEqual);
  for (unsigned i = 0; i < 16; ++i) EXPECT_EQ(peek<std::uint8_t>(kData + i), 0x11 * i) << i;
}

// Another vCPU's store to either half of the quadword between lqarx and
// stqcx. makes the stqcx. fail.
TEST_F(LoadStoreTest, StoreToTheQuadwordByAnotherVcpuMakesStqcxFail) {
  for (const std::uint64_t offset : {0u, 8u, 15u}) {
    Cpu other{memory_system};
    other.set_msr(ppc::msr::kSixtyFour);
    poke<std::uint64_t>(kData, 1);
    poke<std::uint64_t>(kData + 8, 2);
    cpu.state.nip = kCodeAddress;
    cpu.state.gpr[5] = kData;
    ASSERT_EQ(execute(op31(6, 0, 5, kLqarx)), Flow::next);
    ASSERT_TRUE(other.store<std::uint8_t>(kData + offset, 0x77));
    cpu.state.gpr[8] = 0x88;
    cpu.state.gpr[9] = 0x99;
    execute(op31(8, 0, 5, kStqcx, true));
    EXPECT_EQ(cpu.state.cr_field(0), 0u) << offset;
    EXPECT_EQ(peek<std::uint8_t>(kData + offset), 0x77u) << offset;
    EXPECT_NE(peek<std::uint64_t>(kData + 8), 0x99u) << offset;
    EXPECT_FALSE(cpu.state.reservation_valid);
  }
}

// A reservation made by a smaller l*arx at the same address does not let
// stqcx. store, nor one made by lqarx a smaller st*cx.
TEST_F(LoadStoreTest, QuadwordReservationsDoNotMixWithOtherSizes) {
  cpu.state.gpr[5] = kData;
  execute(op31(6, 0, 5, kLdarx));
  cpu.state.gpr[8] = 0x88;
  cpu.state.gpr[9] = 0x99;
  execute(op31(8, 0, 5, kStqcx, true));
  EXPECT_EQ(cpu.state.cr_field(0), 0u);
  EXPECT_EQ(peek<std::uint64_t>(kData + 8), 0u);
  execute(op31(6, 0, 5, kLqarx));
  execute(op31(8, 0, 5, kStdcx, true));
  EXPECT_EQ(cpu.state.cr_field(0), 0u);
  EXPECT_EQ(peek<std::uint64_t>(kData), 0u);
}

TEST_F(LoadStoreTest, QuadwordAccessesToMmioBecomeDoublewordAccesses) {
  cpu.state.gpr[3] = kMmio;
  cpu.state.gpr[4] = 0x4444;
  EXPECT_EQ(execute(lq(4, 3, 0)), Flow::exit);
  EXPECT_EQ(cpu.exit().reason, ExitReason::mmio);
  EXPECT_EQ(cpu.exit().mmio.address, kMmio);
  EXPECT_EQ(cpu.exit().mmio.size, 8u);
  EXPECT_EQ(cpu.state.gpr[4], 0x4444u);
  cpu.complete_mmio_read(0x1111000000000000);  // bus order; the vCPU is big-endian
  cpu.run(std::atomic<bool>{true}, std::atomic<bool>{false});  // resets the replay cursor only
  EXPECT_EQ(execute(lq(4, 3, 0)), Flow::exit);
  EXPECT_EQ(cpu.exit().mmio.address, kMmio + 8);
  cpu.complete_mmio_read(0x2222000000000000);
  cpu.run(std::atomic<bool>{true}, std::atomic<bool>{false});
  EXPECT_EQ(execute(lq(4, 3, 0)), Flow::next);
  EXPECT_EQ(cpu.state.gpr[4], 0x1111u);
  EXPECT_EQ(cpu.state.gpr[5], 0x2222u);
}

TEST_F(LoadStoreTest, DcbzClearsTheWholeAlignedBlock) {
  for (std::uint64_t offset = 0; offset < 0x100; offset += 8) poke<std::uint64_t>(kData + offset, ~std::uint64_t{0});
  cpu.state.gpr[4] = kData + 0x90;  // inside the second block
  EXPECT_EQ(execute(op31(0, 0, 4, kDcbz)), Flow::next);
  EXPECT_EQ(peek<std::uint64_t>(kData + 0x78), ~std::uint64_t{0});
  for (std::uint64_t offset = 0x80; offset < 0x100; offset += 8) EXPECT_EQ(peek<std::uint64_t>(kData + offset), 0u);
}

TEST_F(LoadStoreTest, DcbzOnMmioTakesAnAlignmentInterrupt) {
  cpu.state.gpr[4] = kMmio + 0x10;
  EXPECT_EQ(execute(op31(0, 0, 4, kDcbz)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 0x600u);
  EXPECT_EQ(cpu.state.dar, kMmio);
}

TEST_F(LoadStoreTest, CacheHintsDoNothing) {
  cpu.state.gpr[4] = kMmio;  // not even an access
  EXPECT_EQ(execute(op31(0, 0, 4, kDcbf)), Flow::next);
  EXPECT_EQ(execute(op31(0, 0, 4, kIcbi)), Flow::next);
  EXPECT_EQ(cpu.state.nip, kCodeAddress + 8);
}

TEST_F(LoadStoreTest, FloatingPointNeedsMsrFp) {
  cpu.state.gpr[4] = kBase;
  EXPECT_EQ(execute(d_form(kLfd, 1, 4, 0x10)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 0x800u);
  EXPECT_EQ(cpu.state.srr0, kCodeAddress);
}

TEST_F(LoadStoreTest, SingleLoadsWidenBitExactly) {
  enable_floating_point();
  cpu.state.gpr[4] = kBase;
  const std::pair<std::uint32_t, std::uint64_t> cases[] = {
      {0x3f800000, 0x3ff0000000000000ull},  // 1.0
      {0xc0490fdb, 0xc00921fb60000000ull},  // -pi
      {0x00000001, 0x36a0000000000000ull},  // the smallest denormal, 2^-149
      {0x7f800001, 0x7ff0000020000000ull},  // a signalling NaN stays signalling
      {0x80000000, 0x8000000000000000ull},  // -0
      {0x7f800000, 0x7ff0000000000000ull},  // infinity
  };
  for (const auto& [single, widened] : cases) {
    poke<std::uint32_t>(kData, single);
    execute(d_form(kLfs, 1, 4, 0x10));
    EXPECT_EQ(cpu.state.fpr[1], widened) << std::hex << single;
    cpu.state.fpr[2] = widened;
    execute(d_form(kStfs, 2, 4, 0x14));
    EXPECT_EQ(peek<std::uint32_t>(kData + 4), single) << std::hex << single;
  }
}

TEST_F(LoadStoreTest, DoubleAndIntegerWordFloatingAccesses) {
  enable_floating_point();
  poke<std::uint64_t>(kData, 0x400921fb54442d18ull);
  cpu.state.gpr[4] = kBase;
  ASSERT_EQ(execute(d_form(kLfdu, 1, 4, 0x10)), Flow::next);
  EXPECT_EQ(cpu.state.fpr[1], 0x400921fb54442d18ull);
  EXPECT_EQ(cpu.state.gpr[4], kData);
  execute(d_form(kStfd, 1, 4, 8));
  EXPECT_EQ(peek<std::uint64_t>(kData + 8), 0x400921fb54442d18ull);
  cpu.state.gpr[5] = 0x10;
  execute(op31(1, 4, 5, kStfiwx));
  EXPECT_EQ(peek<std::uint32_t>(kData + 0x10), 0x54442d18u);
  poke<std::uint32_t>(kData + 0x10, 0xfffffffe);
  execute(op31(2, 4, 5, kLfiwax));
  EXPECT_EQ(cpu.state.fpr[2], 0xfffffffffffffffeull);
  execute(op31(2, 4, 5, kLfiwzx));
  EXPECT_EQ(cpu.state.fpr[2], 0xfffffffeull);
  poke<std::uint32_t>(kData + 0x10, 0x3f800000);
  execute(op31(2, 4, 5, kLfsx));
  EXPECT_EQ(cpu.state.fpr[2], 0x3ff0000000000000ull);
}

TEST_F(LoadStoreTest, FloatingUpdateWithRaZeroIsInvalid) {
  enable_floating_point();
  EXPECT_EQ(execute(d_form(kStfdu, 1, 0, 0x10)), Flow::jump);
  expect_program_interrupt(program_cause::kIllegal);
}

}  // namespace
}  // namespace mosaic::interp::test
