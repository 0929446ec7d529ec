// load_config() and describe(): every kind of config error names where it
// happened (file:line:column, or the --set argument) and the key path, and
// overrides land where they should. Configs are real files in a scratch
// directory, because relative paths resolve against the config's directory.
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config.hpp"
#include "mosaic/errors.hpp"

namespace {

namespace fs = std::filesystem;
using mosaic::ConfigError;
using mosaic::core::CommandLineOverrides;
using mosaic::core::describe;
using mosaic::core::load_config;
using mosaic::core::RunConfig;
using testing::HasSubstr;
using testing::StartsWith;

CommandLineOverrides with_set(std::vector<std::string> arguments) {
  CommandLineOverrides overrides;
  overrides.set = std::move(arguments);
  return overrides;
}
CommandLineOverrides with_accel(std::string accel) {
  CommandLineOverrides overrides;
  overrides.accel = std::move(accel);
  return overrides;
}
CommandLineOverrides with_log_level(std::string level) {
  CommandLineOverrides overrides;
  overrides.log_level = std::move(level);
  return overrides;
}

// Changes the current directory for one scope.
class ScopedCurrentDirectory {
 public:
  explicit ScopedCurrentDirectory(const fs::path& directory) : previous_(fs::current_path()) {
    fs::current_path(directory);
  }
  ~ScopedCurrentDirectory() { fs::current_path(previous_); }
  ScopedCurrentDirectory(const ScopedCurrentDirectory&) = delete;
  ScopedCurrentDirectory& operator=(const ScopedCurrentDirectory&) = delete;

 private:
  fs::path previous_;
};

// A scratch directory holding a dummy kernel, removed after each test.
class ConfigTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "mosaic-config-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    write("vmlinux", "not really a kernel; the core only checks that the file exists\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path;
  }

  // Writes `yaml` as config.yaml and loads it.
  RunConfig load(const std::string& yaml, const CommandLineOverrides& overrides = {}) const {
    return load_config(write("config.yaml", yaml), overrides);
  }

  // The ConfigError message loading `yaml` gives, or "no error".
  std::string error_of(const std::string& yaml, const CommandLineOverrides& overrides = {}) const {
    try {
      load(yaml, overrides);
    } catch (const ConfigError& error) {
      return error.what();
    }
    return "no error";
  }

  std::string config_file() const { return (dir_ / "config.yaml").string(); }
  // "FILE:LINE:COLUMN: 'KEY': " as every located message begins.
  std::string at(int line, int column, const std::string& key) const {
    return config_file() + ":" + std::to_string(line) + ":" + std::to_string(column) + ": '" + key + "': ";
  }

  fs::path dir_;
};

// A valid config; tests append to it or replace single lines.
const std::string kMinimal =
    "machine:\n"
    "  type: pseries\n"
    "  kernel: vmlinux\n"
    "accel: interp\n";

TEST_F(ConfigTest, MinimalConfigGetsTheDefaults) {
  const RunConfig config = load(kMinimal);
  EXPECT_EQ(config.machine.name, "pseries");
  EXPECT_EQ(config.spec.memory_bytes, 1ull << 30);
  EXPECT_EQ(config.spec.cpus, 1u);
  EXPECT_EQ(config.spec.kernel, (dir_ / "vmlinux").string());
  EXPECT_EQ(config.spec.cmdline, "");
  EXPECT_EQ(config.accelerators, std::vector<std::string>{"interp"});
  EXPECT_EQ(config.log_level, "info");
  EXPECT_TRUE(config.devices.empty());
  EXPECT_FALSE(config.debugger);
}

TEST_F(ConfigTest, BadYamlSyntaxNamesTheFileLineAndColumn) {
  const std::string message = error_of("machine:\n  type: [pseries\naccel: interp\n");
  EXPECT_THAT(message, testing::MatchesRegex(config_file() + ":[0-9]+:[0-9]+: invalid YAML: .+")) << message;
}

