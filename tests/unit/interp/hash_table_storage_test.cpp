// The interpreter's HPT storage: the HashPageTable contract, and which
// writes make the vCPUs drop their TLBs.
#include <gtest/gtest.h>

#include <array>
#include <atomic>

#include "hash_table_storage.hpp"

namespace mosaic::interp::test {
namespace {

constexpr ppc::Hpte kValidEntry{ppc::hpte::kValid | 0x1000, 0x2000};

class HashTableStorageTest : public ::testing::Test {
 protected:
  HashTableStorageTest() { EXPECT_EQ(storage.allocate(18), ppc::HptStatus::ok); }
  std::atomic<std::uint64_t> generation{0};
  HashTableStorage storage{generation};
};

TEST_F(HashTableStorageTest, FillingAFreeSlotKeepsTheTlbs) {
  const std::uint64_t before = generation.load();
  ASSERT_EQ(storage.write_hpte(5, kValidEntry), ppc::HptStatus::ok);
  EXPECT_EQ(generation.load(), before);
  std::array<ppc::Hpte, 1> read{};
  ASSERT_EQ(storage.read_hptes(5, read), ppc::HptStatus::ok);
  EXPECT_EQ(read[0].v, kValidEntry.v);
  EXPECT_EQ(read[0].r, kValidEntry.r);
}

TEST_F(HashTableStorageTest, ReplacingOrRemovingATranslationFlushesTheTlbs) {
  ASSERT_EQ(storage.write_hpte(5, kValidEntry), ppc::HptStatus::ok);
  const std::uint64_t before = generation.load();
  ASSERT_EQ(storage.write_hpte(5, ppc::Hpte{kValidEntry.v, 0x3000}), ppc::HptStatus::ok);
  EXPECT_GT(generation.load(), before);
  const std::uint64_t after_replace = generation.load();
  ASSERT_EQ(storage.write_hpte(5, ppc::Hpte{0x1000, 0x3000}), ppc::HptStatus::ok);  // V clear: removed
  EXPECT_GT(generation.load(), after_replace);
  std::array<ppc::Hpte, 1> read{};
  ASSERT_EQ(storage.read_hptes(5, read), ppc::HptStatus::ok);
  EXPECT_EQ(read[0].v, 0u) << "an invalid entry reads back as zero";
  EXPECT_EQ(read[0].r, 0u);
}

TEST_F(HashTableStorageTest, OutOfRangeIndexesAreRefused) {
  const std::uint64_t entries = (std::uint64_t{1} << 18) / ppc::hpte::kBytes;
  std::array<ppc::Hpte, 8> group{};
  EXPECT_EQ(storage.write_hpte(entries, kValidEntry), ppc::HptStatus::out_of_range);
  EXPECT_EQ(storage.read_hptes(entries - 4, group), ppc::HptStatus::out_of_range);
  EXPECT_EQ(storage.read_hptes(entries - 8, group), ppc::HptStatus::ok);
}

}  // namespace
}  // namespace mosaic::interp::test
