// hash_lookup over HPTs built in memory, with entries encoded from the ISA's
// definitions (Book III 5.7.7) rather than from the code under test.
#include <gtest/gtest.h>

#include <vector>

#include "mosaic/ppc_hash.hpp"
#include "support/vector_hash_page_table.hpp"

namespace {

using namespace mosaic::ppc;

// POWER8's page sizes as Linux's device tree describes them.
const std::vector<SegmentPageSizes> kPower8Sizes = {
    {12, 0x000, {{12, 0}, {16, 7}, {24, 0x38}}},
    {16, 0x110, {{16, 1}, {24, 8}}},
    {24, 0x100, {{24, 0}}},
};

constexpr unsigned kOrder = 18;  // 256 KiB: 2048 PTEGs
constexpr std::uint64_t kGroupMask = (1u << (kOrder - 7)) - 1;

SlbEntry slb_256m(std::uint64_t effective_address, std::uint64_t vsid, std::uint64_t page_size_bits = 0) {
  return {(effective_address & ~((1ull << 28) - 1)) | slb::kValid, (vsid << 12) | page_size_bits};
}

class HashLookup : public ::testing::Test {
 protected:
  void SetUp() override { table.allocate(kOrder); }
  mosaic::testing::VectorHashPageTable table;
};

TEST_F(HashLookup, FindsA4KPageInThePrimaryGroup) {
  const std::uint64_t ea = 0xc000000001234567;
  const std::uint64_t vsid = 0x123456;
  const std::uint64_t page_index = (ea & 0x0fffffff) >> 12;
  const std::uint64_t group = (vsid ^ page_index) & kGroupMask;
  const Hpte entry{(vsid << 12) | (((ea & 0x0fffffff) >> 23) << 7) | hpte::kValid, 0x7654000 | 0x190};
  table.write_hpte(group * 8 + 3, entry);
  const SlbEntry slb[] = {slb_256m(ea, vsid)};

  const auto segment = find_segment(slb, ea);
  ASSERT_TRUE(segment);
  const auto hit = hash_lookup(table, *segment, ea, kPower8Sizes);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->real_address, 0x7654567u);
  EXPECT_EQ(hit->ptex, group * 8 + 3);
  EXPECT_EQ(hit->page_shift, 12u);
  EXPECT_EQ(table.reads, 1);
  EXPECT_EQ(table.last_read_size, 8u);  // one PTEG per read, never the whole table
}

TEST_F(HashLookup, FindsAnEntryInTheSecondaryGroupOnlyWithTheHBit) {
  const std::uint64_t ea = 0xc000000000042000;
  const std::uint64_t vsid = 0x9abcde;
  const std::uint64_t hash = vsid ^ ((ea & 0x0fffffff) >> 12);
  const std::uint64_t secondary = ~hash & kGroupMask;
  const std::uint64_t v = (vsid << 12) | hpte::kValid;
  const SlbEntry slb[] = {slb_256m(ea, vsid)};
  const auto segment = find_segment(slb, ea);
  ASSERT_TRUE(segment);

  table.write_hpte(secondary * 8, {v, 0x100000});  // H clear: not a secondary entry
  EXPECT_FALSE(hash_lookup(table, *segment, ea, kPower8Sizes));

  table.write_hpte(secondary * 8 + 7, {v | hpte::kSecondaryHash, 0x200000});
  const auto hit = hash_lookup(table, *segment, ea, kPower8Sizes);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->real_address, 0x200000u);
  EXPECT_EQ(hit->ptex, secondary * 8 + 7);
}

TEST_F(HashLookup, MissesWhenNoEntryMatchesOrTheSegmentIsInvalid) {
  const std::uint64_t ea = 0xd000000000001000;
  SlbEntry slb[] = {slb_256m(ea, 0x42)};
  const auto segment = find_segment(slb, ea);
  ASSERT_TRUE(segment);
  EXPECT_FALSE(hash_lookup(table, *segment, ea, kPower8Sizes));
  EXPECT_EQ(table.reads, 2);  // primary, then secondary

  slb[0].esid &= ~slb::kValid;
  EXPECT_FALSE(find_segment(slb, ea));
  EXPECT_FALSE(find_segment(slb, ea + (1ull << 28)));  // another segment
}