TEST_F(ConfigTest, ConfigThatIsNotAMappingIsRejected) {
  EXPECT_EQ(error_of("- just\n- a list\n"), config_file() + ":1:1: the config must be a mapping of keys to values");
}

TEST_F(ConfigTest, UnreadableConfigFileIsAConfigError) {
  try {
    load_config(dir_ / "absent.yaml", {});
    FAIL() << "no error";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()), (dir_ / "absent.yaml").string() + ": cannot open the config file");
  }
}

TEST_F(ConfigTest, UnknownTopLevelKeySuggestsTheNearest) {
  EXPECT_EQ(error_of(kMinimal + "devics: []\n"), at(5, 1, "devics") + "unknown key; did you mean 'devices'?");
}

TEST_F(ConfigTest, UnknownNestedKeyNamesTheFullKeyPath) {
  EXPECT_EQ(error_of(kMinimal + "log:\n  levle: debug\n"), at(6, 3, "log.levle") + "unknown key; did you mean 'level'?");
}

TEST_F(ConfigTest, UnknownKeyFarFromAnyListsTheChoices) {
  EXPECT_THAT(error_of(kMinimal + "zzzzzzzz: 1\n"),
              StartsWith(at(5, 1, "zzzzzzzz") + "unknown key; expected one of: machine, accel,"));
}

TEST_F(ConfigTest, MachineThatIsAListIsAWrongType) {
  EXPECT_EQ(error_of("machine:\n  - pseries\naccel: interp\n"),
            at(2, 3, "machine") + "expected a mapping with type, memory, kernel, ...");
}

TEST_F(ConfigTest, AcceleratorThatIsAMappingIsAWrongType) {
  EXPECT_EQ(error_of("machine: {type: pseries, kernel: vmlinux}\naccel: {kvm: 1}\n"),
            at(2, 8, "accel") + "expected a string");
}

TEST_F(ConfigTest, SizeWithAnUnknownUnitIsRejected) {
  EXPECT_EQ(error_of("machine:\n  type: pseries\n  memory: 12Q\n  kernel: vmlinux\naccel: interp\n"),
            at(3, 11, "machine.memory") + "expected a size such as 512M or 1G, got '12Q'");
}

TEST_F(ConfigTest, SizeTooSmallForAGuestIsOutOfRange) {
  EXPECT_THAT(error_of("machine:\n  type: pseries\n  memory: 1M\n  kernel: vmlinux\naccel: interp\n"),
              StartsWith(at(3, 11, "machine.memory") + "1M is out of range ["));
}

TEST_F(ConfigTest, TooManyCpusIsOutOfRange) {
  EXPECT_EQ(error_of("machine:\n  type: pseries\n  cpus: 65\n  kernel: vmlinux\naccel: interp\n"),
            at(3, 9, "machine.cpus") + "65 is out of range [1, 64]");
}

TEST_F(ConfigTest, MissingMachineTypePointsAtTheMachine) {
  EXPECT_EQ(error_of("machine:\n  kernel: vmlinux\naccel: interp\n"),
            at(2, 3, "machine.type") + "required key is missing");
}

TEST_F(ConfigTest, MissingKernelPointsAtTheMachine) {
  EXPECT_EQ(error_of("machine:\n  type: pseries\naccel: interp\n"),
            at(2, 3, "machine.kernel") + "required key is missing");
}

TEST_F(ConfigTest, MissingMachineSectionIsReported) {
  EXPECT_THAT(error_of("accel: interp\n"), HasSubstr("'machine': required key is missing"));
}

TEST_F(ConfigTest, KernelThatDoesNotExistIsReported) {
  EXPECT_EQ(error_of("machine:\n  type: pseries\n  kernel: nowhere/vmlinux\naccel: interp\n"),
            at(3, 11, "machine.kernel") + "'" + (dir_ / "nowhere/vmlinux").string() + "' is not a readable file");
}

