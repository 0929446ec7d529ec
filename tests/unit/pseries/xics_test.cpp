// XICS presentation and source logic: priorities, IPIs, level sources that
// come back after EOI while asserted, masking through RTAS.
#include <gtest/gtest.h>

#include <map>

#include "xics.hpp"

namespace {

using namespace mosaic::pseries;

class XicsTest : public ::testing::Test {
 protected:
  Xics xics{2, 4, [this](std::uint32_t server, bool level) { lines[server] = level; }};
  std::map<std::uint32_t, bool> lines;
  static constexpr std::uint32_t kVty = kFirstDeviceSource;
};

TEST_F(XicsTest, MaskedUntilTheGuestOpensCpprAndConfiguresTheSource) {
  xics.set_level(kVty, true);
  EXPECT_FALSE(lines[0]);  // source priority 0xff: masked
  xics.set_xive(kVty, 0, 5);
  EXPECT_FALSE(lines[0]);  // CPPR 0 blocks everything
  xics.set_priority(0, 0xff);
  EXPECT_TRUE(lines[0]);
  EXPECT_EQ(xics.poll(0).first, 0xff000000u | kVty);
}

TEST_F(XicsTest, AcceptEoiCycleOfALevelSource) {
  xics.set_priority(0, 0xff);
  xics.set_xive(kVty, 0, 5);
  xics.set_level(kVty, true);
  const std::uint32_t xirr = xics.accept(0);
  EXPECT_EQ(xirr, 0xff000000u | kVty);
  EXPECT_FALSE(lines[0]);
  EXPECT_EQ(xics.poll(0).first >> 24, 5u);  // CPPR now the interrupt's priority
  xics.end_of_interrupt(0, xirr);  // still asserted: presented again
  EXPECT_TRUE(lines[0]);
  xics.accept(0);
  xics.set_level(kVty, false);
  xics.end_of_interrupt(0, xirr);
  EXPECT_FALSE(lines[0]);
  EXPECT_EQ(xics.accept(0), 0xff000000u);  // nothing: XISR 0
}

TEST_F(XicsTest, IpiIsPresentedWhenMoreFavouredThanCppr) {
  xics.set_priority(1, 0x10);
  xics.set_ipi(1, 0x20);
  EXPECT_FALSE(lines[1]);
  xics.set_ipi(1, 0x05);
  EXPECT_TRUE(lines[1]);
  EXPECT_EQ(xics.accept(1), 0x10000000u | kIpiSource);
  xics.set_ipi(1, 0xff);
  xics.end_of_interrupt(1, 0x10000000u | kIpiSource);
  EXPECT_FALSE(lines[1]);
  EXPECT_EQ(xics.poll(1), std::make_pair(0x10000000u, std::uint8_t{0xff}));
}

TEST_F(XicsTest, MoreFavouredSourceDisplacesAPendingOneWhichReturnsLater) {
  xics.set_priority(0, 0xff);
  xics.set_xive(kVty, 0, 8);
  xics.set_xive(kVty + 1, 0, 3);
  xics.set_level(kVty, true);
  xics.set_level(kVty + 1, true);
  const std::uint32_t first = xics.accept(0);
  EXPECT_EQ(first & 0xffffff, kVty + 1);
  xics.set_level(kVty + 1, false);
  xics.end_of_interrupt(0, 0xff000000u | (kVty + 1));
  EXPECT_TRUE(lines[0]);
  EXPECT_EQ(xics.accept(0) & 0xffffff, kVty);
}

TEST_F(XicsTest, RaisingCpprWithdrawsAPendingInterrupt) {
  xics.set_priority(0, 0xff);
  xics.set_xive(kVty, 0, 5);
  xics.set_level(kVty, true);
  EXPECT_TRUE(lines[0]);
  xics.set_priority(0, 5);
  EXPECT_FALSE(lines[0]);
  xics.set_priority(0, 0xff);
  EXPECT_TRUE(lines[0]);  // offered again
}

TEST_F(XicsTest, IntOffMasksAndIntOnRestoresThePriority) {
  xics.set_priority(0, 0xff);
  xics.set_xive(kVty, 1, 4);
  EXPECT_EQ(xics.get_xive(kVty), std::make_pair(1u, std::uint8_t{4}));
  xics.interrupt_off(kVty);
  EXPECT_EQ(xics.get_xive(kVty).second, kMaskedPriority);
  xics.set_priority(1, 0xff);
  xics.set_level(kVty, true);
  EXPECT_FALSE(lines[1]);
  xics.interrupt_on(kVty);
  EXPECT_TRUE(lines[1]);
}

TEST_F(XicsTest, SourceNumbersOutsideTheRangeAreInvalid) {
  EXPECT_FALSE(xics.valid_source(0));
  EXPECT_FALSE(xics.valid_source(kIpiSource));
  EXPECT_TRUE(xics.valid_source(kFirstDeviceSource + 3));
  EXPECT_FALSE(xics.valid_source(kFirstDeviceSource + 4));
  EXPECT_FALSE(xics.valid_server(2));
}

}  // namespace
