// The HPT hypercalls against an in-memory HashPageTable: every flag, and the
// hostile arguments a guest can pass.
#include <gtest/gtest.h>

#include "hcall_hpt.hpp"
#include "papr.hpp"
#include "support/vector_hash_page_table.hpp"

namespace {

using namespace mosaic;
using namespace mosaic::pseries;
using ppc::Hpte;

constexpr std::uint64_t kRam = 256ull << 20;
constexpr std::uint64_t kCoherent = 0x10;
constexpr std::uint64_t kCacheInhibited = 0x20;

const std::vector<ppc::SegmentPageSizes> kPower8Sizes = {
    {12, 0x000, {{12, 0}, {16, 7}, {24, 0x38}}},
    {16, 0x110, {{16, 1}, {24, 8}}},
    {24, 0x100, {{24, 0}}},
};

class HptHypercallTest : public ::testing::Test {
 protected:
  void SetUp() override { table.allocate(18); }  // 16384 entries

  std::int64_t call(std::int64_t (HptHypercalls::*handler)(HypercallCall&), std::initializer_list<std::uint64_t> args) {
    last = HypercallCall{};
    std::copy(args.begin(), args.end(), last.args.begin());
    return (hcalls.*handler)(last);
  }
  std::int64_t enter(std::uint64_t flags, std::uint64_t ptex, std::uint64_t v, std::uint64_t r) {
    return call(&HptHypercalls::enter, {flags, ptex, v, r});
  }

