#include <gtest/gtest.h>

#include "mosaic/options.hpp"

namespace {

using mosaic::ConfigError;
using mosaic::OptionNode;
using mosaic::parse_size;

OptionNode parse(const std::string& text) {
  auto source = std::make_shared<mosaic::ConfigSource>();
  source->file = "test.yaml";
  return OptionNode(source, YAML::Load(text), "");
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "no error";
}

TEST(ParseSize, AcceptsBinaryUnitsAndHex) {
  EXPECT_EQ(parse_size("4096"), 4096u);
  EXPECT_EQ(parse_size("512M"), 512ull << 20);
  EXPECT_EQ(parse_size("1G"), 1ull << 30);
  EXPECT_EQ(parse_size("2GiB"), 2ull << 30);
  EXPECT_EQ(parse_size("0x1000"), 0x1000u);
  EXPECT_FALSE(parse_size("1X"));
  EXPECT_FALSE(parse_size("G"));
  EXPECT_FALSE(parse_size(""));
  EXPECT_FALSE(parse_size("0x"));
  EXPECT_FALSE(parse_size("99999999999999999999"));
  EXPECT_FALSE(parse_size("17179869184T"));  // overflows 64 bits
}

TEST(OptionNode, UnknownKeySuggestsTheNearestAndNamesTheLine) {
  const auto root = parse("a: 1\nmemroy: 2G\n");
  const auto message = error_of([&] { root.expect_keys({"a", "memory"}); });
  EXPECT_EQ(message, "test.yaml:2:1: 'memroy': unknown key; did you mean 'memory'?");
}

TEST(OptionNode, MissingKeyPointsAtItsParent) {
  const auto root = parse("machine:\n  type: pseries\n");
  const auto message = error_of([&] { root.child("machine").child("memory").as_size(1, 1ull << 40); });
  EXPECT_EQ(message, "test.yaml:2:3: 'machine.memory': required key is missing");
}

TEST(OptionNode, RangeAndTypeErrorsNameTheKey) {
  const auto root = parse("cpus: 0\nmemory: [1]\nflag: maybe\n");
  EXPECT_EQ(error_of([&] { root.child("cpus").as_uint(1, 64); }), "test.yaml:1:7: 'cpus': 0 is out of range [1, 64]");
  EXPECT_NE(error_of([&] { root.child("memory").as_size(1, 10); }).find("'memory': expected a size"),
            std::string::npos);
  EXPECT_NE(error_of([&] { root.child("flag").as_bool(); }).find("'flag': expected true or false"),
            std::string::npos);
}

TEST(OptionNode, OverriddenKeysNameTheCommandLineArgument) {
  auto source = std::make_shared<mosaic::ConfigSource>();
  source->file = "test.yaml";
  source->overrides["machine.memory"] = "--set machine.memory=lots";
  const OptionNode root(source, YAML::Load("machine: {memory: lots}"), "");
  EXPECT_EQ(error_of([&] { root.child("machine").child("memory").as_size(1, 10); }),
            "--set machine.memory=lots: 'machine.memory': expected a size such as 512M or 1G, got 'lots'");
}

}  // namespace
