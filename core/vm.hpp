// The VM's lifecycle, in a fixed and logged order: memory, accelerator,
// machine, devices, debugger, run. Plugin objects are destroyed before
// the libraries that hold their code.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config.hpp"
#include "plugin_loader.hpp"

namespace mosaic::core {

// Exit statuses of `mosaic run` (README.md).
inline constexpr int kExitPoweredOff = 0;
inline constexpr int kExitGuestFailure = 1;
inline constexpr int kExitUsageError = 2;

enum class Mode {
  check,  // load every plugin and run the factories; build nothing
  run,
};

// Returns the process exit status. Throws ConfigError, PluginLoadError,
// SetupError, PluginRefused, SnapshotError (or std::runtime_error for
// anything else) for the CLI to report; they are always the core's own
// objects, never ones a plugin's code made, so they stay usable after the
// plugins are unloaded. With `restore`, the guest goes on from that
// snapshot (snapshot_file.hpp) instead of booting.
int run_vm(const RunConfig& config, Mode mode, const std::optional<std::filesystem::path>& restore = std::nullopt);

}  // namespace mosaic::core
