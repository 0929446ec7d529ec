// pci::MsixTable against PCI Local Bus 3.0 section 6.8.2: the table's
// layout and power-on masks, the read-only PBA, access sizes, and what
// masking does to a vector the function signals.
#include <gtest/gtest.h>

#include "mosaic/pci_msix.hpp"

namespace mosaic::pci {
namespace {

TEST(MsixTableTest, EveryVectorStartsMaskedWithAnEmptyMessage) {
  MsixTable table(3);
  for (unsigned vector = 0; vector < 3; ++vector) {
    EXPECT_EQ(table.read(16 * vector, 8), 0u);
    EXPECT_EQ(table.read(16 * vector + 8, 4), 0u);
    EXPECT_EQ(table.read(16 * vector + 12, 4), msix::kVectorControlMask);
  }
  EXPECT_FALSE(table.enabled());
}

TEST(MsixTableTest, EntriesTakeDwordAndQwordAccessesAndKeepOnlyDefinedBits) {
  MsixTable table(2);
  table.write(16, 8, 0x0000'0012'3456'789bull);  // the address's two low bits are reserved zeros
  EXPECT_EQ(table.read(16, 8), 0x0000'0012'3456'7898ull);
  EXPECT_EQ(table.read(20, 4), 0x12u);
  table.write(24, 4, 0xcafe);
  table.write(28, 4, 0xfffffffe);  // vector control: only Mask is defined
  EXPECT_EQ(table.read(24, 8), 0xcafeu);  // data, then an unmasked control word
  table.write(16, 2, 0xffff);  // a 2-byte access is undefined: nothing is written
  table.write(18, 4, 0xffff);  // so is a misaligned one
  EXPECT_EQ(table.read(16, 4), 0x3456'7898u);
  EXPECT_EQ(table.read(16, 2), 0u);
  EXPECT_EQ(table.read(32, 4), 0u);  // past the last entry
}

TEST(MsixTableTest, AMaskedVectorIsPendingUntilUnmaskedAndThePbaIsReadOnly) {
  MsixTable table(2);
  table.program(1, {0xfee00000, 0x42});
  EXPECT_EQ(table.signal(1), std::nullopt);  // disabled: the caller uses INTx, nothing pends
  EXPECT_EQ(table.read(MsixTable::kPbaOffset, 8), 0u);
  EXPECT_TRUE(table.set_control(true, false).empty());
  EXPECT_EQ(table.signal(1), std::nullopt);  // enabled but masked
  EXPECT_EQ(table.read(MsixTable::kPbaOffset, 8), 0b10u);
  table.write(MsixTable::kPbaOffset, 8, 0);  // read-only
  EXPECT_EQ(table.read(MsixTable::kPbaOffset, 8), 0b10u);
  const auto released = table.write(16 + 12, 4, 0);
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0], (MsiMessage{0xfee00000, 0x42}));
  EXPECT_EQ(table.read(MsixTable::kPbaOffset, 4), 0u);
  EXPECT_EQ(table.signal(1), (MsiMessage{0xfee00000, 0x42}));
  EXPECT_EQ(table.signal(2), std::nullopt);  // no such vector
}

TEST(MsixTableTest, TheFunctionMaskHoldsEveryVectorAndReleasesThemTogether) {
  MsixTable table(4);
  for (unsigned vector = 0; vector < 4; ++vector) {
    table.program(vector, {0x1000, vector});
    table.write(16 * vector + 12, 4, 0);
  }
  table.set_control(true, true);
  EXPECT_EQ(table.signal(0), std::nullopt);
  EXPECT_EQ(table.signal(3), std::nullopt);
  EXPECT_EQ(table.read(MsixTable::kPbaOffset, 4), 0b1001u);
  const auto released = table.set_control(true, false);
  ASSERT_EQ(released.size(), 2u);
  EXPECT_EQ(released[0].data, 0u);
  EXPECT_EQ(released[1].data, 3u);
}

TEST(MsixTableTest, ResetDisablesMasksAndForgetsPendingVectors) {
  MsixTable table(1);
  table.set_control(true, false);
  table.program(0, {0x1000, 7});
  EXPECT_EQ(table.signal(0), std::nullopt);
  table.reset();
  EXPECT_FALSE(table.enabled());
  EXPECT_EQ(table.read(0, 8), 0u);
  EXPECT_EQ(table.read(MsixTable::kPbaOffset, 8), 0u);
  EXPECT_TRUE(table.set_control(true, false).empty());
}

TEST(MsixTableTest, TheTableHoldsOneToOneHundredTwentyEightVectors) {
  EXPECT_THROW(MsixTable(0), std::invalid_argument);
  EXPECT_THROW(MsixTable(MsixTable::kMaxVectors + 1), std::invalid_argument);
  MsixTable full(MsixTable::kMaxVectors);
  full.set_control(true, false);
  EXPECT_EQ(full.signal(127), std::nullopt);
  EXPECT_EQ(full.read(MsixTable::kPbaOffset + 8, 8), 1ull << 63);
}

}  // namespace
}  // namespace mosaic::pci
