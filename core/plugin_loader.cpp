#include "plugin_loader.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

#include <dlfcn.h>

#include <boost/dll/runtime_symbol_info.hpp>
#include <fmt/format.h>
#include <fmt/std.h>

namespace mosaic::core {

namespace {

constexpr std::string_view kLibraryPrefix = "mosaic-";
constexpr std::string_view kLibrarySuffix = ".so";

std::filesystem::path library_file_name(const std::string& name) {
  return fmt::format("{}{}{}", kLibraryPrefix, name, kLibrarySuffix);
}

bool looks_like_path(const std::string& name_or_path) {
  return name_or_path.find('/') != std::string::npos || name_or_path.ends_with(kLibrarySuffix);
}

std::vector<std::filesystem::path> split_path_list(const char* list) {
  std::vector<std::filesystem::path> paths;
  if (list == nullptr) return paths;
  std::string_view remaining(list);
  while (!remaining.empty()) {
    const std::size_t colon = remaining.find(':');
    const std::string_view entry = remaining.substr(0, colon);
    if (!entry.empty()) paths.emplace_back(entry);
    if (colon == std::string_view::npos) break;
    remaining.remove_prefix(colon + 1);
  }
  return paths;
}

}  // namespace

PluginLoader::PluginLoader(const std::vector<std::filesystem::path>& config_paths) : search_path_(config_paths) {
  for (auto& path : split_path_list(std::getenv("MOSAIC_PLUGIN_PATH"))) search_path_.push_back(path);
  const std::filesystem::path program_dir = boost::dll::program_location().parent_path().native();
  // The build tree is searched only by the mosaic binary built in it, so
  // that an installed mosaic never picks up stale build products.
  const std::filesystem::path build_dir = MOSAIC_BUILD_DIR;
  std::error_code ignored;
  if (std::filesystem::equivalent(program_dir, build_dir, ignored)) search_path_.emplace_back(MOSAIC_BUILD_PLUGIN_DIR);
  search_path_.push_back((program_dir / ".." / MOSAIC_INSTALL_PLUGIN_DIR).lexically_normal());
}

LoadedPlugin open_plugin(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw PluginLoadError(fmt::format("{}: no such file", path));
  auto library = std::make_shared<boost::dll::shared_library>();
  std::error_code error;
  library->load(boost::dll::fs::path(path.native()),
                boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, error);
  if (error || !library->is_loaded()) {
    // Boost.DLL reports every dlopen failure as "bad file descriptor"; the
    // real reason (not ELF, wrong architecture, undefined symbol) is still
    // in dlerror(), which nothing has read since the failed dlopen.
    const char* reason = dlerror();
    throw PluginLoadError(fmt::format("{}: cannot be loaded as a shared library: {}", path,
                                      reason != nullptr ? std::string(reason) : error.message()));
  }
  if (!library->has(kDescriptorSymbol)) {
    throw PluginLoadError(fmt::format("{}: not a Mosaic plugin (it exports no '{}')", path, kDescriptorSymbol));
  }
  const auto& descriptor = library->get_alias<const PluginDescriptor>(kDescriptorSymbol);
  // Nothing but the version is read before it is known to match: the rest
  // of the layout may differ in another SDK version.
  if (descriptor.abi_version != kSdkAbiVersion) {
    throw PluginLoadError(fmt::format("{}: built for SDK ABI version {}, but this mosaic uses version {}", path,
                                      descriptor.abi_version, kSdkAbiVersion));
  }
  if (!library->has(kFactorySymbol)) {
    throw PluginLoadError(fmt::format("{}: the plugin exports no '{}'", path, kFactorySymbol));
  }
  const auto kind = static_cast<std::uint32_t>(descriptor.kind);
  if (kind < static_cast<std::uint32_t>(PluginKind::accelerator) || kind > static_cast<std::uint32_t>(PluginKind::device)) {
    throw PluginLoadError(fmt::format("{}: unknown plugin kind {}", path, kind));
  }
  const auto text = [](const char* value) { return value == nullptr ? std::string() : std::string(value); };
  PluginInfo info{path, descriptor.abi_version, descriptor.kind, text(descriptor.name), text(descriptor.version),
                  text(descriptor.description)};
  if (info.name.empty()) throw PluginLoadError(fmt::format("{}: the plugin has no name", path));
  return LoadedPlugin{std::move(library), std::move(info)};
}

namespace {

// load() finds a plugin by its file name and then requires the descriptor
// to agree, so a file that disagrees can never be loaded by name.
void check_named_for(const std::filesystem::path& path, const std::string& file_name_plugin,
                     const PluginInfo& info) {
  if (info.name != file_name_plugin) {
    throw PluginLoadError(fmt::format("{}: the file is named for '{}' but the plugin calls itself '{}'", path,
                                      file_name_plugin, info.name));
  }
}

}  // namespace

LoadedPlugin PluginLoader::load(const std::string& name_or_path, PluginKind kind) const {
  std::filesystem::path path;
  if (looks_like_path(name_or_path)) {
    path = name_or_path;
  } else {
    for (const auto& directory : search_path_) {
      const auto candidate = directory / library_file_name(name_or_path);
      if (std::filesystem::exists(candidate)) {
        path = candidate;
        break;
      }
    }
    if (path.empty()) {
      std::string searched;
      for (const auto& directory : search_path_) searched += fmt::format("\n  {}", (directory / library_file_name(name_or_path)).string());
      throw PluginLoadError(fmt::format("no {} plugin named '{}'; looked for:{}", to_string(kind), name_or_path,
                                        searched));
    }
  }
  LoadedPlugin plugin = open_plugin(path);
  if (plugin.info.kind != kind) {
    throw PluginLoadError(fmt::format("{}: plugin '{}' is a {} plugin, but it is used as the {}", path,
                                      plugin.info.name, to_string(plugin.info.kind), to_string(kind)));
  }
  if (!looks_like_path(name_or_path)) check_named_for(path, name_or_path, plugin.info);
  return plugin;
}

PluginCatalog PluginLoader::scan() const {
  PluginCatalog catalog;
  std::set<std::string> seen_names;
  for (const auto& directory : search_path_) {
    std::error_code error;
    if (!std::filesystem::is_directory(directory, error)) continue;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
      const std::string file_name = entry.path().filename().string();
      if (file_name.starts_with(kLibraryPrefix) && file_name.ends_with(kLibrarySuffix)) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      try {
        PluginInfo info = open_plugin(file).info;
        // List only what load() can load by name.
        const std::string file_name = file.filename().string();
        check_named_for(file, file_name.substr(kLibraryPrefix.size(), file_name.size() - kLibraryPrefix.size() -
                                                                           kLibrarySuffix.size()),
                        info);
        if (!seen_names.insert(info.name).second) {
          // Like every other reason, it names the file it is about.
          catalog.rejected.push_back(
              {file, fmt::format("{}: shadowed by an earlier plugin named '{}'", file, info.name)});
          continue;
        }
        catalog.plugins.push_back(std::move(info));
      } catch (const PluginLoadError& error) {
        catalog.rejected.push_back({file, error.what()});
      }
    }
  }
  return catalog;
}

}  // namespace mosaic::core