  mosaic::testing::VectorHashPageTable table;
  HptHypercalls hcalls{table, kPower8Sizes, kRam};
  HypercallCall last;
};

TEST_F(HptHypercallTest, EnterTakesTheFirstFreeSlotOfTheGroup) {
  ASSERT_EQ(enter(0, 0x83, 0x1000 | 1, 0x5000 | kCoherent), papr::kSuccess);
  EXPECT_EQ(last.outputs[0], 0x80u);
  ASSERT_EQ(enter(0, 0x85, 0x2000 | 1, 0x6000 | kCoherent), papr::kSuccess);
  EXPECT_EQ(last.outputs[0], 0x81u);
  EXPECT_EQ(table.at(0x81), (Hpte{0x2001, 0x6010}));
}

TEST_F(HptHypercallTest, EnterReportsAFullGroup) {
  for (int i = 0; i < 8; ++i) ASSERT_EQ(enter(0, 0x10, 0x1000 * (i + 1) | 1, kCoherent), papr::kSuccess);
  EXPECT_EQ(enter(0, 0x10, 0x9001, kCoherent), papr::kPtegFull);
}

TEST_F(HptHypercallTest, EnterExactUsesOnlyTheNamedSlot) {
  ASSERT_EQ(enter(papr::kExact, 0x45, 0x1001, kCoherent), papr::kSuccess);
  EXPECT_EQ(last.outputs[0], 0x45u);
  EXPECT_EQ(enter(papr::kExact, 0x45, 0x2001, kCoherent), papr::kPtegFull);
  EXPECT_EQ(table.at(0x45).v, 0x1001u);
}

TEST_F(HptHypercallTest, EnterRejectsHostileArguments) {
  EXPECT_EQ(enter(0, 16384, 0x1001, kCoherent), papr::kParameter);       // past the table
  EXPECT_EQ(enter(0, ~0ull, 0x1001, kCoherent), papr::kParameter);       // wraps
  EXPECT_EQ(enter(0, 0, 0x1001, kCoherent | kCacheInhibited), papr::kParameter);  // RAM must be cacheable
  EXPECT_EQ(enter(0, 0, 0x1001, 0), papr::kParameter);                   // and coherent
  EXPECT_EQ(enter(0, 0, 0x1001 | ppc::hpte::kLarge, 0x3000 | kCoherent), papr::kParameter);  // unknown LP
  EXPECT_EQ(table.writes, 0);
  // I/O space must be cache-inhibited.
  EXPECT_EQ(enter(0, 0, 0x1001, kRam | kCoherent), papr::kParameter);
  EXPECT_EQ(enter(0, 0, 0x1001, kRam | kCacheInhibited), papr::kSuccess);
}

// PAPR 14.5.4.1.1: the page must lie within the partition's memory. With
// 100 MiB of RAM, the 16M page at 96M is a quarter RAM, the rest not.
TEST_F(HptHypercallTest, EnterRefusesALargePageRunningPastTheEndOfRam) {
  HptHypercalls odd_sized{table, kPower8Sizes, 100ull << 20};
  const std::uint64_t v = 0x1000 | ppc::hpte::kLarge | 1;
  last = HypercallCall{};
  last.args = {0, 0, v, (96ull << 20) | kCoherent};
  EXPECT_EQ(odd_sized.enter(last), papr::kParameter);
  last.args = {0, 0, v, (80ull << 20) | kCoherent};  // [80M, 96M): all RAM
  EXPECT_EQ(odd_sized.enter(last), papr::kSuccess);
  last.args = {0, 8, 0x2001, ((100ull << 20) - 4096) | kCoherent};  // the last 4K page
  EXPECT_EQ(odd_sized.enter(last), papr::kSuccess);
}

TEST_F(HptHypercallTest, EnterAcceptsLargePagesAndDropsHypervisorBits) {
  // 16M page: L set, LP bits 12-23 zero (base 16M encoding 0).
  ASSERT_EQ(enter(0, 8, 0x1000 | 0x60 | ppc::hpte::kLarge | 1, 0x1000000 | kCoherent), papr::kSuccess);
  EXPECT_EQ(table.at(8).v, 0x1000u | ppc::hpte::kLarge | 1);
  // 64K page: LP encoding 1 just above bit 12.
  EXPECT_EQ(enter(0, 16, 0x2000 | ppc::hpte::kLarge | 1, 0x20000 | 0x1000 | kCoherent), papr::kSuccess);
}

TEST_F(HptHypercallTest, RemoveReturnsTheOldEntryAndHonoursAvpnAndAndcond) {
  ASSERT_EQ(enter(papr::kExact, 0x20, 0xabc000 | 0x10 | 1, 0x7000 | 0x180 | kCoherent), papr::kSuccess);
  EXPECT_EQ(call(&HptHypercalls::remove, {papr::kAvpn, 0x20, 0xabd000}), papr::kNotFound);
  EXPECT_EQ(call(&HptHypercalls::remove, {papr::kAndCond, 0x20, 0x10}), papr::kNotFound);  // bolted bit set
  EXPECT_EQ(call(&HptHypercalls::remove, {papr::kAvpn, 0x20, 0xabc000}), papr::kSuccess);
  EXPECT_EQ(last.outputs[0], 0xabc011u);
  EXPECT_EQ(last.outputs[1], 0x7190u);
  EXPECT_EQ(last.output_count, 2u);
  EXPECT_EQ(table.at(0x20), Hpte{});
  EXPECT_EQ(call(&HptHypercalls::remove, {0, 0x20, 0}), papr::kNotFound);  // already gone
  EXPECT_EQ(call(&HptHypercalls::remove, {0, 1ull << 40, 0}), papr::kParameter);
}

TEST_F(HptHypercallTest, ReadReturnsOneOrFourAlignedEntries) {
  for (std::uint64_t i = 0; i < 8; ++i) enter(papr::kExact, 0x100 + i, (i + 1) << 12 | 1, (i << 12) | kCoherent);
  ASSERT_EQ(call(&HptHypercalls::read, {0, 0x102}), papr::kSuccess);
  EXPECT_EQ(last.output_count, 2u);
  EXPECT_EQ(last.outputs[0], 0x3001u);
  ASSERT_EQ(call(&HptHypercalls::read, {papr::kRead4, 0x106}), papr::kSuccess);
  EXPECT_EQ(last.output_count, 8u);
  EXPECT_EQ(last.outputs[0], 0x5001u);  // entry 0x104
  EXPECT_EQ(last.outputs[7], (7u << 12) | kCoherent);
  EXPECT_EQ(call(&HptHypercalls::read, {papr::kRead4, 16384}), papr::kParameter);
}

TEST_F(HptHypercallTest, ProtectRewritesPpNAndKeyOnly) {
  enter(papr::kExact, 0x30, 0x4000 | 1, 0x9000 | 0x180 | kCoherent | 0x2);
  const std::uint64_t flags = (1ull << 8) /* pp0 */ | (3ull << 12) /* key hi */ | 0x4 /* N */ | 0x1 /* pp */ | 0x200;
  ASSERT_EQ(call(&HptHypercalls::protect, {flags, 0x30, 0}), papr::kSuccess);
  const std::uint64_t r = table.at(0x30).r;
  EXPECT_EQ(r & 0x3, 0x1u);
  EXPECT_TRUE(r & 0x4);
  EXPECT_TRUE(r & (1ull << 63));
  EXPECT_EQ(r & (3ull << 60), 3ull << 60);
  EXPECT_EQ(r & 0xe00, 0x200u);
  EXPECT_EQ(r & 0x0ffffffffffff1f0ull, 0x9000u | 0x180 | kCoherent);  // RPN, R, C, WIMG kept
  EXPECT_EQ(call(&HptHypercalls::protect, {papr::kAvpn, 0x30, 0x5000}), papr::kNotFound);
  EXPECT_EQ(call(&HptHypercalls::protect, {0, 0x31, 0}), papr::kNotFound);
  EXPECT_EQ(call(&HptHypercalls::protect, {0, 1ull << 62, 0}), papr::kParameter);
}

TEST_F(HptHypercallTest, BulkRemoveAnswersEachRequestInPlace) {
  enter(papr::kExact, 0x40, 0x1000 | 1, 0x1000 | 0x180 | kCoherent);  // R and C set
  enter(papr::kExact, 0x41, 0x2000 | 1, 0x2000 | kCoherent);
  const std::uint64_t request = 0x4000000000000000ull;
  const std::uint64_t avpn_flag = 0x0200000000000000ull;
  ASSERT_EQ(call(&HptHypercalls::bulk_remove,
                 {request | 0x40, 0, request | avpn_flag | 0x41, 0x9000, request | 0x42, 0,
                  0xc000000000000000ull, 0}),
            papr::kSuccess);
  EXPECT_EQ(last.output_count, 8u);
  EXPECT_EQ(last.outputs[0], 0x8000000000000000ull | (0x180ull << 43) | 0x40);  // success, R and C
  EXPECT_EQ(last.outputs[2], 0x8000000000000000ull | 0x1000000000000000ull | avpn_flag | 0x41);  // not found
  EXPECT_EQ(last.outputs[4] >> 60, 0x9u);  // response, not found (empty slot)
  EXPECT_EQ(table.at(0x40), Hpte{});
  EXPECT_EQ(table.at(0x41).v, 0x2001u);
}

TEST_F(HptHypercallTest, BulkRemoveRejectsBadSpecifiers) {
  EXPECT_EQ(call(&HptHypercalls::bulk_remove, {0x0000000000000040ull, 0}), papr::kParameter);  // type 0
  EXPECT_EQ(call(&HptHypercalls::bulk_remove, {0x4300000000000040ull, 0}), papr::kParameter);  // AVPN and ANDCOND
  EXPECT_EQ(last.outputs[0] >> 60, 0xau);  // response, parameter error
  EXPECT_EQ(call(&HptHypercalls::bulk_remove, {0x40ffffffffffffffull, 0}), papr::kParameter);  // index too big
}

TEST_F(HptHypercallTest, ClearReferenceAndModifiedReturnTheOldWordAndClearTheBit) {
  enter(papr::kExact, 0x50, 0x1001, 0x3000 | 0x180 | kCoherent);
  ASSERT_EQ(call(&HptHypercalls::clear_reference, {0, 0x50}), papr::kSuccess);
  EXPECT_EQ(last.outputs[0], 0x3190u);
  EXPECT_EQ(table.at(0x50).r, 0x3090u);
  ASSERT_EQ(call(&HptHypercalls::clear_modified, {0, 0x50}), papr::kSuccess);
  EXPECT_EQ(last.outputs[0], 0x3090u);
  EXPECT_EQ(table.at(0x50).r, 0x3010u);
  EXPECT_EQ(call(&HptHypercalls::clear_modified, {1, 0x50}), papr::kParameter);
  EXPECT_EQ(call(&HptHypercalls::clear_reference, {0, 0x51}), papr::kNotFound);
  EXPECT_EQ(call(&HptHypercalls::clear_reference, {0, 16384}), papr::kParameter);
}

TEST_F(HptHypercallTest, RegistersEveryHptHypercall) {
  std::vector<std::uint64_t> numbers;
  hcalls.register_with([&](std::uint64_t number, const HypercallHandler&) { numbers.push_back(number); });
  std::sort(numbers.begin(), numbers.end());
  EXPECT_EQ(numbers, (std::vector<std::uint64_t>{0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x124}));
}

}  // namespace