TEST_F(ConfigTest, SetWithoutEqualsIsRejected) {
  EXPECT_EQ(error_of(kMinimal, with_set({"machine.memory"})), "--set machine.memory: expected key.path=value");
}

TEST_F(ConfigTest, SetWithAMalformedKeyPathIsRejected) {
  for (const std::string argument : {"machine..memory=1G", "machine.=1G", ".machine=1G", "devices[x].type=a",
                                     "devices[].type=a", "devices[0]type=a"}) {
    EXPECT_THAT(error_of(kMinimal, with_set({argument})),
                StartsWith("--set " + argument + ": '" + argument.substr(0, argument.find('=')) +
                           "' is not a key path"))
        << argument;
  }
}

TEST_F(ConfigTest, SetWithAnIndexPastTheEndIsRejected) {
  EXPECT_EQ(error_of(kMinimal + "devices:\n  - type: a\n", with_set({"devices[1].type=b"})),
            "--set devices[1].type=b: 'devices' has no element 1");
  EXPECT_EQ(error_of(kMinimal + "devices:\n  - type: a\n", with_set({"devices[3]=b"})),
            "--set devices[3]=b: no element 3 to replace");
}

TEST_F(ConfigTest, SetWithAnIndexTooLargeForANumberIsAConfigError) {
  // Not a crash from the number conversion.
  EXPECT_THAT(error_of(kMinimal + "devices:\n  - type: a\n", with_set({"devices[99999999999999999999999].type=b"})),
              StartsWith("--set devices[99999999999999999999999].type=b: "));
}

TEST_F(ConfigTest, SetIndexingSomethingThatIsNotAListIsRejected) {
  EXPECT_EQ(error_of(kMinimal, with_set({"machine[0].type=x"})), "--set machine[0].type=x: 'machine' has no element 0");
}

TEST_F(ConfigTest, UnknownKeyAddedBySetNamesTheSetArgument) {
  EXPECT_EQ(error_of(kMinimal, with_set({"acel=kvm"})), "--set acel=kvm: 'acel': unknown key; did you mean 'accel'?");
}

TEST_F(ConfigTest, BadValueFromSetNamesTheSetArgument) {
  EXPECT_EQ(error_of(kMinimal, with_set({"machine.memory=12Q"})),
            "--set machine.memory=12Q: 'machine.memory': expected a size such as 512M or 1G, got '12Q'");
}

TEST_F(ConfigTest, SetOverridesAValue) {
  const RunConfig config = load(kMinimal + "  # trailing comment\n", with_set({"machine.memory=512M", "machine.cpus=4"}));
  EXPECT_EQ(config.spec.memory_bytes, 512ull << 20);
  EXPECT_EQ(config.spec.cpus, 4u);
}

TEST_F(ConfigTest, SetOverridesAListElementAndLocatesItByTheArgument) {
  const RunConfig config = load(kMinimal + "devices:\n  - type: greeter\n    greeting: hello\n  - type: other\n",
                                with_set({"devices[0].greeting=bonjour"}));
  ASSERT_EQ(config.devices.size(), 2u);
  EXPECT_EQ(config.devices[0].name, "greeter");
  const auto greeting = config.devices[0].options.child("greeting");
  EXPECT_EQ(greeting.as_string(), "bonjour");
  EXPECT_EQ(greeting.location(), "--set devices[0].greeting=bonjour");
  // The untouched element still points into the file.
  EXPECT_EQ(config.devices[1].options.child("type").location(), config_file() + ":8:11");
}

TEST_F(ConfigTest, SetCanReplaceAWholeListElement) {
  const RunConfig config = load(kMinimal + "devices:\n  - type: greeter\n", with_set({"devices[0]={type: other}"}));
  ASSERT_EQ(config.devices.size(), 1u);
  EXPECT_EQ(config.devices[0].name, "other");
}

