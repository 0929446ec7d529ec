// GuestMemory's checked accessors: values are little-endian whatever the
// host, nothing outside RAM is touched, and every host write is reported
// to the listener (the interpreter drops decoded code through it).
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "mosaic/guest_memory.hpp"

namespace {

using mosaic::GuestMemory;

class GuestMemoryTest : public testing::Test {
 protected:
  std::vector<std::byte> ram = std::vector<std::byte>(64);
  GuestMemory memory{ram.data(), ram.size()};
};

TEST_F(GuestMemoryTest, ValuesAreLittleEndianInRam) {
  ASSERT_TRUE(memory.write_le<std::uint32_t>(8, 0x11223344));
  EXPECT_EQ(ram[8], std::byte{0x44});
  EXPECT_EQ(ram[11], std::byte{0x11});
  EXPECT_EQ(memory.read_le<std::uint16_t>(9), 0x2233u);
  EXPECT_EQ(memory.read_le<std::uint64_t>(8), 0x11223344u);
}

TEST_F(GuestMemoryTest, AnythingReachingPastRamIsRefusedAndUntouched) {
  EXPECT_FALSE(memory.read_le<std::uint32_t>(61).has_value());
  EXPECT_FALSE(memory.read_le<std::uint8_t>(64).has_value());
  EXPECT_FALSE(memory.read_le<std::uint64_t>(~std::uint64_t{0} - 3).has_value());
  EXPECT_FALSE(memory.write_le<std::uint32_t>(62, 0xffffffff));
  EXPECT_EQ(ram[62], std::byte{0});
  EXPECT_TRUE(memory.write_le<std::uint32_t>(60, 1));
}

TEST_F(GuestMemoryTest, RingIndicesMustBeAlignedAndInside) {
  ASSERT_TRUE(memory.store_release_le16(6, 0xabcd));
  EXPECT_EQ(ram[6], std::byte{0xcd});
  EXPECT_EQ(memory.load_acquire_le16(6), 0xabcdu);
  EXPECT_FALSE(memory.load_acquire_le16(7).has_value());
  EXPECT_FALSE(memory.store_release_le16(64, 1));
  EXPECT_FALSE(memory.load_acquire_le16(64).has_value());
}

TEST_F(GuestMemoryTest, EveryHostWriteIsReportedAndRefusedOnesAreNot) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> reported;
  memory.set_write_listener([&](std::uint64_t address, std::uint64_t length) { reported.emplace_back(address, length); });
  memory.write_le<std::uint64_t>(16, 5);
  memory.store_release_le16(2, 7);
  const std::byte bytes[3]{};
  memory.write(40, bytes);
  memory.notify_written(0, 64);
  memory.write_le<std::uint32_t>(63, 0);
  EXPECT_EQ(reported, (std::vector<std::pair<std::uint64_t, std::uint64_t>>{{16, 8}, {2, 2}, {40, 3}, {0, 64}}));
  memory.set_write_listener({});
  memory.write_le<std::uint32_t>(0, 0);
  EXPECT_EQ(reported.size(), 4u);
}

}  // namespace
