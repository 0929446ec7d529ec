// The plugin loader against real libraries that are broken in one way each
// (built in broken_plugins/): every failure is a PluginLoadError naming the
// file and the reason, scan() sorts good from bad, and the search order is
// the config's plugin-path, then MOSAIC_PLUGIN_PATH, then the build tree.
// Factories are not called here (call_factory lives in vm.cpp); the system
// test drives the throwing ones through the mosaic binary.
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plugin_loader.hpp"

namespace {

namespace fs = std::filesystem;
using mosaic::PluginKind;
using mosaic::core::open_plugin;
using mosaic::core::PluginCatalog;
using mosaic::core::PluginInfo;
using mosaic::core::PluginLoader;
using mosaic::core::PluginLoadError;
using mosaic::core::RejectedFile;
using testing::HasSubstr;

const fs::path kTestPlugins = MOSAIC_BROKEN_PLUGIN_DIR;

fs::path test_plugin(const std::string& name) { return kTestPlugins / ("mosaic-" + name + ".so"); }

// The PluginLoadError message of `action`, or "no error".
std::string load_error(const std::function<void()>& action) {
  try {
    action();
  } catch (const PluginLoadError& error) {
    return error.what();
  }
  return "no error";
}

// A scratch directory, and MOSAIC_PLUGIN_PATH cleared so that the
// environment ctest runs in cannot change the search path.
class PluginLoaderTest : public testing::Test {
 protected:
  void SetUp() override {
    if (const char* value = std::getenv("MOSAIC_PLUGIN_PATH")) saved_env_ = value;
    unsetenv("MOSAIC_PLUGIN_PATH");
    std::string pattern = (fs::temp_directory_path() / "mosaic-loader-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    fs::remove_all(dir_);
    if (saved_env_) setenv("MOSAIC_PLUGIN_PATH", saved_env_->c_str(), 1);
    else unsetenv("MOSAIC_PLUGIN_PATH");
  }

  // A directory under the scratch one holding copies of `plugins` (test
  // plugin names), each under the file name it has in kTestPlugins or as
  // given after a '=' ("plain-device=misnamed").
  fs::path directory_with(const std::string& name, const std::vector<std::string>& plugins) const {
    const fs::path directory = dir_ / name;
    fs::create_directories(directory);
    for (const std::string& spec : plugins) {
      const auto equals = spec.find('=');
      const std::string source = spec.substr(0, equals);
      const std::string target = equals == std::string::npos ? source : spec.substr(equals + 1);
      fs::copy_file(test_plugin(source), directory / ("mosaic-" + target + ".so"));
    }
    return directory;
  }

  // A text file with a plugin's name: not ELF at all.
  fs::path garbage_file() const {
    const fs::path path = dir_ / "mosaic-garbage.so";
    std::ofstream(path) << "This is a text file that happens to be named like a plugin.\n"
                           "dlopen must refuse it and the loader must say why.\n";
    return path;
  }

  fs::path dir_;
  std::optional<std::string> saved_env_;
};

TEST_F(PluginLoaderTest, GoodPluginIsLoadedWithItsDescriptor) {
  const auto plugin = PluginLoader({kTestPlugins}).load("plain-device", PluginKind::device);
  EXPECT_EQ(plugin.info.name, "plain-device");
  EXPECT_EQ(plugin.info.kind, PluginKind::device);
  EXPECT_EQ(plugin.info.version, "1.2.3");
  EXPECT_EQ(plugin.info.abi_version, mosaic::kSdkAbiVersion);
  EXPECT_EQ(plugin.info.description, "test plugin: a device that does nothing");
  EXPECT_EQ(plugin.info.path, test_plugin("plain-device"));
  EXPECT_TRUE(plugin.library->is_loaded());
}

TEST_F(PluginLoaderTest, PluginCanBeNamedByPath) {
  const auto plugin = PluginLoader({}).load(test_plugin("plain-device").string(), PluginKind::device);
  EXPECT_EQ(plugin.info.name, "plain-device");
}

TEST_F(PluginLoaderTest, LibraryWithoutADescriptorIsNotAPlugin) {
  const fs::path path = test_plugin("no-descriptor");
  const std::string message = load_error([&] { open_plugin(path); });
  EXPECT_THAT(message, HasSubstr(path.string())) << message;
  EXPECT_THAT(message, HasSubstr("not a Mosaic plugin (it exports no 'mosaic_plugin_descriptor')"));
}

TEST_F(PluginLoaderTest, DescriptorForAnotherAbiNamesBothVersions) {
  const fs::path path = test_plugin("future-abi");
  const std::string message = load_error([&] { open_plugin(path); });
  EXPECT_THAT(message, HasSubstr(path.string())) << message;
  EXPECT_THAT(message, HasSubstr(fmt::format("built for SDK ABI version {}, but this mosaic uses version {}",
                                             mosaic::kSdkAbiVersion + 1, mosaic::kSdkAbiVersion)));
}

TEST_F(PluginLoaderTest, DevicePluginUsedAsAnAcceleratorIsTheWrongKind) {
  const std::string message =
      load_error([&] { PluginLoader({kTestPlugins}).load("plain-device", PluginKind::accelerator); });
  EXPECT_THAT(message, HasSubstr(test_plugin("plain-device").string())) << message;
  EXPECT_THAT(message, HasSubstr("plugin 'plain-device' is a device plugin, but it is used as the accelerator"));
}

TEST_F(PluginLoaderTest, TextFileNamedLikeAPluginGivesTheDynamicLoadersReason) {
  const fs::path path = garbage_file();
  const std::string message = load_error([&] { open_plugin(path); });
  EXPECT_THAT(message, HasSubstr(path.string())) << message;
  EXPECT_THAT(message, HasSubstr("cannot be loaded as a shared library"));
  // dlerror()'s words, not a generic error code.
  EXPECT_THAT(message, HasSubstr("invalid ELF header"));
}

TEST_F(PluginLoaderTest, MissingFileIsReported) {
  const fs::path path = dir_ / "mosaic-absent.so";
  EXPECT_EQ(load_error([&] { open_plugin(path); }), fmt::format("\"{}\": no such file", path.string()));
  EXPECT_THAT(load_error([&] { PluginLoader({}).load(path.string(), PluginKind::device); }),
              HasSubstr("no such file"));
}

TEST_F(PluginLoaderTest, UnknownNameListsEveryPlaceLookedIn) {
  const fs::path first = directory_with("first", {});
  const std::string message = load_error([&] { PluginLoader({first, kTestPlugins}).load("absent", PluginKind::device); });
  EXPECT_THAT(message, HasSubstr("no device plugin named 'absent'; looked for:"));
  EXPECT_THAT(message, HasSubstr((first / "mosaic-absent.so").string()));
  EXPECT_THAT(message, HasSubstr((kTestPlugins / "mosaic-absent.so").string()));
}

TEST_F(PluginLoaderTest, FileNamedForAnotherPluginIsRejected) {
  const fs::path directory = directory_with("misnamed", {"plain-device=impostor"});
  const std::string message = load_error([&] { PluginLoader({directory}).load("impostor", PluginKind::device); });
  EXPECT_THAT(message, HasSubstr("the file is named for 'impostor' but the plugin calls itself 'plain-device'"));
}

// The catalog's entry for `file_name`, if scan() rejected it.
std::optional<RejectedFile> rejection(const PluginCatalog& catalog, const fs::path& path) {
  for (const RejectedFile& rejected : catalog.rejected) {
    if (rejected.path == path) return rejected;
  }
  return std::nullopt;
}

std::vector<std::string> names(const PluginCatalog& catalog) {
  std::vector<std::string> result;
  for (const PluginInfo& plugin : catalog.plugins) result.push_back(plugin.name);
  return result;
}

TEST_F(PluginLoaderTest, ScanListsGoodPluginsAndRejectsEachBadFileWithItsReason) {
  const fs::path garbage = garbage_file();
  const PluginCatalog catalog = PluginLoader({kTestPlugins, dir_}).scan();
  // The throwing factories have good descriptors; only running them fails.
  EXPECT_THAT(names(catalog), testing::UnorderedElementsAre("plain-device", "throwing-factory", "refusing-factory"));

  const auto expect_rejected = [&](const fs::path& path, const std::string& reason) {
    const auto rejected = rejection(catalog, path);
    ASSERT_TRUE(rejected) << path << " was not rejected";
    EXPECT_THAT(rejected->reason, HasSubstr(path.string()));
    EXPECT_THAT(rejected->reason, HasSubstr(reason));
  };
  expect_rejected(test_plugin("no-descriptor"), "not a Mosaic plugin");
  expect_rejected(test_plugin("future-abi"), fmt::format("built for SDK ABI version {}", mosaic::kSdkAbiVersion + 1));
  expect_rejected(garbage, "invalid ELF header");
  EXPECT_EQ(catalog.rejected.size(), 3u);
}

TEST_F(PluginLoaderTest, ScanRejectsAFileThatLoadWouldNeverFindByName) {
  // scan() lists what `load(name)` can load: a mosaic-impostor.so calling
  // itself plain-device can be loaded by neither name.
  const fs::path directory = directory_with("misnamed", {"plain-device=impostor"});
  const PluginCatalog catalog = PluginLoader({directory}).scan();
  EXPECT_THAT(names(catalog), testing::IsEmpty());
  const auto rejected = rejection(catalog, directory / "mosaic-impostor.so");
  ASSERT_TRUE(rejected);
  EXPECT_THAT(rejected->reason, HasSubstr("named for 'impostor' but the plugin calls itself 'plain-device'"));
}

TEST_F(PluginLoaderTest, ScanSkipsDirectoriesThatDoNotExist) {
  const PluginCatalog catalog = PluginLoader({dir_ / "absent", kTestPlugins}).scan();
  EXPECT_THAT(names(catalog), testing::Contains("plain-device"));
}

TEST_F(PluginLoaderTest, SearchPathIsConfigThenEnvironmentThenInstallPrefix) {
  setenv("MOSAIC_PLUGIN_PATH", "/env/one::/env/two", 1);  // an empty entry is ignored
  const PluginLoader loader({"/config/one", "/config/two"});
  const auto& path = loader.search_path();
  ASSERT_GE(path.size(), 5u);
  EXPECT_EQ(path[0], "/config/one");
  EXPECT_EQ(path[1], "/config/two");
  EXPECT_EQ(path[2], "/env/one");
  EXPECT_EQ(path[3], "/env/two");
  // This test binary is not build/mosaic, so the build tree is not searched;
  // the system test checks that the build tree comes after the environment.
  EXPECT_THAT(path.back().string(), testing::EndsWith("mosaic/plugins"));
}

TEST_F(PluginLoaderTest, ConfigPathWinsOverTheEnvironmentForTheSameName) {
  const fs::path from_config = directory_with("config", {"plain-device"});
  const fs::path from_env = directory_with("env", {"plain-device"});
  setenv("MOSAIC_PLUGIN_PATH", from_env.c_str(), 1);

  const PluginLoader loader({from_config});
  EXPECT_EQ(loader.load("plain-device", PluginKind::device).info.path, from_config / "mosaic-plain-device.so");

  const PluginCatalog catalog = loader.scan();
  ASSERT_EQ(catalog.plugins.size(), 1u);
  EXPECT_EQ(catalog.plugins[0].path, from_config / "mosaic-plain-device.so");
  const auto shadowed = rejection(catalog, from_env / "mosaic-plain-device.so");
  ASSERT_TRUE(shadowed);
  EXPECT_THAT(shadowed->reason, HasSubstr((from_env / "mosaic-plain-device.so").string()));
  EXPECT_THAT(shadowed->reason, HasSubstr("shadowed by an earlier plugin named 'plain-device'"));
}

TEST_F(PluginLoaderTest, EnvironmentIsSearchedWhenTheConfigHasNoCopy) {
  const fs::path from_env = directory_with("env", {"plain-device"});
  setenv("MOSAIC_PLUGIN_PATH", from_env.c_str(), 1);
  EXPECT_EQ(PluginLoader({dir_}).load("plain-device", PluginKind::device).info.path,
            from_env / "mosaic-plain-device.so");
}

}  // namespace
