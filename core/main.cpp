// The mosaic command line: run, check and plugins.
#include <filesystem>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/std.h>

#include "config.hpp"
#include "control_client.hpp"
#include "mosaic/errors.hpp"
#include "plugin_loader.hpp"
#include "snapshot_file.hpp"
#include "vm.hpp"

namespace {

using namespace mosaic;

void print_plugins(const core::PluginLoader& loader) {
  const core::PluginCatalog catalog = loader.scan();
  fmt::print("search path:\n");
  for (const auto& directory : loader.search_path()) fmt::print("  {}\n", directory);
  fmt::print("plugins:\n");
  if (catalog.plugins.empty()) fmt::print("  (none)\n");
  for (const auto& plugin : catalog.plugins) {
    fmt::print("  {:<16} {:<12} version {:<8} ABI {}  {}\n      {}\n", plugin.name, to_string(plugin.kind),
               plugin.version, plugin.abi_version, plugin.path, plugin.description);
  }
  if (!catalog.rejected.empty()) {
    fmt::print("rejected:\n");
    for (const auto& rejected : catalog.rejected) fmt::print("  {}\n", rejected.reason);
  }
}

int report(std::string_view kind, const std::exception& error) {
  fmt::print(stderr, "mosaic: {}{}\n", kind, error.what());
  return core::kExitUsageError;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Mosaic: a plugin-based virtual machine monitor for 64-bit POWER guests", "mosaic"};
  app.set_version_flag("--version", fmt::format("mosaic {} (SDK ABI {})", MOSAIC_VERSION, kSdkAbiVersion));
  app.require_subcommand(1);

  std::string config_file;
  core::CommandLineOverrides overrides;
  std::string accel;
  std::string log_level;
  const auto add_config_options = [&](CLI::App* command) {
    command->add_option("config", config_file, "YAML config file")->required()->check(CLI::ExistingFile);
    command->add_option("--set", overrides.set, "override a config value: key.path=value (repeatable)");
    command->add_option("--accel", accel, "accelerator, or a list like [kvm,interp]; replaces the config's");
    command->add_option("--log-level", log_level, "trace, debug, info, warn, error or off");
  };
  CLI::App* run = app.add_subcommand("run", "boot the guest a config describes");
  add_config_options(run);
  std::string control_socket;
  run->add_option("--control", control_socket, "serve the control socket (JSON lines, like QMP) at this path");
  std::string restore_file;
  run->add_option("--restore", restore_file, "go on from a snapshot (control command snapshot-save) instead of booting")
      ->check(CLI::ExistingFile);
  CLI::App* check = app.add_subcommand("check", "validate a config and load its plugins; run nothing");
  add_config_options(check);
  CLI::App* plugins = app.add_subcommand("plugins", "list the plugins found and the files rejected");
  std::vector<std::string> plugin_paths;
  plugins->add_option("--plugin-path", plugin_paths, "extra directories to search first");

  CLI::App* ctl = app.add_subcommand("ctl", "send one command to a running mosaic's control socket");
  std::string ctl_socket, ctl_command, ctl_arguments;
  ctl->add_option("socket", ctl_socket, "the control socket's path")->required();
  ctl->add_option("command", ctl_command, "a command, e.g. query-status, stop, cont, quit")->required();
  ctl->add_option("arguments", ctl_arguments, "the command's arguments as a JSON object");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int status = app.exit(error);
    return status == 0 ? 0 : core::kExitUsageError;
  }

  try {
    if (plugins->parsed()) {
      print_plugins(core::PluginLoader({plugin_paths.begin(), plugin_paths.end()}));
      return 0;
    }
    if (ctl->parsed()) return core::run_control_command(ctl_socket, ctl_command, ctl_arguments);
    if (!accel.empty()) overrides.accel = accel;
    if (!control_socket.empty()) overrides.control_socket = control_socket;
    if (!log_level.empty()) overrides.log_level = log_level;
    const core::RunConfig config = core::load_config(config_file, overrides);
    if (check->parsed()) {
      const int status = core::run_vm(config, core::Mode::check);
      fmt::print("{}", core::describe(config));
      return status;
    }
    std::optional<std::filesystem::path> restore;
    if (!restore_file.empty()) restore = restore_file;
    return core::run_vm(config, core::Mode::run, restore);
  } catch (const core::SnapshotError& error) {
    return report("cannot restore: ", error);
  } catch (const ConfigError& error) {
    return report("", error);
  } catch (const core::PluginLoadError& error) {
    return report("plugin error: ", error);
  } catch (const SetupError& error) {
    return report("cannot start the guest: ", error);
  } catch (const PluginRefused& error) {
    return report("plugin refused: ", error);
  } catch (const std::exception& error) {
    // Anything else (out of memory, a plugin's own exception type) fails
    // the run with its message rather than terminating with a core dump.
    fmt::print(stderr, "mosaic: {}\n", error.what());
    return core::kExitGuestFailure;
  }
}