TEST_F(ConfigTest, SetCanAddAKeyTheFileLacks) {
  const RunConfig config = load(kMinimal, with_set({"machine.cmdline=console=hvc0 quiet"}));
  EXPECT_EQ(config.spec.cmdline, "console=hvc0 quiet");
}

TEST_F(ConfigTest, AccelOptionReplacesTheConfigsList) {
  const RunConfig single = load(kMinimal, with_accel("kvm"));
  EXPECT_EQ(single.accelerators, std::vector<std::string>{"kvm"});
  const RunConfig list = load(kMinimal, with_accel("[kvm, interp]"));
  EXPECT_EQ(list.accelerators, (std::vector<std::string>{"kvm", "interp"}));
}

TEST_F(ConfigTest, LogLevelOptionOverridesAndIsValidated) {
  EXPECT_EQ(load(kMinimal + "log:\n  level: warn\n", with_log_level("debug")).log_level, "debug");
  EXPECT_EQ(load(kMinimal, with_log_level("trace")).log_level, "trace");
  EXPECT_EQ(error_of(kMinimal, with_log_level("debg")),
            "--log-level debg: 'log.level': 'debg' is not valid; did you mean 'debug'?");
}

TEST_F(ConfigTest, BadLogLevelInTheFileIsLocated) {
  EXPECT_EQ(error_of(kMinimal + "log:\n  level: loud\n"),
            at(6, 10, "log.level") + "'loud' is not valid; expected one of: trace, debug, info, warn, error, off");
}

TEST_F(ConfigTest, RelativeKernelResolvesAgainstTheConfigsDirectory) {
  write("guests/vmlinux", "x");
  const RunConfig config = load_config(
      write("configs/nested.yaml", "machine:\n  type: pseries\n  kernel: ../guests/vmlinux\naccel: interp\n"), {});
  EXPECT_EQ(config.spec.kernel, (dir_ / "guests/vmlinux").string());
}

TEST_F(ConfigTest, PathsAreAbsoluteWhenTheConfigIsNamedRelatively) {
  // `mosaic check configs/hello.yaml` from the source tree: the resolved
  // kernel must not depend on the current directory staying the same.
  write("guests/vmlinux", "x");
  write("configs/nested.yaml", "machine:\n  type: pseries\n  kernel: ../guests/vmlinux\naccel: interp\n"
                               "plugin-path: ../guests\n");
  const RunConfig config = [&] {
    const ScopedCurrentDirectory in_scratch(dir_);
    return load_config("configs/nested.yaml", {});
  }();
  EXPECT_EQ(config.spec.kernel, (dir_ / "guests/vmlinux").string());
  ASSERT_EQ(config.plugin_paths.size(), 1u);
  EXPECT_EQ(config.plugin_paths[0], dir_ / "guests");
}

TEST_F(ConfigTest, AbsoluteKernelIsKept) {
  const std::string kernel = (dir_ / "vmlinux").string();
  EXPECT_EQ(load("machine:\n  type: pseries\n  kernel: " + kernel + "\naccel: interp\n").spec.kernel, kernel);
}

TEST_F(ConfigTest, AccelIsAStringOrAList) {
  EXPECT_EQ(load(kMinimal).accelerators, std::vector<std::string>{"interp"});
  EXPECT_EQ(load("machine: {type: pseries, kernel: vmlinux}\naccel: [kvm, interp]\n").accelerators,
            (std::vector<std::string>{"kvm", "interp"}));
  EXPECT_EQ(error_of("machine: {type: pseries, kernel: vmlinux}\naccel: []\n"),
            at(2, 8, "accel") + "expected at least one name");
}

TEST_F(ConfigTest, AccelOptionsForAListedAcceleratorAreKept) {
  const RunConfig config =
      load("machine: {type: pseries, kernel: vmlinux}\naccel: [kvm, interp]\naccel-options:\n  kvm: {device: /dev/x}\n");
  EXPECT_EQ(config.accelerator_options("kvm").child("device").as_string(), "/dev/x");
  EXPECT_FALSE(config.accelerator_options("interp").defined());
}

