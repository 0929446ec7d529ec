#include "config.hpp"

#include <charconv>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace mosaic::core {

namespace {

constexpr std::uint64_t kMinMemory = std::uint64_t{64} << 20;
constexpr std::uint64_t kMaxMemory = std::uint64_t{1} << 40;
constexpr unsigned kMaxCpus = 64;

// Whether `path` is of `kind`, false when it cannot be examined at all (a
// name too long, a loop of links): the caller's config error says so
// rather than an exception from the file system.
bool is_file_of_kind(const std::filesystem::path& path, std::filesystem::file_type kind) {
  std::error_code error;
  return std::filesystem::status(path, error).type() == kind;
}

// One step of a --set key path: a map key, or a list index.
struct PathStep {
  std::string key;
  std::optional<std::size_t> index;
};

// "devices[0].greeting" -> devices, [0], greeting.
std::vector<PathStep> parse_key_path(const std::string& path, const std::string& argument) {
  std::vector<PathStep> steps;
  std::size_t position = 0;
  const auto fail = [&] {
    throw ConfigError(fmt::format("{}: '{}' is not a key path such as machine.memory or devices[0].type", argument,
                                  path));
  };
  while (position < path.size()) {
    const std::size_t end = path.find_first_of(".[", position);
    const std::string key = path.substr(position, end == std::string::npos ? std::string::npos : end - position);
    if (key.empty()) fail();
    steps.push_back({key, std::nullopt});
    position = end == std::string::npos ? path.size() : end;
    while (position < path.size() && path[position] == '[') {
      const std::size_t close = path.find(']', position);
      if (close == std::string::npos || close == position + 1) fail();
      const std::string digits = path.substr(position + 1, close - position - 1);
      // from_chars rather than stoul: an index too long for a number is the
      // user's mistake, to be reported like any other, not std::out_of_range.
      std::size_t index = 0;
      const auto [end_of_number, error] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
      if (error != std::errc() || end_of_number != digits.data() + digits.size()) fail();
      steps.push_back({"", index});
      position = close + 1;
    }
    if (position < path.size()) {
      if (path[position] != '.') fail();
      ++position;
      if (position == path.size()) fail();
    }
  }
  if (steps.empty()) fail();
  return steps;
}

std::string normalised_path(const std::vector<PathStep>& steps) {
  std::string path;
  for (const PathStep& step : steps) {
    if (step.index) path += fmt::format("[{}]", *step.index);
    else path += path.empty() ? step.key : "." + step.key;
  }
  return path;
}

// Aliases let a small file name a huge (or, through an anchor inside its
// own node, endless) tree; a config never needs more than this many nodes.
constexpr std::size_t kMaxConfigNodes = 100'000;

// yaml-cpp keeps every pair of a mapping, a repeated key included, and a
// lookup finds the first: `{memory: 256M, memory: 512M}` would silently run
// with 256M. YAML 1.2 (3.2.1.1) requires the keys of a mapping to be unique,
// so a repeated one is an error naming both places: lines in a file,
// columns in a --set value (`in_file` false).
void reject_duplicate_keys(const YAML::Node& root, const std::string& origin, bool in_file) {
  const auto place = [&](const YAML::Mark& mark) {
    return mark.is_null() || !in_file ? origin : fmt::format("{}:{}:{}", origin, mark.line + 1, mark.column + 1);
  };
  std::size_t visited = 0;
  std::vector<YAML::Node> pending{root};
  while (!pending.empty()) {
    const YAML::Node node = pending.back();
    pending.pop_back();
    if (++visited > kMaxConfigNodes) {
      throw ConfigError(fmt::format("{}: more than {} values (aliases expanding too far?)", place(node.Mark()),
                                    kMaxConfigNodes));
    }
    if (node.IsSequence()) {
      for (const YAML::Node& element : node) pending.push_back(element);
    } else if (node.IsMap()) {
      std::map<std::string, YAML::Mark> seen;
      for (const auto& entry : node) {
        pending.push_back(entry.first);
        pending.push_back(entry.second);
        // Keys compare by their text, as lookups do; a key that is itself a
        // collection matches no lookup (and is reported as unknown).
        if (!entry.first.IsScalar()) continue;
        const std::string& key = entry.first.Scalar();
        const auto [first, inserted] = seen.emplace(key, entry.first.Mark());
        if (!inserted) {
          const std::string earlier = in_file ? fmt::format("line {}", first->second.line + 1)
                                              : fmt::format("column {}", first->second.column + 1);
          throw ConfigError(fmt::format("{}: duplicate key '{}' (first at {}); a key may appear once in a mapping",
                                        place(entry.first.Mark()), key, earlier));
        }
      }
    }
  }
}

// Applies one "key.path=value" override; the value is YAML (so lists work).
void apply_override(YAML::Node root, const std::string& argument, ConfigSource& source) {
  const std::size_t equals = argument.find('=');
  const std::string origin = fmt::format("--set {}", argument);
  if (equals == std::string::npos || equals == 0) {
    throw ConfigError(fmt::format("{}: expected key.path=value", origin));
  }
  const auto steps = parse_key_path(argument.substr(0, equals), origin);
  YAML::Node value;
  try {
    value = YAML::Load(argument.substr(equals + 1));
  } catch (const YAML::Exception& error) {
    throw ConfigError(fmt::format("{}: the value is not valid YAML: {}", origin, error.msg));
  }
  reject_duplicate_keys(value, origin, false);
  // yaml-cpp nodes are handles: walking with reassignment would rebind, so
  // collect the chain and assign from the leaf's parent.
  std::vector<YAML::Node> chain{root};
  for (std::size_t i = 0; i + 1 < steps.size(); ++i) {
    YAML::Node current = chain.back();
    const PathStep& step = steps[i];
    if (step.index) {
      if (!current.IsSequence() || *step.index >= current.size()) {
        throw ConfigError(fmt::format("{}: '{}' has no element {}", origin, normalised_path({steps.begin(),
                                                                                               steps.begin() + i}),
                                      *step.index));
      }
      chain.push_back(current[*step.index]);
    } else {
      if (current.IsDefined() && !current.IsNull() && !current.IsMap()) {
        throw ConfigError(fmt::format("{}: '{}' is not a mapping", origin,
                                      normalised_path({steps.begin(), steps.begin() + i})));
      }
      chain.push_back(current[step.key]);
    }
  }
  YAML::Node parent = chain.back();
  const PathStep& leaf = steps.back();
  if (leaf.index) {
    if (!parent.IsSequence() || *leaf.index >= parent.size()) {
      throw ConfigError(fmt::format("{}: no element {} to replace", origin, *leaf.index));
    }
    parent[*leaf.index] = value;
  } else {
    if (parent.IsDefined() && !parent.IsNull() && !parent.IsMap()) {
      throw ConfigError(fmt::format("{}: the parent of '{}' is not a mapping", origin, leaf.key));
    }
    parent[leaf.key] = value;
  }
  source.overrides[normalised_path(steps)] = origin;
}

YAML::Node read_yaml(const std::filesystem::path& file) {
  std::ifstream stream(file);
  if (!stream) throw ConfigError(fmt::format("{}: cannot open the config file", file.string()));
  YAML::Node root;
  try {
    root = YAML::Load(stream);
  } catch (const YAML::Exception& error) {
    throw ConfigError(fmt::format("{}:{}:{}: invalid YAML: {}", file.string(), error.mark.line + 1,
                                  error.mark.column + 1, error.msg));
  }
  if (root.IsNull() || !root.IsDefined()) return YAML::Node(YAML::NodeType::Map);
  reject_duplicate_keys(root, file.string(), true);
  return root;
}

// as_path() resolves against the config file's directory, which is relative
// when the config was named relatively; the resolved config promises
// absolute paths, so that it means the same from any directory.
std::filesystem::path absolute_path(const OptionNode& node) {
  return std::filesystem::absolute(node.as_path()).lexically_normal();
}

// `debug: {gdb: {port: 1234}}`: there is one debugger, so the section is
// its name and its options; `debug: {type: gdb, port: 1234}` also works,
// as for devices.
PluginChoice debugger_choice(const OptionNode& node) {
  if (!node.is_map()) node.fail("expected a mapping such as {gdb: {port: 1234}}");
  if (node.child("type").defined()) return PluginChoice{node.child("type").as_string(), node};
  const auto entries = node.entries();
  if (entries.size() != 1) node.fail("expected one debugger, such as {gdb: {port: 1234}}");
  return PluginChoice{entries.front().first, entries.front().second};
}

PluginChoice plugin_choice(const OptionNode& node) {
  if (!node.is_map()) node.fail("expected a mapping with a 'type' key and the plugin's options");
  return PluginChoice{node.child("type").as_string(), node};
}

std::vector<std::string> string_or_list(const OptionNode& node) {
  std::vector<std::string> values;
  if (node.is_sequence()) {
    for (const OptionNode& element : node.elements()) values.push_back(element.as_string());
    if (values.empty()) node.fail("expected at least one name");
  } else {
    values.push_back(node.as_string());
  }
  return values;
}

}  // namespace

