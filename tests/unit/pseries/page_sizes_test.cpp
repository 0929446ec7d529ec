// What the guest is told it may map, and whether another accelerator can
// serve it. The encodings are POWER8's, as ibm,segment-page-sizes gives them
// (Power ISA 2.07 Book III-S 5.7.8.1; QEMU's POWER8 model lists the same).
#include "page_sizes.hpp"

#include <gtest/gtest.h>

namespace {

using mosaic::pseries::limit_page_sizes;
using mosaic::pseries::missing_page_size;
using Sizes = std::vector<mosaic::ppc::SegmentPageSizes>;

const Sizes kPower8 = {
    {12, 0x000, {{12, 0x0}, {16, 0x7}, {24, 0x38}}},
    {16, 0x110, {{16, 0x1}, {24, 0x8}}},
    {24, 0x100, {{24, 0x0}}},
};
// A KVM-HV host whose RAM is backed by 64 KiB pages: KVM offers mixed
// sizes only with 16 MiB pages (kvm_vm_ioctl_get_smmu_info_hv), which the
// accelerator leaves out there.
const Sizes kKvmOn64K = {
    {12, 0x000, {{12, 0x0}}},
    {16, 0x110, {{16, 0x1}}},
};

TEST(PageSizesTest, LimitLeavesOutLargerSegmentsAndPages) {
  const Sizes limited = limit_page_sizes(kPower8, 16, true);
  ASSERT_EQ(limited.size(), 2u);
  EXPECT_EQ(limited[0].base_shift, 12u);
  ASSERT_EQ(limited[0].page_sizes.size(), 2u);
  EXPECT_EQ(limited[0].page_sizes[1].shift, 16u);
  EXPECT_EQ(limited[0].page_sizes[1].pte_encoding, 0x7u);
  EXPECT_EQ(limited[1].base_shift, 16u);
  EXPECT_EQ(limited[1].slb_encoding, 0x110u);
  ASSERT_EQ(limited[1].page_sizes.size(), 1u);
  EXPECT_EQ(limit_page_sizes(kPower8, 64, true).size(), 3u);
  EXPECT_EQ(limit_page_sizes(kPower8, 12, true).size(), 1u);
  EXPECT_EQ(limit_page_sizes(kPower8, 12, true)[0].page_sizes.size(), 1u);
}

TEST(PageSizesTest, WithoutMixedSizesEachPageHasItsOwnSegment) {
  const Sizes uniform = limit_page_sizes(kPower8, 64, false);
  ASSERT_EQ(uniform.size(), 3u);
  for (const auto& segment : uniform) {
    ASSERT_EQ(segment.page_sizes.size(), 1u);
    EXPECT_EQ(segment.page_sizes[0].shift, segment.base_shift);
  }
}

TEST(PageSizesTest, AGuestLimitedTo64KWithoutMixedSizesCanMoveToKvm) {
  EXPECT_EQ(missing_page_size(limit_page_sizes(kPower8, 16, false), kKvmOn64K), "");
  EXPECT_EQ(missing_page_size(limit_page_sizes(kPower8, 16, true), kKvmOn64K),
            "64 KiB pages in segments of 4 KiB base pages");
  EXPECT_EQ(missing_page_size(kKvmOn64K, kPower8), "");
}

TEST(PageSizesTest, NamesWhatTheNewAcceleratorLacks) {
  EXPECT_EQ(missing_page_size(limit_page_sizes(kPower8, 64, false), kKvmOn64K), "segments of 16384 KiB base pages");
  Sizes other_encoding = kKvmOn64K;
  other_encoding[1].slb_encoding = 0x100;
  EXPECT_EQ(missing_page_size(kKvmOn64K, other_encoding), "segments of 64 KiB base pages");
}

}  // namespace
