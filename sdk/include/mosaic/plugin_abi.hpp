// The binary contract between the core and a plugin shared library.
#pragma once

#include <cstdint>
#include <string_view>

#include <boost/dll/alias.hpp>

namespace mosaic {

// Bumped whenever any SDK interface or struct layout changes. The loader
// compares it before it touches anything else a plugin exports.
inline constexpr std::uint32_t kSdkAbiVersion = 8;

enum class PluginKind : std::uint32_t { accelerator = 1, machine = 2, debugger = 3, device = 4 };

constexpr std::string_view to_string(PluginKind kind) {
  switch (kind) {
    case PluginKind::accelerator: return "accelerator";
    case PluginKind::machine: return "machine";
    case PluginKind::debugger: return "debugger";
    case PluginKind::device: return "device";
  }
  return "unknown";
}

// Exported as plain data so that the loader can read `abi_version` without
// calling into a plugin built against another SDK. Keep `abi_version` first:
// its offset must never move.
struct PluginDescriptor {
  std::uint32_t abi_version;
  PluginKind kind;
  const char* name;
  const char* version;
  const char* description;
};

// Symbol names the loader looks up through Boost.DLL aliases.
inline constexpr const char* kDescriptorSymbol = "mosaic_plugin_descriptor";
inline constexpr const char* kFactorySymbol = "mosaic_plugin_factory";

}  // namespace mosaic

// Declares the descriptor and the factory of a plugin. `factory` must be a
// function whose signature is the factory type of `kind` (see plugin.hpp).
#define MOSAIC_PLUGIN(kind_, name_, version_, description_, factory_)                            \
  namespace mosaic_plugin_exports {                                                              \
  extern "C" const ::mosaic::PluginDescriptor mosaic_descriptor_instance{                        \
      ::mosaic::kSdkAbiVersion, ::mosaic::PluginKind::kind_, name_, version_, description_};     \
  }                                                                                              \
  BOOST_DLL_ALIAS(mosaic_plugin_exports::mosaic_descriptor_instance, mosaic_plugin_descriptor)   \
  BOOST_DLL_ALIAS(factory_, mosaic_plugin_factory)
