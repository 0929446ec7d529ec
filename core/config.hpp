// The run configuration: the YAML file plus --set overrides, validated in
// full before anything runs. Plugin-specific keys stay as OptionNodes for
// the plugin factories, which validate them with the same error format.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mosaic/machine.hpp"
#include "mosaic/options.hpp"

namespace mosaic::core {

// A plugin named in the config (by name or by path) and its options.
struct PluginChoice {
  std::string name;
  OptionNode options;
};

struct RunConfig {
  std::shared_ptr<const ConfigSource> source;
  PluginChoice machine;
  MachineSpec spec;
  std::vector<std::string> accelerators;  // tried in order
  OptionNode accel_options;               // accel-options: {name: {...}}
  std::optional<PluginChoice> debugger;
  std::vector<PluginChoice> devices;
  std::vector<std::filesystem::path> plugin_paths;
  std::string log_level;
  std::optional<std::filesystem::path> control_socket;  // control: {socket: PATH}

  // The options of accelerator `name` (an empty node when absent).
  OptionNode accelerator_options(const std::string& name) const;
};

struct CommandLineOverrides {
  std::vector<std::string> set;  // "key.path=value"
  std::optional<std::string> accel;
  std::optional<std::string> log_level;
  std::optional<std::string> control_socket;  // --control PATH, relative to the working directory
};

// Reads and validates `file`; throws ConfigError naming file:line:column
// (or the --set argument) and the key.
RunConfig load_config(const std::filesystem::path& file, const CommandLineOverrides& overrides);

// The configuration as resolved (paths absolute, defaults filled in), as
// `mosaic check` prints it.
std::string describe(const RunConfig& config);

}  // namespace mosaic::core