OptionNode RunConfig::accelerator_options(const std::string& name) const { return accel_options.child(name); }

RunConfig load_config(const std::filesystem::path& file, const CommandLineOverrides& overrides) {
  auto source = std::make_shared<ConfigSource>();
  source->file = file.string();
  YAML::Node root = read_yaml(file);
  if (!root.IsMap()) {
    throw ConfigError(fmt::format("{}:1:1: the config must be a mapping of keys to values", file.string()));
  }
  for (const std::string& argument : overrides.set) apply_override(root, argument, *source);
  if (overrides.accel) apply_override(root, "accel=" + *overrides.accel, *source);
  if (overrides.log_level) apply_override(root, "log.level=" + *overrides.log_level, *source);
  if (overrides.control_socket) {
    apply_override(root, "control.socket=" + std::filesystem::absolute(*overrides.control_socket).string(), *source);
    source->overrides["control.socket"] = "--control " + *overrides.control_socket;
  }
  // Overrides recorded as --accel / --log-level read better than --set.
  if (overrides.accel) source->overrides["accel"] = "--accel " + *overrides.accel;
  if (overrides.log_level) source->overrides["log.level"] = "--log-level " + *overrides.log_level;

  const OptionNode top(source, root, "");
  top.expect_keys({"machine", "accel", "accel-options", "debug", "devices", "plugin-path", "log", "control"});

  RunConfig config{source, {"", top}, {}, {}, top.child("accel-options"), std::nullopt, {}, {}, "info", std::nullopt};

  const OptionNode machine = top.child("machine");
  if (!machine.defined()) machine.as_string();  // reports the missing key
  if (!machine.is_map()) machine.fail("expected a mapping with type, memory, kernel, ...");
  config.machine = PluginChoice{machine.child("type").as_string(), machine};
  config.spec.memory_bytes = machine.child("memory").as_size(kMinMemory, kMaxMemory, std::uint64_t{1} << 30);
  config.spec.cpus = static_cast<unsigned>(machine.child("cpus").as_uint(1, kMaxCpus, 1));
  config.spec.kernel = absolute_path(machine.child("kernel")).string();
  if (machine.child("initrd").defined()) config.spec.initrd = absolute_path(machine.child("initrd")).string();
  config.spec.cmdline = machine.child("cmdline").as_string("");
  if (!is_file_of_kind(config.spec.kernel, std::filesystem::file_type::regular)) {
    machine.child("kernel").fail(fmt::format("'{}' is not a readable file", config.spec.kernel));
  }
  if (!config.spec.initrd.empty() && !is_file_of_kind(config.spec.initrd, std::filesystem::file_type::regular)) {
    machine.child("initrd").fail(fmt::format("'{}' is not a readable file", config.spec.initrd));
  }

  config.accelerators = string_or_list(top.child("accel"));
  if (config.accel_options.defined()) {
    for (const auto& [name, options] : config.accel_options.entries()) {
      if (std::find(config.accelerators.begin(), config.accelerators.end(), name) == config.accelerators.end()) {
        options.fail(fmt::format("options for an accelerator that 'accel' does not list ({})",
                                 fmt::join(config.accelerators, ", ")));
      }
    }
  }

  if (const OptionNode debug = top.child("debug"); debug.defined()) config.debugger = debugger_choice(debug);
  if (const OptionNode devices = top.child("devices"); devices.defined()) {
    for (const OptionNode& device : devices.elements()) config.devices.push_back(plugin_choice(device));
  }
  if (const OptionNode paths = top.child("plugin-path"); paths.defined()) {
    const auto elements = paths.is_sequence() ? paths.elements() : std::vector<OptionNode>{paths};
    for (const OptionNode& path : elements) {
      const std::filesystem::path directory = absolute_path(path);
      if (!is_file_of_kind(directory, std::filesystem::file_type::directory)) path.fail(fmt::format("'{}' is not a directory", directory.string()));
      config.plugin_paths.push_back(directory);
    }
  }
  if (const OptionNode control = top.child("control"); control.defined()) {
    control.expect_keys({"socket"});
    config.control_socket = absolute_path(control.child("socket"));
  }
  const OptionNode log = top.child("log");
  log.expect_keys({"level"});
  config.log_level = log.child("level").defined() ? log.child("level").as_choice({"trace", "debug", "info", "warn", "error", "off"}) : "info";
  return config;
}

