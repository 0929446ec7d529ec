// FdtBuilder: names a device plugin or a config supplies are checked
// against the Devicetree Specification's character sets (v0.4, 2.2.1 and
// 2.2.4) before libfdt, which takes C strings, sees them.
#include <gtest/gtest.h>
#include <libfdt.h>

#include "fdt_builder.hpp"
#include "mosaic/errors.hpp"

namespace {

using mosaic::DeviceTreeProperty;
using mosaic::SetupError;
using mosaic::pseries::FdtBuilder;

std::string error_of(const mosaic::DeviceTreeNode& node) {
  FdtBuilder builder;
  try {
    builder.add(node);
  } catch (const SetupError& error) {
    return error.what();
  }
  return "no error";
}

TEST(FdtBuilder, BuildsNestedNodesWithTheirProperties) {
  FdtBuilder builder;
  builder.add({"/vdevice/vty@71000000", {DeviceTreeProperty::string("compatible", "hvterm1"),
                                         DeviceTreeProperty::cells("ibm,my-drc-index#", {7})}});
  const auto blob = builder.finish();
  ASSERT_EQ(fdt_check_full(blob.data(), blob.size()), 0);
  const int node = fdt_path_offset(blob.data(), "/vdevice/vty@71000000");
  ASSERT_GE(node, 0);
  int length = 0;
  EXPECT_STREQ(static_cast<const char*>(fdt_getprop(blob.data(), node, "compatible", &length)), "hvterm1");
  EXPECT_NE(fdt_getprop(blob.data(), node, "ibm,my-drc-index#", &length), nullptr);
}

// Found by fuzzing: "/pci@0\0x/eth@0" was built as /pci@0/eth@0.
TEST(FdtBuilder, NodeNameWithANulIsRefused) {
  EXPECT_EQ(error_of({std::string("/pci@0\0x/eth@0", 14), {}}),
            "device tree: '/pci@0\\x00x/eth@0': a node name holds letters, digits and ',._+-@' only");
}

TEST(FdtBuilder, NodeNameOutsideTheSpecificationsCharactersIsRefused) {
  EXPECT_NE(error_of({"/vdevice/my device", {}}).find("a node name holds"), std::string::npos);
  EXPECT_NE(error_of({"/chosen#", {}}).find("a node name holds"), std::string::npos);
  EXPECT_EQ(error_of({"/a//b", {}}), "device tree: '/a//b' has an empty node name");
}

TEST(FdtBuilder, PropertyNameWithANulOrOtherCharactersIsRefused) {
  EXPECT_EQ(error_of({"/chosen", {DeviceTreeProperty::string(std::string("boot\0args", 9), "x")}}),
            "device tree: 'boot\\x00args' of '/chosen': a property name holds letters, digits and ',._+?#-' only");
  EXPECT_NE(error_of({"/chosen", {DeviceTreeProperty::string("", "x")}}).find("a property name holds"),
            std::string::npos);
  EXPECT_NE(error_of({"/chosen", {DeviceTreeProperty::string("a@b", "x")}}).find("a property name holds"),
            std::string::npos);
}

}  // namespace
