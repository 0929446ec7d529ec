// The pseries keys of the machine section: errors name the key's place.
#include <gtest/gtest.h>

#include "pseries_machine.hpp"

namespace {

using mosaic::ConfigError;
using mosaic::OptionNode;
using mosaic::pseries::parse_pseries_options;

OptionNode machine_section(const std::string& yaml) {
  auto source = std::make_shared<mosaic::ConfigSource>();
  source->file = "test.yaml";
  return OptionNode(source, YAML::Load(yaml), "machine");
}

std::string error_of(const std::string& yaml) {
  try {
    parse_pseries_options(machine_section(yaml));
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "no error";
}

// powerpc's COMMAND_LINE_SIZE is 2048 bytes with the NUL
// (arch/powerpc/include/uapi/asm/setup.h): 2047 characters fit, 2048 do not.
TEST(PseriesOptions, CommandLineLongerThanTheKernelTakesIsRefusedNamingTheLimit) {
  const std::string fits = "type: pseries\ncmdline: " + std::string(2047, 'x') + "\n";
  EXPECT_EQ(error_of(fits), "no error");
  const std::string too_long = "type: pseries\ncmdline: " + std::string(2048, 'x') + "\n";
  EXPECT_EQ(error_of(too_long),
            "test.yaml:2:10: 'machine.cmdline': 2048 bytes: a powerpc Linux kernel takes at most 2047 bytes of "
            "command line");
  const std::string huge = "type: pseries\ncmdline: " + std::string(100 * 1024, 'x') + "\n";
  EXPECT_NE(error_of(huge).find("102400 bytes"), std::string::npos);
}

TEST(PseriesOptions, ReadsTheMachinesOwnKeys) {
  const auto options = parse_pseries_options(machine_section("type: pseries\nhpt-order: 20\non-reboot: exit\n"));
  EXPECT_EQ(options.hpt_order, 20u);
  EXPECT_EQ(options.on_reboot, mosaic::pseries::OnReboot::exit);
  EXPECT_NE(error_of("type: pseries\nhpt-order: 17\n").find("'machine.hpt-order'"), std::string::npos);
  EXPECT_NE(error_of("type: pseries\nturbo: yes\n").find("'machine.turbo'"), std::string::npos);
}

TEST(PseriesOptions, HptMaxPageSizeIsAPowerOfTwoPageSize) {
  EXPECT_EQ(parse_pseries_options(machine_section("type: pseries\n")).hpt_max_page_shift, 64u);
  EXPECT_EQ(parse_pseries_options(machine_section("type: pseries\nhpt-max-page-size: 64K\n")).hpt_max_page_shift, 16u);
  EXPECT_EQ(parse_pseries_options(machine_section("type: pseries\nhpt-max-page-size: 16M\n")).hpt_max_page_shift, 24u);
  EXPECT_TRUE(parse_pseries_options(machine_section("type: pseries\n")).hpt_mixed_page_sizes);
  EXPECT_FALSE(parse_pseries_options(machine_section("type: pseries\nhpt-mixed-page-sizes: false\n")).hpt_mixed_page_sizes);
  EXPECT_NE(error_of("type: pseries\nhpt-mixed-page-sizes: 3\n").find("'machine.hpt-mixed-page-sizes'"),
            std::string::npos);
  EXPECT_NE(error_of("type: pseries\nhpt-max-page-size: 48K\n").find("not a power of two"), std::string::npos);
  EXPECT_NE(error_of("type: pseries\nhpt-max-page-size: 1K\n").find("'machine.hpt-max-page-size'"),
            std::string::npos);
}

}  // namespace