std::string describe(const RunConfig& config) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "machine" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "type" << YAML::Value << config.machine.name;
  out << YAML::Key << "memory" << YAML::Value << config.spec.memory_bytes;
  out << YAML::Key << "cpus" << YAML::Value << config.spec.cpus;
  out << YAML::Key << "kernel" << YAML::Value << config.spec.kernel;
  if (!config.spec.initrd.empty()) out << YAML::Key << "initrd" << YAML::Value << config.spec.initrd;
  out << YAML::Key << "cmdline" << YAML::Value << YAML::DoubleQuoted << config.spec.cmdline;
  for (const auto& [key, value] : config.machine.options.entries()) {
    if (key == "type" || key == "memory" || key == "cpus" || key == "kernel" || key == "initrd" || key == "cmdline") {
      continue;
    }
    out << YAML::Key << key << YAML::Value << value.yaml();
  }
  out << YAML::EndMap;
  out << YAML::Key << "accel" << YAML::Value << YAML::Flow << config.accelerators;
  if (config.accel_options.defined()) out << YAML::Key << "accel-options" << YAML::Value << config.accel_options.yaml();
  if (config.debugger) {
    out << YAML::Key << "debug" << YAML::Value << YAML::BeginMap << YAML::Key << config.debugger->name << YAML::Value;
    if (config.debugger->options.defined()) out << config.debugger->options.yaml();
    else out << YAML::Null;
    out << YAML::EndMap;
  }
  if (!config.devices.empty()) {
    out << YAML::Key << "devices" << YAML::Value << YAML::BeginSeq;
    for (const PluginChoice& device : config.devices) out << device.options.yaml();
    out << YAML::EndSeq;
  }
  if (!config.plugin_paths.empty()) {
    out << YAML::Key << "plugin-path" << YAML::Value << YAML::BeginSeq;
    for (const auto& path : config.plugin_paths) out << path.string();
    out << YAML::EndSeq;
  }
  if (config.control_socket) {
    out << YAML::Key << "control" << YAML::Value << YAML::BeginMap << YAML::Key << "socket" << YAML::Value
        << config.control_socket->string() << YAML::EndMap;
  }
  out << YAML::Key << "log" << YAML::Value << YAML::BeginMap << YAML::Key << "level" << YAML::Value
      << config.log_level << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace mosaic::core
