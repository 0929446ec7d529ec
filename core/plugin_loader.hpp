// Finds plugin libraries, checks their descriptors and hands out their
// factories (DESIGN.md section 2). A library stays loaded for as long as a
// LoadedPlugin (or an object made by its factory) refers to it.
#pragma once

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "mosaic/plugin_abi.hpp"

namespace mosaic::core {

// A plugin could not be found or used; what() names the path and the reason.
class PluginLoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PluginInfo {
  std::filesystem::path path;
  std::uint32_t abi_version = 0;
  PluginKind kind = PluginKind::device;
  std::string name;
  std::string version;
  std::string description;
};

struct LoadedPlugin {
  std::shared_ptr<boost::dll::shared_library> library;
  PluginInfo info;

  template <class Factory>
  Factory& factory() const {
    return library->get_alias<Factory>(kFactorySymbol);
  }
};

struct RejectedFile {
  std::filesystem::path path;
  std::string reason;
};

struct PluginCatalog {
  std::vector<PluginInfo> plugins;
  std::vector<RejectedFile> rejected;
};

class PluginLoader {
 public:
  // Directories in search order: config paths, $MOSAIC_PLUGIN_PATH, the
  // build tree (when running from it), the install prefix.
  explicit PluginLoader(const std::vector<std::filesystem::path>& config_paths);

  const std::vector<std::filesystem::path>& search_path() const { return search_path_; }

  // `name_or_path` is a plugin name (mosaic-NAME.so on the search path) or
  // a path to a library. Throws PluginLoadError.
  LoadedPlugin load(const std::string& name_or_path, PluginKind kind) const;

  // Every mosaic-*.so on the search path, loaded and checked.
  PluginCatalog scan() const;

 private:
  std::vector<std::filesystem::path> search_path_;
};

// Opens `path` and validates its descriptor; throws PluginLoadError.
LoadedPlugin open_plugin(const std::filesystem::path& path);

}  // namespace mosaic::core