TEST_F(HashLookup, FindsA16MPageInA16MSegment) {
  const std::uint64_t ea = 0xc000000003456789;
  const std::uint64_t vsid = 0x777;
  const std::uint64_t page_index = (ea & 0x0fffffff) >> 24;
  const std::uint64_t group = (vsid ^ page_index) & kGroupMask;
  // AVPN holds segment-offset bits 23..27; bit 23 is below the page and 0.
  const std::uint64_t avpn_low = ((ea & 0x0fffffff) >> 24) << 8;
  table.write_hpte(group * 8 + 1, {(vsid << 12) | avpn_low | hpte::kLarge | hpte::kValid, 0x5000000});
  const SlbEntry slb[] = {slb_256m(ea, vsid, 0x100)};
  const auto hit = hash_lookup(table, *find_segment(slb, ea), ea, kPower8Sizes);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->page_shift, 24u);
  EXPECT_EQ(hit->real_address, 0x5000000u | (ea & 0xffffff));
}

TEST_F(HashLookup, FindsA64KPageInA64KSegment) {
  const std::uint64_t ea = 0xc00000000012abcd;
  const std::uint64_t vsid = 0x31337;
  const std::uint64_t group = (vsid ^ ((ea & 0x0fffffff) >> 16)) & kGroupMask;
  // LP encoding 1 for a 64K page sits in RPN bits just above bit 12.
  table.write_hpte(group * 8, {(vsid << 12) | hpte::kLarge | hpte::kValid, 0x30000 | (1 << 12)});
  const SlbEntry slb[] = {slb_256m(ea, vsid, 0x110)};
  const auto hit = hash_lookup(table, *find_segment(slb, ea), ea, kPower8Sizes);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->page_shift, 16u);
  EXPECT_EQ(hit->real_address, 0x3abcdu);
}

TEST_F(HashLookup, FindsA4KPageInA1TSegment) {
  const std::uint64_t ea = 0xc000012345678000;
  const std::uint64_t vsid = 0x1abcd;
  const std::uint64_t offset = ea & ((1ull << 40) - 1);
  const std::uint64_t group = (vsid ^ (vsid << 25) ^ (offset >> 12)) & kGroupMask;
  const std::uint64_t v = slb::kSegment1T | (vsid << 24) | (((offset >> 16) & 0x3fffffffffffff80ull)) | hpte::kValid;
  table.write_hpte(group * 8 + 5, {v, 0x9000});
  const SlbEntry slb[] = {{(ea & ~((1ull << 40) - 1)) | slb::kValid, slb::kSegment1T | (vsid << 24)}};
  const auto segment = find_segment(slb, ea);
  ASSERT_TRUE(segment);
  EXPECT_TRUE(segment->is_1t);
  const auto hit = hash_lookup(table, *segment, ea, kPower8Sizes);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->real_address, 0x9000u);
}

TEST_F(HashLookup, UnsupportedSegmentPageSizeNeverMatches) {
  const std::uint64_t ea = 0xc000000000000000;
  const SlbEntry slb[] = {slb_256m(ea, 1, 0x120)};  // 16G base: not offered
  EXPECT_FALSE(hash_lookup(table, *find_segment(slb, ea), ea, kPower8Sizes));
  EXPECT_EQ(table.reads, 0);
}

// debug_translate: the debugger's view of a stopped vCPU's data address.
TEST_F(HashLookup, DebugTranslateFollowsMsrDrAndTheSlb) {
  const std::uint64_t ea = 0xc000000001234567;
  const std::uint64_t vsid = 0x123456;
  const std::uint64_t page_index = (ea & 0x0fffffff) >> 12;
  const std::uint64_t group = (vsid ^ page_index) & kGroupMask;
  table.write_hpte(group * 8, Hpte{(vsid << 12) | (((ea & 0x0fffffff) >> 23) << 7) | hpte::kValid, 0x7654000});

  Registers registers;
  // Real mode: the top four bits of the address are ignored, no HPT read.
  EXPECT_EQ(debug_translate(registers, table, kPower8Sizes, ea), 0x1234567u);
  EXPECT_EQ(table.reads, 0);

  registers.msr = msr::kDataRelocate;
  EXPECT_FALSE(debug_translate(registers, table, kPower8Sizes, ea)) << "no SLB entry: no translation";
  registers.slb[5] = slb_256m(ea, vsid);
  EXPECT_EQ(debug_translate(registers, table, kPower8Sizes, ea), 0x7654567u);
  registers.slb[5].esid &= ~slb::kValid;
  EXPECT_FALSE(debug_translate(registers, table, kPower8Sizes, ea)) << "an invalid SLB entry never matches";
  registers.slb[5] = slb_256m(ea, vsid);
  EXPECT_FALSE(debug_translate(registers, table, kPower8Sizes, ea + 0x10000)) << "no HPTE for that page";
}

}  // namespace