TEST_F(ConfigTest, AccelOptionsForAnAcceleratorNotListedAreAnError) {
  EXPECT_EQ(error_of(kMinimal + "accel-options:\n  kvm: {device: /dev/kvm}\n"),
            at(6, 8, "accel-options.kvm") + "options for an accelerator that 'accel' does not list (interp)");
}

TEST_F(ConfigTest, AccelOverrideMakesAccelOptionsValid) {
  // --accel kvm replaces 'accel: interp', so options for kvm are now fine.
  const RunConfig config = load(kMinimal + "accel-options:\n  kvm: {device: /dev/kvm}\n", with_accel("kvm"));
  EXPECT_EQ(config.accelerators, std::vector<std::string>{"kvm"});
}

TEST_F(ConfigTest, PluginPathThatIsNotADirectoryIsAnError) {
  EXPECT_EQ(error_of(kMinimal + "plugin-path: vmlinux\n"),
            at(5, 14, "plugin-path") + "'" + (dir_ / "vmlinux").string() + "' is not a directory");
  EXPECT_EQ(error_of(kMinimal + "plugin-path: [., missing]\n"),
            at(5, 18, "plugin-path[1]") + "'" + (dir_ / "missing").string() + "' is not a directory");
}

TEST_F(ConfigTest, PluginPathIsAStringOrAListResolvedAgainstTheConfig) {
  fs::create_directories(dir_ / "plugins");
  EXPECT_EQ(load(kMinimal + "plugin-path: plugins\n").plugin_paths, std::vector<fs::path>{dir_ / "plugins"});
  EXPECT_EQ(load(kMinimal + "plugin-path: [plugins, /]\n").plugin_paths,
            (std::vector<fs::path>{dir_ / "plugins", "/"}));
}

TEST_F(ConfigTest, DeviceWithoutATypeIsReported) {
  EXPECT_EQ(error_of(kMinimal + "devices:\n  - greeting: hi\n"), at(6, 5, "devices[0].type") + "required key is missing");
  EXPECT_EQ(error_of(kMinimal + "devices:\n  - just-a-name\n"),
            at(6, 5, "devices[0]") + "expected a mapping with a 'type' key and the plugin's options");
}

// YAML 1.2 section 3.2.1.1: the keys of a mapping are unique. yaml-cpp
// keeps both pairs and finds the first, so the second would vanish unseen.
TEST_F(ConfigTest, DuplicateKeyNamesBothLines) {
  EXPECT_EQ(error_of(kMinimal + "log:\n  level: info\n  level: debug\n"),
            config_file() + ":7:3: duplicate key 'level' (first at line 6); a key may appear once in a mapping");
}

TEST_F(ConfigTest, DuplicateKeyInAFlowMappingIsRejected) {
  const std::string yaml =
      "machine: {type: pseries, kernel: vmlinux, memory: 256M, memory: 512M}\n"
      "accel: interp\n";
  EXPECT_EQ(error_of(yaml),
            config_file() + ":1:57: duplicate key 'memory' (first at line 1); a key may appear once in a mapping");
}

TEST_F(ConfigTest, DuplicateTopLevelKeyAndOneInAListAreRejected) {
  EXPECT_THAT(error_of(kMinimal + "accel: kvm\n"), StartsWith(config_file() + ":5:1: duplicate key 'accel' (first at line 4)"));
  EXPECT_THAT(error_of(kMinimal + "devices:\n  - {type: a, type: b}\n"),
              StartsWith(config_file() + ":6:15: duplicate key 'type' (first at line 6)"));
}

TEST_F(ConfigTest, DuplicateKeyInASetValueNamesTheArgument) {
  EXPECT_EQ(error_of(kMinimal, with_set({"log={level: info, level: off}"})),
            "--set log={level: info, level: off}: duplicate key 'level' (first at column 2); a key may appear once "
            "in a mapping");
}

// YAML lets any node be a key; found by config_fuzzer, an empty or list key
// once escaped as a yaml-cpp conversion exception and ended the process.
TEST_F(ConfigTest, AKeyThatIsNotAWordIsAConfigError) {
  EXPECT_THAT(error_of("?\n:\n" + kMinimal), HasSubstr("a key must be a word, not a list, a mapping or empty"));
  EXPECT_THAT(error_of(kMinimal + "log:\n  ? [a, b]\n  : x\n"),
              StartsWith(config_file() + ":6:5: 'log': a key must be a word"));
}

// Found by fuzzing: a path the file system cannot even examine (a name
// longer than NAME_MAX) escaped as a filesystem_error.
TEST_F(ConfigTest, APathTooLongToExamineIsAConfigError) {
  const std::string long_name(5000, 'k');
  EXPECT_THAT(error_of("machine:\n  type: pseries\n  kernel: " + long_name + "\naccel: interp\n"),
              HasSubstr("'machine.kernel': '"));
  EXPECT_THAT(error_of(kMinimal + "plugin-path: " + long_name + "\n"), HasSubstr("is not a directory"));
}

// Aliases can make a few lines name billions of values; they are refused
// rather than walked.
TEST_F(ConfigTest, AliasesExpandingTooFarAreRejected) {
  std::string yaml = kMinimal + "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 8; ++i) {
    yaml += fmt::format("a{0}: &a{0} [*a{1}, *a{1}, *a{1}, *a{1}, *a{1}, *a{1}, *a{1}, *a{1}, *a{1}, *a{1}]\n", i,
                        i - 1);
  }
  EXPECT_THAT(error_of(yaml), HasSubstr("more than 100000 values"));
}

TEST_F(ConfigTest, DescribeRoundTripsTheResolvedValues) {
  fs::create_directories(dir_ / "plugins");
  const RunConfig original = load(
      "machine:\n  type: pseries\n  memory: 512M\n  cpus: 2\n  kernel: vmlinux\n  cmdline: \"console=hvc0 a=\\\"b\\\"\"\n"
      "  hpt-order: 20\n"
      "accel: [kvm, interp]\naccel-options:\n  kvm: {device: /dev/kvm}\n"
      "devices:\n  - type: greeter\n    greeting: 'hello: world'\n"
      "debug: {type: gdb, port: 1234}\n"
      "plugin-path: plugins\n"
      "log: {level: debug}\n");
  const std::string description = describe(original);
  // Loaded from another directory, the description must mean the same thing:
  // every path in it is already absolute.
  const RunConfig again = load_config(write("elsewhere/described.yaml", description), {});
  EXPECT_EQ(again.machine.name, "pseries");
  EXPECT_EQ(again.spec.memory_bytes, original.spec.memory_bytes);
  EXPECT_EQ(again.spec.cpus, 2u);
  EXPECT_EQ(again.spec.kernel, original.spec.kernel);
  EXPECT_EQ(again.spec.cmdline, "console=hvc0 a=\"b\"");
  EXPECT_EQ(again.machine.options.child("hpt-order").as_uint(0, 64), 20u);
  EXPECT_EQ(again.accelerators, original.accelerators);
  EXPECT_EQ(again.accelerator_options("kvm").child("device").as_string(), "/dev/kvm");
  ASSERT_EQ(again.devices.size(), 1u);
  EXPECT_EQ(again.devices[0].name, "greeter");
  EXPECT_EQ(again.devices[0].options.child("greeting").as_string(), "hello: world");
  ASSERT_TRUE(again.debugger);
  EXPECT_EQ(again.debugger->name, "gdb");
  EXPECT_EQ(again.debugger->options.child("port").as_uint(1, 65535), 1234u);
  EXPECT_EQ(again.plugin_paths, original.plugin_paths);
  EXPECT_EQ(again.log_level, "debug");
  EXPECT_EQ(describe(again), description);
}

}  // namespace
